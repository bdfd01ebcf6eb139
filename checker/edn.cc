#include "checker/edn.h"

#include <utility>

#include "checker/text_util.h"

namespace checker {
namespace {

using edn::IsDelimiter;
using edn::IsDigit;
using edn::IsWhitespace;

constexpr char kNonStringKeyMapTag[] = "#edn/map";

bool IsCloser(char c) { return c == ')' || c == ']' || c == '}'; }

std::string_view CollectionName(char close) {
  switch (close) {
    case ')':
      return "list";
    case ']':
      return "vector";
    default:
      return "map or set";
  }
}

}  // namespace

EdnReader::EdnReader(std::string_view text, std::string source, EdnOptions options)
    : text_(text), source_(std::move(source)), options_(options) {}

Status EdnReader::Error(int64_t line, std::string_view reason) const {
  return text::ErrorAt(source_, line, reason);
}

void EdnReader::SkipWhitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      ++line_;
      ++pos_;
    } else if (IsWhitespace(c)) {
      ++pos_;
    } else if (c == ';') {
      const size_t end = text_.find('\n', pos_);
      pos_ = end == std::string_view::npos ? text_.size() : end;
    } else {
      return;
    }
  }
}

Result<std::optional<EdnForm>> EdnReader::Next() {
  for (;;) {
    SkipWhitespace();
    if (pos_ >= text_.size()) return std::optional<EdnForm>();
    EdnForm form;
    form.line = line_;
    bool produced = false;
    RETURN_IF_ERROR(ReadForm(0, &form.value, &produced, &form.kind, &form.element_lines));
    if (produced) return std::optional<EdnForm>(std::move(form));
  }
}

// Reads one form at pos_ (whitespace already skipped). A discard (#_) consumes its form and
// produces nothing; `kind` and `element_lines` may be null.
Status EdnReader::ReadForm(int depth, Json* out, bool* produced, EdnKind* kind,
                           std::vector<int64_t>* element_lines) {
  if (depth > options_.max_depth) {
    return Error(line_, "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
  }
  *produced = true;
  EdnKind ignored_kind = EdnKind::kScalar;
  if (kind == nullptr) kind = &ignored_kind;
  *kind = EdnKind::kScalar;
  const char c = text_[pos_];
  switch (c) {
    case '(':
    case '[': {
      ++pos_;
      *kind = c == '(' ? EdnKind::kList : EdnKind::kVector;
      std::vector<Json> items;
      RETURN_IF_ERROR(ReadCollection(c == '(' ? ')' : ']', depth, &items, element_lines));
      *out = Json(Json::array_t(std::make_move_iterator(items.begin()),
                                std::make_move_iterator(items.end())));
      return Status::Ok();
    }
    case '{':
      ++pos_;
      *kind = EdnKind::kMap;
      return ReadMap(depth, out);
    case '#':
      return ReadDispatch(depth, out, produced, kind, element_lines);
    case '^': {
      const int64_t line = line_;
      ++pos_;
      Json meta;
      RETURN_IF_ERROR(ReadRequired(depth + 1, "metadata", line, &meta));
      return ReadRequired(depth + 1, "form after metadata", line, out, kind, element_lines);
    }
    case '"':
      return ReadString(out);
    case '\\':
      return ReadCharacter(out);
    case ')':
    case ']':
    case '}':
      return Error(line_, std::string("unexpected '") + c + "'");
    default:
      return ReadAtom(out);
  }
}

// Reads forms until one produces a value; `what` names the construct needing it in errors.
Status EdnReader::ReadRequired(int depth, std::string_view what, int64_t what_line, Json* out,
                               EdnKind* kind, std::vector<int64_t>* element_lines) {
  for (;;) {
    SkipWhitespace();
    if (pos_ >= text_.size() || IsCloser(text_[pos_])) {
      return Error(what_line, std::string(what) + " has no form after it");
    }
    bool produced = false;
    RETURN_IF_ERROR(ReadForm(depth, out, &produced, kind, element_lines));
    if (produced) return Status::Ok();
  }
}

// Reads elements up to `close` (the opener is consumed). Records element lines when asked.
Status EdnReader::ReadCollection(char close, int depth, std::vector<Json>* items,
                                 std::vector<int64_t>* element_lines) {
  const int64_t open_line = line_;
  for (;;) {
    SkipWhitespace();
    if (pos_ >= text_.size()) {
      return Error(open_line, std::string(CollectionName(close)) + " opened here is never closed");
    }
    const char c = text_[pos_];
    if (IsCloser(c)) {
      if (c != close) {
        return Error(line_, std::string("unexpected '") + c + "': expected '" + close +
                                "' to close the " + std::string(CollectionName(close)) +
                                " opened at line " + std::to_string(open_line));
      }
      ++pos_;
      return Status::Ok();
    }
    const int64_t element_line = line_;
    Json item;
    bool produced = false;
    RETURN_IF_ERROR(ReadForm(depth + 1, &item, &produced, nullptr, nullptr));
    if (!produced) continue;
    items->push_back(std::move(item));
    if (element_lines != nullptr) element_lines->push_back(element_line);
  }
}

Status EdnReader::ReadMap(int depth, Json* out) {
  const int64_t open_line = line_;
  std::vector<Json> items;
  RETURN_IF_ERROR(ReadCollection('}', depth, &items, nullptr));
  if (items.size() % 2 != 0) {
    return Error(open_line, "map has an odd number of forms (" + std::to_string(items.size()) +
                                "): a key has no value");
  }
  bool all_string_keys = true;
  for (size_t i = 0; i < items.size(); i += 2) all_string_keys &= items[i].is_string();
  if (!all_string_keys) {
    Json pairs = Json::array();
    for (size_t i = 0; i < items.size(); i += 2) {
      pairs.push_back(Json::array({std::move(items[i]), std::move(items[i + 1])}));
    }
    *out = Json::object();
    (*out)[kNonStringKeyMapTag] = std::move(pairs);
    return Status::Ok();
  }
  *out = Json::object();
  auto& object = out->get_ref<Json::object_t&>();
  for (size_t i = 0; i < items.size(); i += 2) {
    auto& key = items[i].get_ref<std::string&>();
    auto [it, inserted] = object.emplace(std::move(key), std::move(items[i + 1]));
    if (!inserted) {
      return Error(open_line, "map has a duplicate key \"" + text::Excerpt(it->first) + "\"");
    }
  }
  return Status::Ok();
}

Status EdnReader::ReadDispatch(int depth, Json* out, bool* produced, EdnKind* kind,
                               std::vector<int64_t>* element_lines) {
  const int64_t line = line_;
  ++pos_;  // '#'
  if (pos_ >= text_.size()) return Error(line, "'#' at the end of the input");
  const char c = text_[pos_];
  if (c == '{') {
    ++pos_;
    *kind = EdnKind::kSet;
    std::vector<Json> items;
    RETURN_IF_ERROR(ReadCollection('}', depth, &items, element_lines));
    *out = Json(Json::array_t(std::make_move_iterator(items.begin()),
                              std::make_move_iterator(items.end())));
    return Status::Ok();
  }
  if (c == '_') {
    ++pos_;
    *produced = false;
    Json discarded;
    return ReadRequired(depth + 1, "#_", line, &discarded);
  }
  if (c == '"') return ReadString(out);  // a regex: kept as its source text
  if (c == '#') {
    ++pos_;
    const std::string_view name = ReadToken();
    if (name == "Inf") *out = std::numeric_limits<double>::infinity();
    if (name == "-Inf") *out = -std::numeric_limits<double>::infinity();
    if (name == "NaN") *out = std::numeric_limits<double>::quiet_NaN();
    if (name == "Inf" || name == "-Inf" || name == "NaN") return Status::Ok();
    return Error(line, "unknown symbolic value ##" + text::Excerpt(name));
  }
  const size_t tag_start = pos_;
  const std::string_view tag = ReadToken();
  if (tag.empty() || IsDigit(tag.front()) || tag.front() == ':') {
    return Error(line, "unsupported dispatch '#" + text::Excerpt(text_.substr(tag_start, 1)) + "'");
  }
  // A tagged literal: the tag is dropped and the value kept (edn.h).
  return ReadRequired(depth + 1, "tag #" + text::Excerpt(tag), line, out, kind, element_lines);
}

Result<Json> ParseEdn(std::string_view text, const std::string& source) {
  EdnReader reader(text, source);
  ASSIGN_OR_RETURN(std::optional<EdnForm> form, reader.Next());
  if (!form) return text::ErrorAt(source, 1, "no EDN form in the input");
  ASSIGN_OR_RETURN(std::optional<EdnForm> extra, reader.Next());
  if (extra) return text::ErrorAt(source, extra->line, "more than one EDN form in the input");
  return std::move(form->value);
}

}  // namespace checker

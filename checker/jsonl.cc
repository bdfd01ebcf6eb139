// The jsonl reader: one JSON object per line, each read by EventFromJson (history.h).
#include <limits>
#include <string>

#include "checker/formats.h"
#include "checker/text_util.h"

namespace checker {
namespace {

constexpr int kMaxJsonDepth = 512;

// A SAX handler that builds the value through nlohmann's own DOM builder, but stops at
// kMaxJsonDepth (a deeper value would overflow the stack later: copying and dumping JSON
// recurse) and keeps the parser's message, which Json::parse(text, nullptr, false) discards.
// Nothing throws: the builder runs with exceptions off and sax_parse reports errors here.
class BoundedJsonSax {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit BoundedJsonSax(Json& root) : dom_(root, /*allow_exceptions_=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t& text) {
    return dom_.number_float(value, text);
  }
  bool string(string_t& value) { return dom_.string(value); }
  bool binary(binary_t& value) { return dom_.binary(value); }
  bool key(string_t& value) { return dom_.key(value); }
  bool start_object(std::size_t size) { return Enter() && dom_.start_object(size); }
  bool end_object() { return Leave() && dom_.end_object(); }
  bool start_array(std::size_t size) { return Enter() && dom_.start_array(size); }
  bool end_array() { return Leave() && dom_.end_array(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    error_ = error.what();
    // "[json.exception.parse_error.101] parse error at ..." reads better without the tag.
    if (const size_t tag_end = error_.find("] "); tag_end != std::string::npos) {
      error_.erase(0, tag_end + 2);
    }
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    error_ = "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int depth_ = 0;
  std::string error_;
};

Result<Json> ParseJsonLine(std::string_view line) {
  Json root;
  BoundedJsonSax sax(root);
  const bool ok = Json::sax_parse(line, &sax, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    return Status::InvalidArgument(
        "invalid JSON: " + (sax.error().empty() ? std::string("parse failed") : sax.error()));
  }
  return root;
}

// True when the line names its index (EventFromJson gives 0 for a missing one).
bool HasIndex(const Json& object) { return object.is_object() && object.contains("index"); }

}  // namespace

Result<History> ParseJsonl(std::string_view text, const std::string& source) {
  History history;
  history.source = source;
  text::LineCursor cursor(text);
  std::string_view line;
  std::optional<int64_t> previous_index;
  while (cursor.Next(&line)) {
    if (text::IsBlank(line)) continue;
    const int64_t line_number = cursor.line_number();
    auto object = ParseJsonLine(line);
    if (!object.ok()) return text::ErrorAt(source, line_number, object.status().message());
    auto event = EventFromJson(*object);
    if (!event.ok()) return text::ErrorAt(source, line_number, event.status().message());
    event->line = line_number;
    if (!HasIndex(*object)) {
      if (previous_index == std::numeric_limits<int64_t>::max()) {
        return text::ErrorAt(source, line_number, "index overflows after the previous event's");
      }
      event->index = previous_index ? *previous_index + 1 : 0;
    } else if (previous_index && event->index <= *previous_index) {
      return text::ErrorAt(source, line_number,
                           "index " + std::to_string(event->index) +
                               " is not greater than the previous event's index " +
                               std::to_string(*previous_index));
    }
    previous_index = event->index;
    history.events.push_back(std::move(*event));
  }
  return history;
}

}  // namespace checker

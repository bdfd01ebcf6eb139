// The EDN reader's atoms: strings, characters, tokens (symbols, keywords, nil, booleans) and
// numbers. The reader's forms and collections are in edn.cc.
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "checker/edn.h"
#include "checker/text_util.h"

namespace checker {
namespace {

using edn::IsDelimiter;
using edn::IsDigit;
using edn::IsWhitespace;

// Parses an optionally signed decimal integer; beyond int64 it becomes uint64 or, failing
// that, a string of its digits (see edn.h for why not a double).
bool ParseInteger(std::string_view token, Json* out) {
  std::string_view digits = token;
  const bool negative = !digits.empty() && digits.front() == '-';
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  if (digits.empty()) return false;
  for (char c : digits) {
    if (!IsDigit(c)) return false;
  }
  std::string_view signed_digits = negative ? token : digits;
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), value);
  if (error == std::errc() && end == signed_digits.data() + signed_digits.size()) {
    *out = value;
    return true;
  }
  uint64_t unsigned_value = 0;
  auto [uend, uerror] =
      std::from_chars(digits.data(), digits.data() + digits.size(), unsigned_value);
  if (!negative && uerror == std::errc() && uend == digits.data() + digits.size()) {
    *out = unsigned_value;
    return true;
  }
  *out = std::string(signed_digits);
  return true;
}

bool ParseDouble(std::string_view token, double* out) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || !(IsDigit(token.front()) || token.front() == '-')) return false;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return error == std::errc() && end == token.data() + token.size();
}

bool ParseRatio(std::string_view token, Json* out) {
  const size_t slash = token.find('/');
  Json numerator;
  Json denominator;
  if (!ParseInteger(token.substr(0, slash), &numerator) ||
      !ParseInteger(token.substr(slash + 1), &denominator)) {
    return false;
  }
  if (!numerator.is_number() || !denominator.is_number()) return false;
  const double d = denominator.get<double>();
  if (d == 0) return false;
  *out = numerator.get<double>() / d;
  return true;
}

}  // namespace

Status EdnReader::ReadString(Json* out) {
  ++pos_;  // the opening quote
  std::string value;
  RETURN_IF_ERROR(ReadStringBody(&value));
  *out = std::move(value);
  return Status::Ok();
}

Status EdnReader::ReadStringBody(std::string* out) {
  const int64_t open_line = line_;
  for (;;) {
    size_t end = pos_;
    while (end < text_.size() && text_[end] != '"' && text_[end] != '\\') {
      if (text_[end] == '\n') ++line_;
      ++end;
    }
    out->append(text_.substr(pos_, end - pos_));
    pos_ = end;
    if (pos_ >= text_.size()) return Error(open_line, "string opened here is never closed");
    if (text_[pos_] == '"') {
      ++pos_;
      break;
    }
    ++pos_;  // the backslash
    RETURN_IF_ERROR(ReadEscape(out));
  }
  if (!text::IsValidUtf8(*out)) return Error(open_line, "string is not valid UTF-8");
  return Status::Ok();
}

namespace {

// Reads 4 hex digits at text[pos]; -1 when they are not there.
int64_t ReadHex4(std::string_view text, size_t pos) {
  if (pos + 4 > text.size()) return -1;
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data() + pos, text.data() + pos + 4, value, 16);
  if (error != std::errc() || end != text.data() + pos + 4) return -1;
  return value;
}

}  // namespace

// Reads the escape after a backslash in a string (pos_ is just past the backslash).
Status EdnReader::ReadEscape(std::string* out) {
  if (pos_ >= text_.size()) return Error(line_, "string ends inside an escape");
  const char c = text_[pos_++];
  switch (c) {
    case 'n':
      *out += '\n';
      return Status::Ok();
    case 't':
      *out += '\t';
      return Status::Ok();
    case 'r':
      *out += '\r';
      return Status::Ok();
    case 'b':
      *out += '\b';
      return Status::Ok();
    case 'f':
      *out += '\f';
      return Status::Ok();
    case '"':
    case '\\':
    case '\'':
      *out += c;
      return Status::Ok();
    case 'u':
      break;
    default:
      return Error(line_, "unknown string escape '\\" + text::Excerpt(std::string(1, c)) + "'");
  }
  int64_t code_point = ReadHex4(text_, pos_);
  if (code_point < 0) return Error(line_, "\\u must be followed by 4 hex digits");
  pos_ += 4;
  if (code_point >= 0xD800 && code_point <= 0xDBFF) {
    // A UTF-16 surrogate pair, as JSON and Java write characters beyond U+FFFF.
    const int64_t low = text_.substr(pos_, 2) == "\\u" ? ReadHex4(text_, pos_ + 2) : -1;
    if (low < 0xDC00 || low > 0xDFFF) return Error(line_, "unpaired UTF-16 surrogate in \\u");
    pos_ += 6;
    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
  } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
    return Error(line_, "unpaired UTF-16 surrogate in \\u");
  }
  text::AppendUtf8(static_cast<uint32_t>(code_point), *out);
  return Status::Ok();
}

Status EdnReader::ReadCharacter(Json* out) {
  const int64_t line = line_;
  ++pos_;  // the backslash
  if (pos_ >= text_.size() || IsWhitespace(text_[pos_])) {
    return Error(line, "backslash without a character");
  }
  const size_t start = pos_++;
  while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) ++pos_;
  const std::string_view name = text_.substr(start, pos_ - start);
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"newline", '\n'}, {"space", ' '},      {"tab", '\t'},
      {"return", '\r'},  {"backspace", '\b'}, {"formfeed", '\f'}};
  for (const auto& [named, c] : kNamed) {
    if (name == named) {
      *out = std::string(1, c);
      return Status::Ok();
    }
  }
  if (name.size() == 5 && name[0] == 'u') {
    const int64_t code_point = ReadHex4(name, 1);
    if (code_point >= 0 && (code_point < 0xD800 || code_point > 0xDFFF)) {
      std::string value;
      text::AppendUtf8(static_cast<uint32_t>(code_point), value);
      *out = std::move(value);
      return Status::Ok();
    }
  }
  // A single character, possibly several UTF-8 bytes long: one lead byte, the rest
  // continuation bytes.
  size_t code_points = 0;
  for (char byte : name) code_points += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  if (code_points != 1 || !text::IsValidUtf8(name)) {
    return Error(line, "unknown character literal \\" + text::Excerpt(name));
  }
  *out = std::string(name);
  return Status::Ok();
}

std::string_view EdnReader::ReadToken() {
  const size_t start = pos_;
  while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) ++pos_;
  return text_.substr(start, pos_ - start);
}

Status EdnReader::ReadAtom(Json* out) {
  const int64_t line = line_;
  const std::string_view token = ReadToken();
  if (token.empty()) return Error(line, "unexpected character");
  const bool is_number =
      IsDigit(token[0]) ||
      (token.size() > 1 && (token[0] == '-' || token[0] == '+') && IsDigit(token[1]));
  if (is_number) return ReadNumber(token, out);
  if (!text::IsValidUtf8(token)) return Error(line, "symbol or keyword is not valid UTF-8");
  if (token[0] == ':') {
    if (token.size() == 1) return Error(line, "empty keyword ':'");
    *out = std::string(token.substr(1));
  } else if (token == "nil") {
    *out = nullptr;
  } else if (token == "true" || token == "false") {
    *out = token == "true";
  } else {
    *out = std::string(token);
  }
  return Status::Ok();
}

Status EdnReader::ReadNumber(std::string_view token, Json* out) const {
  bool ok = false;
  if (token.back() == 'N') {
    ok = ParseInteger(token.substr(0, token.size() - 1), out);
  } else if (token.back() == 'M') {
    double value = 0;
    ok = ParseDouble(token.substr(0, token.size() - 1), &value);
    if (ok) *out = value;
  } else if (token.find('/') != std::string_view::npos) {
    ok = ParseRatio(token, out);
  } else if (token.find_first_of(".eE") != std::string_view::npos) {
    double value = 0;
    ok = ParseDouble(token, &value);
    if (ok) *out = value;
  } else {
    ok = ParseInteger(token, out);
  }
  if (!ok) return Error(line_, "invalid number \"" + text::Excerpt(token) + "\"");
  return Status::Ok();
}

}  // namespace checker

// Small text helpers shared by the history readers and the run checks: error locations, line
// iteration, UTF-8 validation, and the figures of summaries (Fixed, Seconds, Ms, Percentile).
// Pure functions and a value-type cursor; thread-compatible.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace checker::text {

// "SOURCE:LINE: reason" as an InvalidArgument status; the shape every reader's errors take.
common::Status ErrorAt(const std::string& source, int64_t line, std::string_view reason);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
// Readers check strings before storing them in JSON, whose serialiser rejects bad UTF-8.
bool IsValidUtf8(std::string_view text);

// Appends the UTF-8 encoding of `code_point` (which must be <= 0x10FFFF and not a surrogate).
void AppendUtf8(uint32_t code_point, std::string& out);

// True when `line` holds only spaces, tabs, CR, FF or VT.
bool IsBlank(std::string_view line);

// Removes trailing spaces, tabs, CR, FF and VT.
std::string_view TrimRight(std::string_view line);
std::string_view TrimLeft(std::string_view line);

// `value` with exactly `decimals` decimals ("%.*f"), for summaries: Fixed(0.4271, 3) = "0.427".
std::string Fixed(double value, int decimals);

// Nanoseconds as seconds, and as milliseconds.
inline double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }
inline double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// The p-th percentile (0 < p <= 100) of `sorted` (ascending) by nearest rank; T{} when empty.
template <typename T>
T Percentile(const std::vector<T>& sorted, double p) {
  if (sorted.empty()) return T{};
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// A short, printable excerpt of `text` for messages: at most `max_chars` bytes, with
// non-printable bytes escaped, followed by "..." when cut.
std::string Excerpt(std::string_view text, size_t max_chars = 40);

// Iterates over the lines of a text split at '\n' (a trailing '\r' is kept; callers trim).
// A final line without '\n' is still a line; an empty text has no lines.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}

  // Sets *line to the next line and returns true, or returns false at the end.
  bool Next(std::string_view* line);
  // 1-based number of the line Next returned last.
  int64_t line_number() const { return line_number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_number_ = 0;
};

}  // namespace checker::text

// CHECK(cond) << context;  Aborts with a message when a programmer error or a broken invariant
// is found. Enabled in every build type: a wrong node must stop, not serve wrong data.
#pragma once

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace common {

// Collects the streamed context and aborts when destroyed.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": CHECK failed: " << condition << " ";
  }
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure() {
    std::cerr << stream_.str() << std::endl;
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets `CHECK(c) << x` compile to nothing when c holds: operator& binds looser than <<.
struct CheckVoidify {
  void operator&(std::ostream& /*unused*/) {}
};

}  // namespace common

// NOLINTBEGIN(bugprone-macro-parentheses): the streamed context follows the expansion.
#define CHECK(cond)             \
  (cond) ? static_cast<void>(0) \
         : ::common::CheckVoidify() & ::common::CheckFailure(__FILE__, __LINE__, #cond).stream()
// NOLINTEND(bugprone-macro-parentheses)

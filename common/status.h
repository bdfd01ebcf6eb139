// Status and Result<T>: how expected failures travel across module boundaries.
//
// A Status is either OK or carries a code and a message that names the object, the action and
// the cause ("history.jsonl:12: unknown type \"done\""). Result<T> holds a value or an error
// Status and is shaped like C++23 std::expected, so moving to it later is a rename.
// Both are plain values: cheap to move, safe to copy, not thread-safe to share mutably.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace common {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input: flags, spec files, histories, messages
  kNotFound,
  kIoError,
  kResourceExhausted,  // a budget (time, memory, queue) ran out
  kDeadlineExceeded,
  kUnavailable,
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // A copy of this status whose message starts with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return {code_, context + ": " + message_};
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Keeps the first error of several steps: `first` becomes `status` only while `first` is OK.
inline void KeepFirst(Status& first, const Status& status) {
  if (first.ok() && !status.ok()) first = status;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  bool has_value() const { return ok(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  const Status& error() const { return status_; }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked() {
    if (!value_.has_value()) std::abort();  // reading the value of an error is a bug
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace common

#define SB_CONCAT_INNER(a, b) a##b
#define SB_CONCAT(a, b) SB_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the Status of `expr` from the enclosing function if it failed.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::common::Status sb_status_ = (expr);    \
    if (!sb_status_.ok()) return sb_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates a Result, returns its error or assigns its value.
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration, tmp a name.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SB_CONCAT(sb_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

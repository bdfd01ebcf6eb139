// ErrnoText: the message of an errno value ("No such file or directory"), thread-safe (unlike
// strerror).
#pragma once

#include <string>
#include <system_error>

namespace common {

inline std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace common

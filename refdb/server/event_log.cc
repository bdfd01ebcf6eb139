#include "refdb/server/event_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>

namespace refdb::server {

using common::Result;
using common::Status;

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& path, uint64_t node_id) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(path + ": open: " + std::strerror(errno));
  return std::unique_ptr<EventLog>(new EventLog(fd, path, node_id));
}

EventLog::~EventLog() {
  if (::close(fd_) != 0) std::cerr << path_ << ": close: " << std::strerror(errno) << "\n";
}

Status EventLog::RoleChanged(uint64_t term, std::string_view role, uint64_t leader) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string line =
      "{\"time_ns\":" +
      std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) +
      ",\"node\":" + std::to_string(node_id_) + ",\"term\":" + std::to_string(term) +
      ",\"role\":\"" + std::string(role) + "\",\"leader\":" + std::to_string(leader) + "}\n";
  ssize_t n = 0;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(line.size())) {
    return Status::IoError(path_ + ": write: " + (n < 0 ? std::strerror(errno) : "short write"));
  }
  return Status::Ok();
}

}  // namespace refdb::server

// EventLog: `events.jsonl` in the data dir: one JSON line per role or leader change, appended
// (O_APPEND, one write(2) per line) so the harness can check election safety after a run:
//   {"time_ns":1712345678901234567,"node":1,"term":3,"role":"leader","leader":1}
// time_ns is wall-clock (CLOCK_REALTIME) nanoseconds since the epoch. Lines are not fsynced:
// they survive a process kill (page cache), not a power cut. Not thread-safe (the loop owns it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace refdb::server {

class EventLog {
 public:
  static common::Result<std::unique_ptr<EventLog>> Open(const std::string& path, uint64_t node_id);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  common::Status RoleChanged(uint64_t term, std::string_view role, uint64_t leader);

 private:
  EventLog(int fd, std::string path, uint64_t node_id)
      : fd_(fd), path_(std::move(path)), node_id_(node_id) {}

  int fd_;
  std::string path_;
  uint64_t node_id_;
};

}  // namespace refdb::server

#include "orchestrator/run/diskfs/control_protocol.h"

#include <charconv>
#include <set>
#include <vector>

namespace diskfs {

using common::Result;
using common::Status;

namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(separator, at);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return parts;
}

Result<std::set<nemesis::DiskOp>> ParseOps(std::string_view value) {
  std::set<nemesis::DiskOp> ops;
  if (value == "-") return ops;
  for (std::string_view name : Split(value, ',')) {
    ASSIGN_OR_RETURN(const nemesis::DiskOp op, nemesis::ParseDiskOp(name));
    ops.insert(op);
  }
  return ops;
}

Result<long> ParseCount(std::string_view key, std::string_view value, long max) {
  long number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || number < 0 || number > max) {
    return Status::InvalidArgument(std::string(key) + "=" + std::string(value) +
                                   ": not a whole number in 0.." + std::to_string(max));
  }
  return number;
}

Status ParseWord(std::string_view word, std::set<std::string>& seen, nemesis::DiskFaults& faults) {
  const size_t equals = word.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidArgument("\"" + std::string(word) + "\" is not key=value");
  }
  const std::string key(word.substr(0, equals));
  const std::string_view value = word.substr(equals + 1);
  if (!seen.insert(key).second) return Status::InvalidArgument(key + " given twice");
  if (key == "eio") {
    ASSIGN_OR_RETURN(faults.eio, ParseOps(value));
  } else if (key == "fsync_delay_ms") {
    ASSIGN_OR_RETURN(const long ms, ParseCount(key, value, 600'000));
    faults.fsync_delay = std::chrono::milliseconds(ms);
  } else if (key == "full") {
    ASSIGN_OR_RETURN(const long full, ParseCount(key, value, 1));
    faults.full = full == 1;
  } else {
    return Status::InvalidArgument("unknown key \"" + key +
                                   "\" (known: eio, fsync_delay_ms, full)");
  }
  return Status::Ok();
}

}  // namespace

std::string FormatFaults(const nemesis::DiskFaults& faults) {
  std::string eio;
  for (nemesis::DiskOp op : faults.eio) {
    eio += (eio.empty() ? "" : ",") + std::string(nemesis::DiskOpName(op));
  }
  return "eio=" + (eio.empty() ? std::string("-") : eio) +
         " fsync_delay_ms=" + std::to_string(faults.fsync_delay.count()) +
         " full=" + (faults.full ? "1" : "0");
}

Result<nemesis::DiskFaults> ParseFaults(std::string_view text) {
  nemesis::DiskFaults faults;
  if (text.empty()) return faults;
  std::set<std::string> seen;
  for (std::string_view word : Split(text, ' ')) {
    RETURN_IF_ERROR(ParseWord(word, seen, faults));
  }
  return faults;
}

std::string SocketName(std::string_view run_id, std::string_view name) {
  return "splitbrain-diskfs/" + std::string(run_id) + "/" + std::string(name);
}

}  // namespace diskfs

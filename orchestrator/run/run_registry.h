// The run registry: which runs are alive. Every `splitbrain run` gets a fresh run id (8 lowercase
// hex digits, the label on everything it creates) and registers itself in a small file
// `<registry>/<id>.json` holding its pid and that process's start time. A run whose file is
// gone, or whose pid now belongs to another process (or none), is dead, so `splitbrain
// cleanup` may remove what it left. The registry is /run/splitbrain (a tmpfs: emptied at
// boot, when no run can be alive), or /tmp/splitbrain-runs where /run is not writable.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator {

std::string NewRunId();
bool IsValidRunId(const std::string& id);

// Registers the calling process as run `id` for the object's lifetime.
class RunRegistration {
 public:
  static common::Result<RunRegistration> Create(const std::string& id,
                                                const std::filesystem::path& run_dir);
  ~RunRegistration();
  RunRegistration(RunRegistration&& other) noexcept;
  RunRegistration& operator=(RunRegistration&&) = delete;
  RunRegistration(const RunRegistration&) = delete;
  RunRegistration& operator=(const RunRegistration&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit RunRegistration(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;  // empty once moved from
};

// True when run `id` is registered by a process that is still the one that registered it.
bool IsRunLive(const std::string& id);
// Removes the registration files of dead runs; returns their ids.
std::vector<std::string> ForgetDeadRuns();

// "Start time" of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or -1.
long long ProcessStartTime(int pid);

}  // namespace orchestrator

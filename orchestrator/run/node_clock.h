// Node clocks for the `clock` fault: every node of a run whose faults include `clock` runs under
// libfaketime (Debian's libfaketime package), which reads the node's clock offset from a file
// the harness rewrites while the node runs: ctl/faketime in the node's dir (the backend shows it
// to the node at NodeCtlDir). Only CLOCK_REALTIME moves: the monotonic clock stays real, as on a
// machine whose NTP steps the wall clock. (Faking the monotonic clock too, libfaketime 0.9.10
// stopped refdb's timers entirely: no election in 6 s even at offset +0.) libfaketime re-reads
// the file at most once a second, so a new offset takes effect within a second.
// Programs that read the clock without libc (Go's runtime, so etcd) do not see the offset.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator {

// The libfaketime library this machine has; NotFound naming the package when it has none.
common::Result<std::filesystem::path> FindLibfaketime();

// The environment entries ("NAME=VALUE") that run a node under `library`, reading its offset
// from `ctl_dir` (the path as the node sees it).
std::vector<std::string> ClockEnvironment(const std::filesystem::path& library,
                                          const std::string& ctl_dir);

// The offset file's text for `offset_s` seconds: "+12.500" or "-3.250".
std::string ClockOffsetText(double offset_s);

// Writes the offset of the node whose host ctl dir is `host_ctl_dir` (atomically: a reader sees
// the old offset or the new one).
common::Status WriteClockOffset(const std::filesystem::path& host_ctl_dir, double offset_s);

}  // namespace orchestrator

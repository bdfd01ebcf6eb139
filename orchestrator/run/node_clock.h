// Node clocks for the `clock` and `clock-rate` faults: every node of a run whose faults include
// one runs under libfaketime (Debian's libfaketime package), which reads the node's clock offset
// from a file the harness rewrites while the node runs: ctl/faketime in the node's dir (the
// backend shows it to the node at NodeCtlDir). A rate is an offset the harness drifts ten times a
// second. libfaketime moves CLOCK_REALTIME only (faking the monotonic clock too, libfaketime
// 0.9.10 on glibc 2.36 never returns from a timed condition-variable wait, even at offset +0 and
// with FAKETIME_FORCE_MONOTONIC_FIX: refdb's timers stopped). libfaketime re-reads the file at
// most once a second, so a new offset takes effect within a second.
// Every such node also runs under libsplitbrain-clock.so (clockshim/), in front of libfaketime:
// its monotonic clocks, and the waits on them, run at the rate in ctl/monotonic, which takes
// effect at once and never jumps (a step moves the wall clock only, as NTP steps do); and its
// futex waits on the wall clock (abseil's, so gRPC's) get real deadlines, which libfaketime alone
// leaves offset (a node 2 s behind spun in every gRPC timer wait).
// Programs that read the clock without libc (Go's runtime, so etcd) do not see the offset.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "orchestrator/run/clockshim/control_file.h"

namespace orchestrator {

// The libfaketime library this machine has; NotFound naming the package when it has none.
common::Result<std::filesystem::path> FindLibfaketime();

// The environment entries ("NAME=VALUE") that run a node under `library`, reading its offset
// from `ctl_dir` (the path as the node sees it).
std::vector<std::string> ClockEnvironment(const std::filesystem::path& library,
                                          const std::string& ctl_dir);

// libsplitbrain-clock.so beside the splitbrain binary; NotFound naming the target when missing.
common::Result<std::filesystem::path> FindClockShim();

// ClockEnvironment with `shim` preloaded in front of libfaketime, reading ctl_dir/monotonic.
std::vector<std::string> ScaledClockEnvironment(const std::filesystem::path& libfaketime,
                                                const std::filesystem::path& shim,
                                                const std::string& ctl_dir);

// Creates host_ctl_dir/monotonic at rate 1 (the node starts on the real monotonic clock).
common::Status CreateMonotonicControl(const std::filesystem::path& host_ctl_dir);

// The offset file's text for `offset_s` seconds: "+12.500" or "-3.250".
std::string ClockOffsetText(double offset_s);

// Writes the offset of the node whose host ctl dir is `host_ctl_dir` (atomically: a reader sees
// the old offset or the new one).
common::Status WriteClockOffset(const std::filesystem::path& host_ctl_dir, double offset_s);

// NodeClocks: each node's wall-clock offset as the clock faults want it: a step (SetOffset) plus
// what a rate (SetRate) has drifted since it was set. A thread rewrites the offset file of every
// node whose rate is not 1 every 100 ms; libfaketime reads it at most once a second, so such a
// node's clock runs at the rate in steps of about (rate - 1) s each second. Setting the rate back
// to 1 takes the drift back too (the clock is real again, as after NTP steps it). SetRate also
// sets the node's monotonic control block (ctl/monotonic), which a node under the clock shim
// follows at once; its monotonic clock keeps what it ran ahead or behind. Thread-safe.
class NodeClocks {
 public:
  // `ctl_dir(node)`: the host dir node reads its offset file from.
  explicit NodeClocks(std::function<std::filesystem::path(int node)> ctl_dir);
  NodeClocks(const NodeClocks&) = delete;
  NodeClocks& operator=(const NodeClocks&) = delete;
  ~NodeClocks();

  common::Status SetOffset(int node, double offset_s);
  common::Status SetRate(int node, double rate);

 private:
  struct State {
    double offset_s = 0;
    double rate = 1;
    double drift_s = 0;  // drifted before `since`
    std::chrono::steady_clock::time_point since;
  };
  double OffsetNow(const State& state, std::chrono::steady_clock::time_point now) const;
  void Loop();

  std::function<std::filesystem::path(int)> ctl_dir_;
  common::Mutex mutex_;
  common::CondVar wake_;
  std::map<int, State> nodes_ GUARDED_BY(mutex_);
  std::map<int, clockshim::ControlFile> monotonic_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace orchestrator

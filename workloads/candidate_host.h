// CandidateHost: where the election workload's candidate programs (splitbrain-candidate) run.
// The workload starts and owns each program (RAII: it is stopped, and killed if it must be, on
// every way out of the workload); the host says where each runs (its own network namespace on
// the netns backend, libfaketime when the run moves clocks, the run id in its environment) and
// hears which pid each has, so the nemesis can freeze and probe it. Implementations must be
// thread-safe (the workload reports from its candidates' threads).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace workloads {

struct CandidatePlace {
  std::optional<std::filesystem::path> netns_path;  // empty: this process's namespace
  std::vector<std::string> env;   // "NAME=VALUE" on top of this process's environment
  std::filesystem::path log_dir;  // its stderr (candidate-<c>.log) and its own JSONL log
};

class CandidateHost {
 public:
  virtual ~CandidateHost() = default;
  // Where candidate `candidate` (1..K) runs.
  virtual common::Result<CandidatePlace> Place(int candidate) = 0;
  // Its program runs as `pid` (the leader of its own process group) / has ended.
  virtual void Started(int candidate, pid_t pid) = 0;
  virtual void Ended(int candidate) = 0;
};

}  // namespace workloads

// Workload: K concurrent logical clients that drive a database through DbClient and record
// every operation (invoke, then ok / fail / info) in the run's history. Client process numbers
// are 0..K-1 (a client that must start over after an info gets a fresh number, as in Jepsen,
// so each process has at most one open operation). Run returns when `stop` is set (or the
// workload's own end); Finish runs after the cluster is healed (the set workload's final reads).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/model.h"
#include "common/status.h"
#include "workloads/candidate_host.h"
#include "workloads/db.h"
#include "workloads/history_writer.h"

namespace workloads {

// The workloads, a closed set (--workload names them).
enum class WorkloadKind { kRegister, kSet, kElection };

// "register", "set", "election".
std::string_view WorkloadKindName(WorkloadKind kind);
// The kind `name` names; InvalidArgument naming the choices otherwise.
common::Result<WorkloadKind> ParseWorkloadKind(std::string_view name);

// The checks a workload's history calls for, beyond those every run gets (faults, election
// safety, failover, split without majority, convergence, liveness, stats).
struct WorkloadChecks {
  // The model its client operations are linearizable against; nullopt: none (the set's adds).
  std::optional<checker::ModelKind> linearizable;
  bool set = false;      // adds and final reads (checker/set_check.h)
  bool lease = false;    // lease-config and tenure events (checker/lease_check.h)
  bool fencing = false;  // tokens of the protected key's writes (checker/fencing_check.h)
};

struct WorkloadOptions {
  int concurrency = 10;  // K clients (election: K candidates)
  double rate = 0;       // total ops per second over all clients; 0: as fast as they go
  uint64_t seed = 1;
  std::vector<std::string> endpoints;  // host:port of every node, index i-1 for node i
  std::chrono::milliseconds call_deadline{1000};
  // election: the lease, after Kubernetes' leader election (15 s / 10 s / 2 s), scaled down.
  int64_t lease_ms = 1000;
  int64_t renew_deadline_ms = 600;
  int64_t retry_ms = 100;
  // election: every leader write to the protected key carries the lease's token and the
  // database refuses stale ones (lease_candidate.h).
  bool fencing = false;
  // election: the candidate program (splitbrain-candidate), and where its processes run
  // (nullptr: in this process's namespace, logs in candidate_log_dir).
  std::filesystem::path candidate_program;
  CandidateHost* candidate_host = nullptr;
  std::filesystem::path candidate_log_dir;
};

// Live counters for the progress line (read by another thread).
struct WorkloadCounters {
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> fail{0};
  std::atomic<int64_t> info{0};
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual WorkloadKind kind() const = 0;
  std::string_view name() const { return WorkloadKindName(kind()); }
  // What its history is checked for.
  virtual WorkloadChecks checks() const = 0;
  virtual common::Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
                             WorkloadCounters& counters) = 0;
  virtual common::Status Finish(const Db& db, HistoryWriter& history) = 0;
};

// InvalidArgument for options it cannot run with (no endpoints, concurrency below 1).
common::Result<std::unique_ptr<Workload>> MakeWorkload(WorkloadKind kind,
                                                       const WorkloadOptions& options);

}  // namespace workloads

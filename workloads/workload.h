// Workload: K concurrent logical clients that drive a database through DbClient and record
// every operation (invoke, then ok / fail / info) in the run's history. Client process numbers
// are 0..K-1 (a client that must start over after an info gets a fresh number, as in Jepsen,
// so each process has at most one open operation). Run returns when `stop` is set (or the
// workload's own end); Finish runs after the cluster is healed (the set workload's final reads).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "workloads/db.h"
#include "workloads/history_writer.h"

namespace workloads {

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
  virtual std::string_view name() const = 0;
  // The checker model for its client ops ("cas-register"), or "" when it has none.
  virtual std::string_view model() const = 0;
  virtual common::Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
                             WorkloadCounters& counters) = 0;
  virtual common::Status Finish(const Db& db, HistoryWriter& history) = 0;
};

// "register", "set" or "election"; InvalidArgument names the choices.
common::Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name,
                                                       const WorkloadOptions& options);

}  // namespace workloads

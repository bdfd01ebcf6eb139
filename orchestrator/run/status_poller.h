// StatusPoller: samples every node's role, term and leader every `interval` (50 ms by default)
// into the history as `{"process":"status","type":"info","f":"status","value":{"node":1,
// "role":"leader","term":3,"leader":1,"commit":10,"applied":10,"digest":"5f0c...",
// "clock_offset_ms":0}}`, or `"value":{"node":1,"error":"..."}` when the node does not answer
// within the interval. `digest` (16 hex digits) and `clock_offset_ms` (the node's wall clock
// minus this process's, at the middle of the call) appear when the database reports them. One
// thread per node, so a dead or frozen node never delays the others' samples. Latest() tells the
// progress line who leads. Start and Stop are called by one thread; Latest is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "workloads/db.h"
#include "workloads/history_writer.h"

namespace orchestrator {

struct ClusterView {
  int leader = 0;  // node number (1-based) of the highest-term node reporting itself leader; 0
  uint64_t term = 0;
  int answering = 0;  // nodes whose latest sample succeeded
};

class StatusPoller {
 public:
  StatusPoller(const workloads::Db& db, std::vector<std::string> endpoints,
               workloads::HistoryWriter& history,
               std::chrono::milliseconds interval = std::chrono::milliseconds(50));
  ~StatusPoller();
  StatusPoller(const StatusPoller&) = delete;
  StatusPoller& operator=(const StatusPoller&) = delete;

  void Start();
  void Stop();  // joins every thread; idempotent
  ClusterView Latest() const;
  int64_t samples() const { return samples_.load(); }

 private:
  struct Sample {
    bool ok = false;
    std::string role;
    uint64_t term = 0;
  };
  void Poll(int node);

  const workloads::Db& db_;
  const std::vector<std::string> endpoints_;
  workloads::HistoryWriter& history_;
  const std::chrono::milliseconds interval_;
  const bool reports_applied_;  // DbTraits::reports_applied
  mutable common::Mutex mu_;
  common::CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<Sample> latest_ GUARDED_BY(mu_);  // index node-1
  std::atomic<int64_t> samples_{0};
  std::vector<std::thread> threads_;
};

// Polls until some node reports itself leader and a majority of the nodes agree on it (same
// leader id), then returns its node number; DeadlineExceeded (naming what each node said last)
// when `timeout` passes first. `still_ok` is asked every round (e.g. "are the nodes still
// running?"); its error ends the wait at once.
common::Result<int> WaitForLeader(const workloads::Db& db,
                                  const std::vector<std::string>& endpoints,
                                  std::chrono::milliseconds timeout,
                                  const std::function<common::Status()>& still_ok);

}  // namespace orchestrator

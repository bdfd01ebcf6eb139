// Recorder and RateLimiter: what every workload's client threads share. Recorder writes an
// operation's invoke and its completion (ok / fail / info) to the history and counts the
// completions; RateLimiter spaces the operations of all clients to a total rate.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "checker/history.h"
#include "common/mutex.h"
#include "workloads/db.h"
#include "workloads/history_writer.h"
#include "workloads/workload.h"

namespace workloads {

class Recorder {
 public:
  Recorder(HistoryWriter& history, WorkloadCounters& counters)
      : history_(history), counters_(counters) {}

  // Records an invoke; returns its event (time_ns is the invoke time).
  checker::Event Invoke(int64_t process, const std::string& f, const checker::Json& key,
                        const checker::Json& value, const checker::Json& extra = nullptr) {
    return history_.Append({.process = checker::Process::Client(process),
                            .type = checker::EventType::kInvoke,
                            .f = f,
                            .key = key,
                            .value = value,
                            .extra = extra});
  }

  checker::Event Complete(int64_t process, Outcome outcome, const std::string& f,
                          const checker::Json& key, const checker::Json& value,
                          const std::string& error = "", checker::Json extra = nullptr) {
    checker::EventType type = checker::EventType::kOk;
    switch (outcome) {
      case Outcome::kOk:
        counters_.ok.fetch_add(1, std::memory_order_relaxed);
        break;
      case Outcome::kFail:
        type = checker::EventType::kFail;
        counters_.fail.fetch_add(1, std::memory_order_relaxed);
        break;
      case Outcome::kInfo:
        type = checker::EventType::kInfo;
        counters_.info.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    if (!error.empty()) {
      if (!extra.is_object()) extra = checker::Json::object();
      extra["error"] = error;
    }
    return history_.Append({.process = checker::Process::Client(process),
                            .type = type,
                            .f = f,
                            .key = key,
                            .value = value,
                            .extra = std::move(extra)});
  }

  void Note(const std::string& process, const std::string& f, checker::Json value) {
    history_.Append({.process = checker::Process::Named(process),
                     .type = checker::EventType::kInfo,
                     .f = f,
                     .value = std::move(value)});
  }

  HistoryWriter& history() { return history_; }
  WorkloadCounters& counters() { return counters_; }

 private:
  HistoryWriter& history_;
  WorkloadCounters& counters_;
};

// One client per logical client process, all connected before the first operation.
inline common::Result<std::vector<std::unique_ptr<DbClient>>> ConnectClients(
    const Db& db, const WorkloadOptions& options) {
  std::vector<std::unique_ptr<DbClient>> clients;
  clients.reserve(options.concurrency);
  for (int i = 0; i < options.concurrency; ++i) {
    ASSIGN_OR_RETURN(auto client, db.Connect({.endpoints = options.endpoints,
                                              .call_deadline = options.call_deadline}));
    clients.push_back(std::move(client));
  }
  return clients;
}

// Hands out evenly spaced start times to all clients together: `rate` ops/s in total (0: no
// limit). Wait returns false when `stop` was set while waiting.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : rate_(rate) {}

  bool Wait(const std::atomic<bool>& stop) {
    if (rate_ <= 0) return !stop;
    const auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate_));
    std::chrono::steady_clock::time_point slot;
    {
      common::MutexLock lock(mu_);
      const auto now = std::chrono::steady_clock::now();
      next_ = std::max(next_, now - gap * 10);  // a burst of at most 10 after a stall
      slot = next_;
      next_ += gap;
    }
    while (!stop) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= slot) return true;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(slot - now, std::chrono::milliseconds(50)));
    }
    return false;
  }

 private:
  const double rate_;
  common::Mutex mu_;
  std::chrono::steady_clock::time_point next_ GUARDED_BY(mu_){};
};

}  // namespace workloads

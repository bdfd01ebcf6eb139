// The set workload, the durability check: clients add unique integers (client c adds c, c+K,
// c+2K, ...), each as its own key `s<element>`, recorded as `add` ops. Finish runs after the
// cluster is healed: for every node, once it has applied everything the leader committed, a
// local read of every attempted element from that replica alone, recorded as one
// `final-read` op per node (extra field `node`) whose value is the sorted list of elements
// present. The set check then finds lost (acknowledged, absent), unexpected and recovered
// elements. Without --rate the adds are limited to kDefaultRate per second, so the final
// reads stay short.
#include "workloads/set_workload.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "workloads/recorder.h"

namespace workloads {
namespace {

using checker::Json;

constexpr double kDefaultRate = 200;
constexpr auto kCatchUpTimeout = std::chrono::seconds(20);

class SetWorkload final : public Workload {
 public:
  explicit SetWorkload(WorkloadOptions options) : options_(std::move(options)) {}

  WorkloadKind kind() const override { return WorkloadKind::kSet; }
  // Adds are not register operations: the set check judges them.
  WorkloadChecks checks() const override { return {.set = true}; }

  common::Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
                     WorkloadCounters& counters) override {
    const int k = options_.concurrency;
    Recorder recorder(history, counters);
    RateLimiter limiter(options_.rate > 0 ? options_.rate : kDefaultRate);
    ASSIGN_OR_RETURN(auto clients, ConnectClients(db, options_));
    std::vector<std::vector<int64_t>> attempted(k);
    std::vector<int64_t> last_process(k);
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (int t = 0; t < k; ++t) {
      threads.emplace_back([&, t] {
        int64_t process = t;
        for (int64_t element = t; limiter.Wait(stop); element += k) {
          attempted[t].push_back(element);
          recorder.Invoke(process, "add", nullptr, element);
          auto a = clients[t]->Write("s" + std::to_string(element), "1");
          recorder.Complete(process, a.outcome, "add", nullptr, element, a.error);
          if (a.outcome == Outcome::kInfo) process += k;
        }
        last_process[t] = process;
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const auto& list : attempted) elements_.insert(elements_.end(), list.begin(), list.end());
    std::sort(elements_.begin(), elements_.end());
    max_process_ = *std::max_element(last_process.begin(), last_process.end());
    counters_ = &counters;
    return common::Status::Ok();
  }

  common::Status Finish(const Db& db, HistoryWriter& history) override {
    WorkloadCounters unused;
    Recorder recorder(history, counters_ != nullptr ? *counters_ : unused);
    const int nodes = static_cast<int>(options_.endpoints.size());
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (int n = 1; n <= nodes; ++n) {
      threads.emplace_back([&, n] { FinalRead(db, recorder, n); });
    }
    for (std::thread& thread : threads) thread.join();
    return common::Status::Ok();
  }

 private:
  // Waits until node n has applied the highest commit index any node reports.
  std::string WaitCaughtUp(const Db& db, int n) {
    const auto deadline = std::chrono::steady_clock::now() + kCatchUpTimeout;
    std::string last = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
      uint64_t commit = 0;
      for (const std::string& endpoint : options_.endpoints) {
        auto s = db.Status(endpoint, std::chrono::milliseconds(500));
        if (s.ok()) commit = std::max(commit, s->commit_index);
      }
      auto mine = db.Status(options_.endpoints[n - 1], std::chrono::milliseconds(500));
      if (mine.ok() && commit > 0 && mine->applied_index >= commit) return "";
      last = mine.ok() ? "applied " + std::to_string(mine->applied_index) + " of " +
                             std::to_string(commit)
                       : mine.status().message();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "did not catch up within 20 s: " + last;
  }

  void FinalRead(const Db& db, Recorder& recorder, int n) {
    const int64_t process = max_process_ + options_.concurrency + n;
    const Json extra = {{"node", n}};
    recorder.Invoke(process, "final-read", nullptr, nullptr, extra);
    std::string error = WaitCaughtUp(db, n);
    Json present = Json::array();
    if (error.empty()) {
      auto client =
          db.Connect({.endpoints = options_.endpoints, .call_deadline = options_.call_deadline});
      if (!client.ok()) error = client.status().message();
      for (size_t i = 0; error.empty() && i < elements_.size(); ++i) {
        const int64_t element = elements_[i];
        Answer<std::optional<std::string>> a;
        for (int attempt = 0; attempt < 3; ++attempt) {
          a = (*client)->ReadLocal(options_.endpoints[n - 1], "s" + std::to_string(element));
          if (a.outcome == Outcome::kOk) break;
        }
        if (a.outcome != Outcome::kOk) {
          error = "reading s" + std::to_string(element) + ": " + a.error;
        } else if (a.value.has_value()) {
          present.push_back(element);
        }
      }
    }
    // A failed final read is a read: it had no effect, so `fail` is exact.
    recorder.Complete(process, error.empty() ? Outcome::kOk : Outcome::kFail, "final-read", nullptr,
                      error.empty() ? present : Json(nullptr), error, extra);
  }

  WorkloadOptions options_;
  std::vector<int64_t> elements_;
  int64_t max_process_ = 0;
  WorkloadCounters* counters_ = nullptr;
};

}  // namespace

std::unique_ptr<Workload> MakeSetWorkload(const WorkloadOptions& options) {
  return std::make_unique<SetWorkload>(options);
}

}  // namespace workloads

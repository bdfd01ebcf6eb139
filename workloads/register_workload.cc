// The register workload (the default), after Jepsen's independent workloads: clients work in
// groups of up to 5 on one key `r<n>` with a random mix of read, write and cas of small
// integers; after kOpsPerKey operations on a key the group moves to a fresh key, so every
// key's history stays small enough to check quickly. Recorded as the cas-register model reads
// it: read -> value or null (absent), write v, cas [old new] -> ok, or ok with `false` when
// the compare did not match (an observation, not a fail).
#include "workloads/register_workload.h"

#include <charconv>
#include <random>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "workloads/recorder.h"

namespace workloads {
namespace {

using checker::Json;

constexpr int kGroupSize = 5;
constexpr int kOpsPerKey = 150;
constexpr int kValues = 5;  // values 0..4: cas often matches

struct Group {
  common::Mutex mu;
  int64_t key GUARDED_BY(mu) = 0;
  int ops GUARDED_BY(mu) = 0;
};

Json DecodeValue(const std::optional<std::string>& stored) {
  if (!stored.has_value()) return nullptr;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), v);
  if (ec == std::errc() && end == stored->data() + stored->size()) return v;
  return *stored;  // not ours: recorded as it is, so the checker sees the anomaly
}

class RegisterWorkload final : public Workload {
 public:
  explicit RegisterWorkload(WorkloadOptions options) : options_(std::move(options)) {}

  WorkloadKind kind() const override { return WorkloadKind::kRegister; }
  WorkloadChecks checks() const override {
    return {.linearizable = checker::ModelKind::kCasRegister};
  }

  common::Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
                     WorkloadCounters& counters) override {
    const int k = options_.concurrency;
    const int groups = (k + kGroupSize - 1) / kGroupSize;
    std::vector<Group> group_state(groups);
    for (int g = 0; g < groups; ++g) {
      common::MutexLock lock(group_state[g].mu);
      group_state[g].key = g;
    }
    std::atomic<int64_t> next_key{groups};
    Recorder recorder(history, counters);
    RateLimiter limiter(options_.rate);
    ASSIGN_OR_RETURN(auto clients, ConnectClients(db, options_));
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (int t = 0; t < k; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(options_.seed * 1000003 + t);
        int64_t process = t;
        Group& group = group_state[t % groups];
        while (limiter.Wait(stop)) {
          int64_t key_number;
          {
            common::MutexLock lock(group.mu);
            key_number = group.key;
          }
          const Json key = "r" + std::to_string(key_number);
          const std::string db_key = key.get<std::string>();
          const int choice = static_cast<int>(rng() % 4);  // read 2/4, write 1/4, cas 1/4
          Outcome outcome;
          if (choice <= 1) {
            recorder.Invoke(process, "read", key, nullptr);
            auto a = clients[t]->Read(db_key);
            outcome = a.outcome;
            recorder.Complete(process, a.outcome, "read", key,
                              a.outcome == Outcome::kOk ? DecodeValue(a.value) : Json(nullptr),
                              a.error);
          } else if (choice == 2) {
            const auto v = static_cast<int64_t>(rng() % kValues);
            recorder.Invoke(process, "write", key, v);
            auto a = clients[t]->Write(db_key, std::to_string(v));
            outcome = a.outcome;
            recorder.Complete(process, a.outcome, "write", key, v, a.error);
          } else {
            const auto from = static_cast<int64_t>(rng() % kValues);
            const auto to = static_cast<int64_t>(rng() % kValues);
            recorder.Invoke(process, "cas", key, Json::array({from, to}));
            auto a = clients[t]->Cas(db_key, std::to_string(from), std::to_string(to));
            outcome = a.outcome;
            const Json out = a.outcome == Outcome::kOk && !a.value.succeeded
                                 ? Json(false)
                                 : Json::array({from, to});
            recorder.Complete(process, a.outcome, "cas", key, out, a.error);
          }
          // After an info the op may still take effect: continue as a new process (Jepsen).
          if (outcome == Outcome::kInfo) process += k;
          common::MutexLock lock(group.mu);
          if (group.key == key_number && ++group.ops >= kOpsPerKey) {
            group.key = next_key.fetch_add(1);
            group.ops = 0;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return common::Status::Ok();
  }

  common::Status Finish(const Db&, HistoryWriter&) override { return common::Status::Ok(); }

 private:
  WorkloadOptions options_;
};

}  // namespace

std::unique_ptr<Workload> MakeRegisterWorkload(const WorkloadOptions& options) {
  return std::make_unique<RegisterWorkload>(options);
}

}  // namespace workloads

// The election workload: K candidates compete for one lease key the way Kubernetes
// controllers elect a leader on etcd (client-go's leaderelection): every retry period a
// candidate that holds the lease renews it with a CAS (its last value -> a new unique value
// "<candidate>:<counter>"); one that does not reads the lease and, when the key is absent or
// its value has not changed for the lease duration (on the candidate's own observation clock),
// tries to acquire it with a CAS. A holder stops believing it leads once the renew deadline
// has passed since its last successful renew (or acquire) was invoked, or at once when a CAS
// shows another holder.
//
// Recorded: every lease op as a register op on key "lease" (so the lease history is also
// checked for linearizability); at start one `lease-config` event; for each tenure, when it
// ends, `{"process":"election","f":"tenure","value":{"candidate":c,"start_ns":S,"end_ns":E}}`
// with S the time the acquiring CAS returned ok and E = min(step-down, last successful renew
// or acquire invoke + renew deadline). Safety: renew deadline < lease duration makes tenures
// disjoint, because a rival waits a full lease duration after seeing the holder's last write.
#include "workloads/election_workload.h"

#include <thread>
#include <vector>

#include "checker/lease_check.h"
#include "workloads/recorder.h"

namespace workloads {
namespace {

using checker::Json;

struct LeaseTiming {
  int64_t lease_ns;
  int64_t renew_deadline_ns;
  int64_t retry_ns;
};

class Candidate {
 public:
  Candidate(int id, int candidates, LeaseTiming timing, DbClient& client, Recorder& recorder)
      : id_(id),
        k_(candidates),
        timing_(timing),
        client_(client),
        recorder_(recorder),
        process_(id) {}

  void Run(const std::atomic<bool>& stop) {
    while (!stop) {
      const int64_t start = recorder_.history().NowNs();
      Step();
      const int64_t wake = start + timing_.retry_ns;
      while (!stop && recorder_.history().NowNs() < wake) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (holding_) EndTenure(recorder_.history().NowNs());
  }

 private:
  Json LeaseValue(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

  void EndTenure(int64_t when) {
    const int64_t end = std::min(when, last_renew_invoke_ + timing_.renew_deadline_ns);
    recorder_.Note(checker::kLeaseProcess, "tenure",
                   {{"candidate", id_}, {"start_ns", tenure_start_}, {"end_ns", end}});
    holding_ = false;
  }

  // One CAS of the lease, recorded; returns the answer and sets invoke/complete times.
  Answer<CasResult> CasLease(const std::optional<std::string>& from, const std::string& to,
                             int64_t& invoked, int64_t& completed) {
    const Json input = Json::array({LeaseValue(from), to});
    invoked = recorder_.Invoke(process_, "cas", "lease", input).time_ns;
    auto a = client_.Cas("lease", from, to);
    const Json out = a.outcome == Outcome::kOk && !a.value.succeeded ? Json(false) : input;
    completed = recorder_.Complete(process_, a.outcome, "cas", "lease", out, a.error).time_ns;
    if (a.outcome == Outcome::kInfo) process_ += k_;
    return a;
  }

  std::string NextValue() { return std::to_string(id_) + ":" + std::to_string(++counter_); }

  void Step() {
    int64_t now = recorder_.history().NowNs();
    if (holding_ && now > last_renew_invoke_ + timing_.renew_deadline_ns) EndTenure(now);
    if (holding_) {
      const std::string next = NextValue();
      int64_t invoked = 0, completed = 0;
      auto a = CasLease(my_value_, next, invoked, completed);
      if (a.outcome == Outcome::kOk && a.value.succeeded) {
        if (completed <= last_renew_invoke_ + timing_.renew_deadline_ns) {
          last_renew_invoke_ = invoked;
          my_value_ = next;
        } else {
          EndTenure(completed);  // renewed, but only after the belief had to end
        }
      } else if (a.outcome == Outcome::kOk) {
        EndTenure(completed);  // the compare failed: someone else holds it
      }
      return;
    }
    recorder_.Invoke(process_, "read", "lease", nullptr);
    auto read = client_.Read("lease");
    now = recorder_
              .Complete(process_, read.outcome, "read", "lease",
                        read.outcome == Outcome::kOk ? LeaseValue(read.value) : Json(nullptr),
                        read.error)
              .time_ns;
    if (read.outcome == Outcome::kInfo) process_ += k_;
    if (read.outcome != Outcome::kOk) return;
    if (!observed_valid_ || read.value != observed_) {
      observed_ = read.value;
      observed_since_ = now;
      observed_valid_ = true;
    }
    if (observed_.has_value() && now - observed_since_ < timing_.lease_ns) return;
    const std::string next = NextValue();
    int64_t invoked = 0, completed = 0;
    auto a = CasLease(observed_, next, invoked, completed);
    if (a.outcome == Outcome::kOk && a.value.succeeded &&
        completed <= invoked + timing_.renew_deadline_ns) {
      holding_ = true;
      tenure_start_ = completed;
      last_renew_invoke_ = invoked;
      my_value_ = next;
    }
  }

  const int id_;
  const int k_;
  const LeaseTiming timing_;
  DbClient& client_;
  Recorder& recorder_;
  int64_t process_;
  int64_t counter_ = 0;
  bool holding_ = false;
  std::optional<std::string> my_value_;
  int64_t tenure_start_ = 0;
  int64_t last_renew_invoke_ = 0;
  bool observed_valid_ = false;
  std::optional<std::string> observed_;
  int64_t observed_since_ = 0;
};

class ElectionWorkload final : public Workload {
 public:
  explicit ElectionWorkload(WorkloadOptions options) : options_(std::move(options)) {}

  WorkloadKind kind() const override { return WorkloadKind::kElection; }
  // Lease ops are register ops on one key; the tenures are the lease check's.
  WorkloadChecks checks() const override {
    return {.linearizable = checker::ModelKind::kCasRegister, .lease = true};
  }

  common::Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
                     WorkloadCounters& counters) override {
    const int k = options_.concurrency;
    const LeaseTiming timing{.lease_ns = options_.lease_ms * 1'000'000,
                             .renew_deadline_ns = options_.renew_deadline_ms * 1'000'000,
                             .retry_ns = options_.retry_ms * 1'000'000};
    if (timing.renew_deadline_ns >= timing.lease_ns) {
      return common::Status::InvalidArgument(
          "election: the renew deadline must be shorter than the lease duration");
    }
    Recorder recorder(history, counters);
    recorder.Note(checker::kLeaseProcess, "lease-config",
                  {{"lease_ms", options_.lease_ms},
                   {"renew_deadline_ms", options_.renew_deadline_ms},
                   {"retry_ms", options_.retry_ms},
                   {"candidates", k}});
    ASSIGN_OR_RETURN(auto clients, ConnectClients(db, options_));
    std::vector<std::unique_ptr<Candidate>> candidates;
    candidates.reserve(k);
    for (int c = 0; c < k; ++c) {
      candidates.push_back(std::make_unique<Candidate>(c, k, timing, *clients[c], recorder));
    }
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (auto& candidate : candidates) {
      threads.emplace_back([&stop, &candidate] { candidate->Run(stop); });
    }
    for (std::thread& thread : threads) thread.join();
    return common::Status::Ok();
  }

  common::Status Finish(const Db&, HistoryWriter&) override { return common::Status::Ok(); }

 private:
  WorkloadOptions options_;
};

}  // namespace

std::unique_ptr<Workload> MakeElectionWorkload(const WorkloadOptions& options) {
  return std::make_unique<ElectionWorkload>(options);
}

}  // namespace workloads

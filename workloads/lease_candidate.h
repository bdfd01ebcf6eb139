// LeaseCandidate: one Kubernetes-style lease candidate (client-go's leaderelection), the logic
// the `splitbrain-candidate` program runs, one process per candidate. Every retry period Step
// does one round:
//
//   holder      first acts as the leader it believes it is: one write to the protected key
//               `fenced` ("<token>:<candidate>:<n>"), on the belief its last round left (a
//               controller's work runs beside its renew loop, not after it); then, when its
//               wall clock says the renew deadline has passed since its last successful renew
//               was invoked, it stops believing; otherwise it renews with a CAS of the lease.
//   other       reads the lease; when it is absent, or has shown the same value for a whole
//               lease duration on this candidate's wall clock, tries to take it with a CAS.
//
// The lease value is "<token>:<candidate>:<counter>": taking the lease increments the token (the
// fencing token, the lease's generation), a renew keeps it. With `fencing`, the protected key
// is written only with a CAS from the value this candidate last saw there, and never over a
// larger token; a new holder first moves the protected key to its own token (so every older
// holder's CAS fails from then on) and only then believes it leads. Without fencing, the writes
// are plain writes: a holder that was frozen (SIGSTOP) and wakes up writes once more on its old
// belief, after a rival took over: the split brain of client-side lease election.
//
// Decisions use the wall clock (a clock fault moves it); every event is stamped with the
// monotonic clock, which the harness trusts and relates to the history's (both are
// CLOCK_MONOTONIC), with the local wall time beside it (`extra.wall_ns`).
//
// Events (checker::Event, through CandidateSink): each lease and protected-key operation as an
// invoke and a completion of client process `process` (candidate c starts as c - 1 and moves on
// by K after an info, as Jepsen's clients do), and per tenure one
// `{"process":"election","f":"tenure","value":{"candidate":c,"start_ns":S,"end_ns":E,
// "token":T}}` on the monotonic clock: S when it started to believe it leads, E the last moment
// it did (its last act as leader, or its renew deadline projected on the monotonic clock,
// whichever is later). Not thread-safe: one thread drives it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checker/fencing_check.h"
#include "checker/history.h"
#include "common/status.h"
#include "workloads/db.h"

namespace workloads {

// The key the lease lives in, and the key only a leader writes (the fencing check's).
inline constexpr char kLeaseKey[] = "lease";
using checker::kFencedKey;

// A candidate's clocks, in nanoseconds.
class CandidateClocks {
 public:
  virtual ~CandidateClocks() = default;
  virtual int64_t WallNs() = 0;  // CLOCK_REALTIME: what the candidate decides by
  virtual int64_t MonoNs() = 0;  // CLOCK_MONOTONIC: the stamps
};

// Where a candidate's events go.
class CandidateSink {
 public:
  virtual ~CandidateSink() = default;
  // Records `event`. For an invoke it returns only once the harness has recorded it, so the
  // operation cannot take effect before its invoke is in the history; an error there (the
  // harness said stop, or is gone) means the operation must not be sent.
  virtual common::Status Emit(const checker::Event& event) = 0;
};

struct LeaseCandidateOptions {
  int candidate = 1;  // 1..candidates
  int candidates = 1;
  int64_t lease_ns = 1'000'000'000;
  int64_t renew_deadline_ns = 600'000'000;
  int64_t retry_ns = 100'000'000;
  bool fencing = false;
};

// "<token>:<candidate>:<n>" -> token / candidate; nullopt for anything else.
std::optional<int64_t> TokenOf(const std::string& value);
std::optional<int> HolderOf(const std::string& value);

class LeaseCandidate {
 public:
  // `client`, `sink` and `clocks` must outlive the candidate.
  LeaseCandidate(LeaseCandidateOptions options, DbClient& client, CandidateSink& sink,
                 CandidateClocks& clocks);

  // One round (see above). An error only when the sink failed (the harness is gone).
  common::Status Step();
  // Ends a tenure in progress (the candidate is told to stop).
  common::Status Finish();
  bool holding() const { return holding_; }

 private:
  struct Stamp {
    int64_t mono_ns = 0;
    int64_t wall_ns = 0;
  };
  template <typename T>
  struct Done {
    Answer<T> answer;
    Stamp invoked;
    Stamp completed;
  };

  Stamp Now();
  common::Status Emit(checker::Event event, Stamp at);
  common::Result<Done<CasResult>> Cas(const std::string& key,
                                      const std::optional<std::string>& from,
                                      const std::string& to);
  common::Result<Done<std::optional<std::string>>> Read(const std::string& key);
  common::Result<Done<bool>> Write(const std::string& key, const std::string& value);
  void Completed(Outcome outcome);

  common::Status Lead();
  common::Status Work();
  common::Status Renew();
  common::Status Observe();
  common::Status Acquire();
  // Moves the protected key to this candidate's token; true once it holds it.
  common::Result<bool> RaiseFence();
  common::Status EndTenure(Stamp noticed);
  std::string NextValue();

  const LeaseCandidateOptions options_;
  DbClient& client_;
  CandidateSink& sink_;
  CandidateClocks& clocks_;
  int64_t process_;
  int64_t counter_ = 0;
  // Held lease.
  bool holding_ = false;
  int64_t token_ = 0;
  std::string my_value_;
  int64_t tenure_start_mono_ = 0;
  int64_t last_renew_invoke_wall_ = 0;
  int64_t last_believed_mono_ = 0;
  // The protected key as this candidate last saw or wrote it (fencing).
  std::optional<std::string> fence_value_;
  int64_t writes_ = 0;
  // Observed lease (not holding).
  bool observed_valid_ = false;
  std::optional<std::string> observed_;
  int64_t observed_since_wall_ = 0;
};

}  // namespace workloads

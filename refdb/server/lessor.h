// Lessor: when leases expire, as the leader sees it (etcd's primary lessor). Which leases exist
// is replicated state (KvStateMachine); their deadlines are not: only the leader keeps them,
// and an expired lease is revoked by a command the leader proposes through the log, so every
// replica deletes its keys at the same revision. On becoming leader every lease gets a full TTL
// from then (keep-alives may have reached the old leader only); a keep-alive renews a lease;
// a lease past its deadline is handed out for revoking once, then again every kRevokeRetry
// while it still exists (the proposal may have been lost with a leadership change). Time is
// passed in. Not thread-safe: the server loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "refdb/server/kv_state_machine.h"

namespace refdb::server {

class Lessor {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kRevokeRetry = std::chrono::seconds(1);

  bool is_primary() const { return is_primary_; }
  // This node became leader: every lease of `state` expires a full TTL from `now`.
  void Promote(const KvStateMachine& state, Clock::time_point now);
  // This node is no longer leader: it keeps no deadlines.
  void Demote();
  // Requires is_primary(). Gives leases granted since the last call a deadline a TTL from
  // `now` and forgets revoked ones (cheap when no lease changed).
  void Sync(const KvStateMachine& state, Clock::time_point now);
  // Requires is_primary(). The lease's TTL in seconds after renewing it; 0: no such lease.
  int64_t Renew(int64_t id, Clock::time_point now);
  // Seconds left before the lease expires, rounded up; -1 when this lessor has no deadline.
  int64_t RemainingSeconds(int64_t id, Clock::time_point now) const;
  // The leases to revoke now (see the class comment).
  std::vector<int64_t> TakeExpired(Clock::time_point now);

 private:
  struct Deadline {
    int64_t ttl_seconds = 0;
    Clock::time_point expires;
    Clock::time_point next_revoke;
  };
  void Add(int64_t id, int64_t ttl_seconds, Clock::time_point now);

  bool is_primary_ = false;
  uint64_t synced_epoch_ = 0;
  std::map<int64_t, Deadline> deadlines_;
};

}  // namespace refdb::server

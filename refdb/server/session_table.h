// SessionTable: the dedup table of KvStateMachine, with sessions that expire by log time (the
// Raft dissertation's client sessions, §6.3). A session is a client id's last sequence number,
// the answer to it, and when it was last used.
//
// Log time: the leader stamps every command it proposes with its clock (Command.log_time_ns,
// never behind the log clock it has applied); the table's clock is the largest stamp applied so
// far, so it never moves backwards, even under a new leader whose clock is behind. Unstamped
// commands (0) leave it. A session whose last use is more than `timeout` of log time behind the
// clock is removed when the clock passes that point (an index ordered by last use: the cost is
// per expired session, not a scan per command). Every replica applies the same stamps in the
// same order, so every replica expires the same sessions at the same log position. All replicas
// must run with the same timeout (refdb's --session-timeout); 0 disables expiry.
//
// Sessions are implicit: a client id's first write (sequence 1) opens one. A retried write
// must never apply twice, so two cases are refused (kExpired, never applied):
//   - no session and sequence > 1: the session expired (or was never opened); the write may be
//     a retry of one that was applied before the session was forgotten;
//   - a command stamped more than timeout/2 behind the clock: it waited so long between being
//     proposed and applied that an earlier copy of it (its first write included) may have
//     been applied in a session that has since expired.
// Both are sound while a client's retries of one write span much less than timeout/2 of log
// time (refdb's client: a few seconds; the default timeout: 60 s). The client is told its
// session is gone (refdb/client starts a new one, under a new client id).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "command.pb.h"

namespace refdb::server {

class SessionTable {
 public:
  static constexpr int64_t kDefaultTimeoutNs = 60'000'000'000;

  explicit SessionTable(int64_t timeout_ns = kDefaultTimeoutNs) : timeout_ns_(timeout_ns) {}

  enum class Verdict {
    kApply,      // new write: apply it, then Record its answer
    kDuplicate,  // a retry of the last write: answer `last_result`, do not apply
    kStale,      // older than the last write: do not apply
    kExpired,    // session gone (see above): do not apply
  };
  struct Check {
    Verdict verdict = Verdict::kApply;
    const commandpb::CommandResult* last_result = nullptr;  // for kDuplicate
  };

  // Moves the clock to `stamp_ns` if later, expiring the sessions it leaves behind. Call it
  // first for every applied command (client id or not).
  void Advance(int64_t stamp_ns);
  Check Find(uint64_t client_id, uint64_t sequence, int64_t stamp_ns) const;
  // The answer to a kApply write; its session is used now (the clock).
  void Record(uint64_t client_id, uint64_t sequence, commandpb::CommandResult result);

  // Into / out of a snapshot's image: the sessions and the clock. Restore replaces the table.
  void SaveTo(commandpb::StateImage& image) const;
  void RestoreFrom(const commandpb::StateImage& image);

  int64_t clock_ns() const { return clock_ns_; }
  int64_t timeout_ns() const { return timeout_ns_; }
  size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    uint64_t last_sequence = 0;
    commandpb::CommandResult last_result;
    int64_t last_use_ns = 0;
  };
  void Expire();
  void Put(uint64_t client_id, Session session);

  int64_t timeout_ns_;
  int64_t clock_ns_ = 0;
  std::map<uint64_t, Session> sessions_;
  std::set<std::pair<int64_t, uint64_t>> by_last_use_;  // (last_use_ns, client id)
};

}  // namespace refdb::server

// Clients: the simulated client processes and the history they produce.
//
// Each client runs one operation at a time: a write (put or cas) submitted to the node it
// believes leads as the server's own WriteInput, or a linearizable read (ReadInput) at any
// node. Each client has a client id and numbers its writes (WriteId): the server's dedup
// table applies a write at most once, however often it is retried. Every operation is recorded
// in a checker::History as an invoke and then exactly one completion, from the server's reply:
//   ok    kOk (cas: `false` when its compare failed), or the read's value;
//   fail  kNotLeader, kRejected or kAborted: definitely not applied (only while no earlier
//         attempt of the write may have been applied);
//   info  the outcome stays unknown.
// A write whose attempt ends unknown (kUnknown, its node crashed, the attempt's deadline in
// ticks passed, or a refusal after an unknown attempt) is retried with the same WriteId, at
// most kMaxAttempts times in all; then it is info. A read that times out or whose node crashes
// is info. Keys are few (slots "k0".."k<keys-1>", each rotating to a fresh key every kOpsPerKey
// operations) so histories stay checkable; every written value is unique.
// The Clients decide what to do (pure, from the Rng); the simulator submits it to a node and
// reports the replies back. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "command.pb.h"
#include "common/rng.h"
#include "refdb/raft/message.h"
#include "refdb/server/reply.h"

namespace refdb::sim {

using raft::NodeId;

struct ClientOptions {
  size_t clients = 3;
  size_t keys = 2;
  uint64_t timeout_ticks = 50;  // per attempt
};

// One attempt of an operation, to submit to a node.
struct ClientOp {
  size_t client = 0;
  uint64_t op_id = 0;
  uint32_t attempt = 1;
  bool is_read = false;
  std::string key;
  commandpb::Command command;  // writes: what to submit (with its WriteId)
  std::string expected;        // cas: the value compared against ("" for a put)
};

class Clients {
 public:
  static constexpr uint32_t kMaxAttempts = 3;

  explicit Clients(const ClientOptions& options);

  bool is_idle(size_t client) const { return !pending_[client].has_value(); }
  // A write whose last attempt ended unknown and that may be retried.
  bool wants_retry(size_t client) const;
  size_t count() const { return pending_.size(); }
  // Picks and records (invoke) the next operation of an idle client, sent to `node`.
  ClientOp Start(size_t client, NodeId node, uint64_t tick, common::Rng& rng);
  // The next attempt of a write that wants a retry, sent to `node`.
  ClientOp Retry(size_t client, NodeId node, uint64_t tick);

  // Replies from the servers, for attempt `attempt` of operation `op_id` of `client`.
  // `applied_index`: the log index the answering node applied last (the write's, for kOk).
  void OnWriteReply(const ClientOp& op, const server::WriteReply& reply, uint64_t applied_index,
                    uint64_t tick);
  void OnReadReply(const ClientOp& op, const server::ReadReply& reply, uint64_t tick);
  void OnCrash(NodeId node, uint64_t tick);  // every attempt waiting on it ends unknown
  void ExpireDeadlines(uint64_t tick);       // overdue attempts end unknown

  // The highest log index at which an acknowledged write was applied (0 if none).
  uint64_t max_acked_index() const { return max_acked_index_; }
  size_t pending_count() const;
  const checker::History& history() const { return history_; }
  // "c2 ok put k1 v7": the last event, for traces.
  std::string DescribeLast() const;

 private:
  struct Pending {
    ClientOp op;
    NodeId node = raft::kNoNode;
    uint64_t deadline = 0;       // of the current attempt
    bool maybe_applied = false;  // an earlier attempt ended unknown
    bool wants_retry = false;
  };

  static constexpr uint64_t kOpsPerKey = 64;

  bool IsCurrent(const ClientOp& op) const;
  std::string PickKey(common::Rng& rng);
  void PickWrite(ClientOp& op, common::Rng& rng);
  // The attempt ended without a definite outcome: retry, or info when no attempt is left.
  void AttemptUnknown(size_t client, uint64_t tick);
  void Record(size_t client, checker::EventType type, const std::string& f, checker::Json value,
              uint64_t tick);
  void Complete(size_t client, checker::EventType type, checker::Json value, uint64_t tick);

  ClientOptions options_;
  std::vector<std::optional<Pending>> pending_;
  std::vector<uint64_t> sequences_;  // per client: last WriteId sequence
  // Per client: its session's client id. A refused SESSION_EXPIRED write starts a new session
  // (a fresh id, sequences from 1), as refdb's client library does (session_table.h).
  std::vector<uint64_t> client_ids_;
  uint64_t next_client_id_ = 0;
  std::vector<uint64_t> ops_per_slot_;                       // operations per key slot
  std::map<std::string, std::vector<std::string>> written_;  // key -> values written, in order
  uint64_t next_op_id_ = 1;
  uint64_t max_acked_index_ = 0;
  checker::History history_;
};

}  // namespace refdb::sim

// Clients: the simulated client processes and the history they produce.
//
// Each client runs one operation at a time: a write (put or cas) proposed to the node it
// believes leads, or a linearizable read (ReadIndex) at any node. Every operation is recorded
// in a checker::History as an invoke and then exactly one completion:
//   ok    the proposing node applied the write (cas: `false` when its compare failed), or served
//         the read from its state machine;
//   fail  the node refused it before it could take effect (not the leader, no leader known),
//         or it applied a different entry at the index the write was proposed at: the write's
//         entry can then never commit (a committed entry is final), as etcd reports a dropped
//         proposal;
//   info  the outcome is unknown: the node crashed, or the deadline (in ticks) passed.
// Keys are few (slots "k0".."k<keys-1>", each rotating to a fresh key every kOpsPerKey
// operations) so histories stay checkable; every written value is unique.
// The Clients decide what to do (pure, from the Rng); the simulator executes it on a node and
// reports back. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "common/rng.h"
#include "refdb/raft/message.h"
#include "refdb/sim/kv_state_machine.h"

namespace refdb::sim {

using raft::NodeId;

struct ClientOptions {
  size_t clients = 3;
  size_t keys = 2;
  uint64_t timeout_ticks = 50;
};

// One operation a client starts: a write to propose (command) or a read (read_context).
struct ClientOp {
  size_t client = 0;
  bool is_read = false;
  KvCommand command;         // writes: what to propose; reads: kind kGet, key
  std::string read_context;  // reads: the ReadIndex context, "<op id> <key>"
};

class Clients {
 public:
  explicit Clients(const ClientOptions& options);

  bool is_idle(size_t client) const { return !pending_[client].has_value(); }
  size_t count() const { return pending_.size(); }
  // Picks and records (invoke) the next operation of an idle client, sent to `node`.
  ClientOp Start(size_t client, NodeId node, uint64_t tick, common::Rng& rng);
  // The node refused the operation it was just given.
  void Refused(size_t client, uint64_t tick);
  // The node appended the client's write at (index, term).
  void Proposed(size_t client, uint64_t index, uint64_t term);

  // Reports from the shells. `result` is set when `entry` is a KV command.
  void OnApplied(NodeId node, const raft::Entry& entry, const std::optional<ApplyResult>& result,
                 uint64_t tick);
  void OnRead(NodeId node, const std::string& context, const std::optional<std::string>& value,
              uint64_t tick);
  void OnCrash(NodeId node, uint64_t tick);  // every operation waiting on it becomes info
  void ExpireDeadlines(uint64_t tick);       // overdue operations become info

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
    uint64_t deadline = 0;
    uint64_t index = 0;  // writes: where the node appended the entry, 0 until proposed
  };

  static constexpr uint64_t kOpsPerKey = 64;

  std::string PickKey(common::Rng& rng);
  KvCommand PickWrite(uint64_t op_id, common::Rng& rng);
  void Record(size_t client, checker::EventType type, const std::string& f, checker::Json value,
              uint64_t tick);
  void Complete(size_t client, checker::EventType type, checker::Json value, uint64_t tick);

  ClientOptions options_;
  std::vector<std::optional<Pending>> pending_;
  std::vector<uint64_t> ops_per_slot_;                       // operations per key slot
  std::map<std::string, std::vector<std::string>> written_;  // key -> values written, in order
  uint64_t next_op_id_ = 1;
  uint64_t max_acked_index_ = 0;
  checker::History history_;
};

}  // namespace refdb::sim

// The Raft core's vocabulary: log entries, hard state, snapshots and messages, as plain structs.
//
// These are data, not protobuf: the core stays free of generated code and of any transport.
// The server (refdb/server) converts a Message to and from its peer .proto at the edge, field by
// field. Every input to the core, local ones included (start an election, send heartbeats,
// propose), is a Message, so tests and the simulator drive everything through Node::Step.
//
// Field use by message type (unused fields stay zero / empty):
//   kAppend         index = index before `entries`, log_term = its term, entries, commit
//   kAppendResp     index = last index now known to match the leader (or the rejected index);
//                   on reject: conflict_term / conflict_index, the fast back-off hint
//   kVote, kPreVote index / log_term = the candidate's last entry; is_transfer on TimeoutNow
//   kHeartbeat      commit, read_id;   kHeartbeatResp: read_id echoed back
//   kSnapshot       snapshot
//   kReadIndex      context;           kReadIndexResp: index = read index, context
//   kTransferLeader transferee
//   kProp           entries (index and term are assigned by the leader)
// Plain values: copyable, movable, not thread-safe to share mutably.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace refdb::raft {

using NodeId = uint64_t;
inline constexpr NodeId kNoNode = 0;
// No cluster reaches this term; past it, a campaign's term + 1 could wrap around to 0. A message
// (ValidateMessage) or a persisted state (Node::Open) with a later term is refused.
inline constexpr uint64_t kMaxTerm = uint64_t{1} << 62;

enum class EntryType {
  kNormal,      // a client command for the state machine
  kConfChange,  // data = the full voter set after the change (see membership.h)
  kEmpty,       // appended by a new leader to commit entries of earlier terms (§5.4.2)
};

struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data = {};

  bool operator==(const Entry&) const = default;
};

// What must be durable before any message that depends on it leaves the node.
struct HardState {
  uint64_t term = 0;
  NodeId vote = kNoNode;  // voted for, in `term`
  uint64_t commit = 0;    // commit index

  bool operator==(const HardState&) const = default;
};

// A state-machine image covering every entry up to `index`, and the voters as of `index`.
struct Snapshot {
  uint64_t index = 0;  // 0: no snapshot
  uint64_t term = 0;
  std::vector<NodeId> members = {};  // sorted
  std::string data = {};

  bool empty() const { return index == 0; }
  bool operator==(const Snapshot&) const = default;
};

enum class MsgType {
  kHup,          // local: start an election
  kBeat,         // local: the leader sends heartbeats
  kProp,         // local: propose entries
  kCheckQuorum,  // local: the leader checks it heard from a majority
  kAppend,       // AppendEntries
  kAppendResp,
  kVote,  // RequestVote
  kVoteResp,
  kPreVote,  // thesis §9.6: would you vote for me in term+1?
  kPreVoteResp,
  kHeartbeat,  // an AppendEntries without entries, also confirming leadership for reads
  kHeartbeatResp,
  kSnapshot,  // InstallSnapshot; answered by kAppendResp
  kReadIndex,
  kReadIndexResp,
  kTransferLeader,
  kTimeoutNow,  // the leader tells its chosen successor to campaign now
};

std::string_view MsgTypeName(MsgType type);

struct Message {
  MsgType type = MsgType::kHup;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  uint64_t term = 0;  // the sender's term; 0 on local messages
  uint64_t log_term = 0;
  uint64_t index = 0;
  std::vector<Entry> entries = {};
  uint64_t commit = 0;
  bool reject = false;
  uint64_t conflict_term = 0;   // follower's term at `index`, 0 if its log is shorter
  uint64_t conflict_index = 0;  // first index of conflict_term in the follower's log, or last+1
  uint64_t read_id = 0;         // newest ReadIndex request a heartbeat round confirms
  std::string context = {};     // ReadIndex request id, opaque to the core
  bool is_transfer = false;     // a vote requested on TimeoutNow overrides the leader lease
  NodeId transferee = kNoNode;
  std::optional<Snapshot> snapshot = {};

  bool operator==(const Message&) const = default;
};

// InvalidArgument when `m` is malformed: a peer message without a term or past kMaxTerm, a
// local-only type with a term, an AppendEntries whose entries do not follow `index` or whose terms
// (log_term, then each entry's) decrease or pass the message's term, a snapshot message without a
// snapshot, with voters that are not non-zero and increasing, or with a term past the message's, a
// membership entry that does not decode.
common::Status ValidateMessage(const Message& m);

// One line, for traces and test failures: "kAppend 1->2 t3 i5/t2 c4 entries=[6/3]".
std::string Describe(const Message& m);
std::string Describe(const Entry& e);

}  // namespace refdb::raft

// Node: one Raft peer as a pure, deterministic state machine, shaped like etcd raft's RawNode.
//
// It owns no thread, socket, file, clock or random device. Time is Tick(); every input is a
// Message given to Step (Propose, ReadIndex, Campaign... are local messages); every output is
// data in a Ready. Randomness (the election timeout jitter) comes from the injected Rng, so the
// same seed and the same inputs give the same outputs, byte for byte.
//
// The shell drives it in one loop, in this order and no other:
//
//   node.Tick() every tick;  node.Step(m) for every message received;  client calls;
//   while (node.HasReady()) {
//     Ready rd = node.TakeReady();
//     1. persist rd.snapshot, rd.entries, rd.hard_state into the LogStore (fsync if must_sync);
//     2. send rd.messages (never before 1 finished: votes and acks must be durable first);
//     3. restore rd.snapshot into the state machine, apply rd.committed_entries in order, serve
//        each rd.read_states entry once the state machine applied its index;
//     4. node.Advance(rd);
//   }
//
// Between TakeReady and Advance nothing else may be called on the node (CHECKed).
// Errors: Step and the proposal calls return Unavailable when this node cannot do it now (not
// the leader, a transfer or membership change in progress) and InvalidArgument for malformed
// input; broken invariants CHECK-fail. With a bug switch on, a node that detects a consequence
// of the bug (a second leader in its term, an acknowledgement past its log) returns Internal
// from Step and ignores the message instead of aborting, so a simulator can report it.
//
// Not thread-safe. The LogStore and the Rng must outlive the Node; the Node is movable.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/status.h"
#include "refdb/raft/config.h"
#include "refdb/raft/log_store.h"
#include "refdb/raft/membership.h"
#include "refdb/raft/message.h"
#include "refdb/raft/progress.h"
#include "refdb/raft/raft_log.h"
#include "refdb/raft/ready.h"

namespace refdb::raft {

enum class Role { kFollower, kPreCandidate, kCandidate, kLeader };

std::string_view RoleName(Role role);

class Node {
 public:
  // Opens a node over the persisted state in `log_store` (hard state, snapshot, entries).
  // InvalidArgument when `config` is invalid or the hard state contradicts the log. A saved term
  // below the log's last term (a crash between persisting a Ready's entries and its hard state)
  // is raised to it, voted for no one, and persisted by the next Ready.
  static common::Result<Node> Open(const Config& config, const LogStore& log_store,
                                   common::Rng& rng);

  Node(Node&&) = default;
  Node& operator=(Node&&) = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // One logical tick: election and heartbeat timeouts count these.
  void Tick();
  // Every input: a message from a peer, or a local one (term 0).
  common::Status Step(const Message& m);

  // Local conveniences, each a Step of a local message.
  common::Status Campaign();  // kHup: start an election now (pre-vote first if configured)
  common::Status Propose(std::string command);
  common::Status ProposeConfChange(const ConfChange& change);
  // Asks for a linearizable read. Later a Ready carries ReadState{index, context}: the read may
  // be served once the state machine applied `index`. A follower forwards it to the leader. No
  // ReadState ever comes if leadership is lost meanwhile: the caller times out and retries.
  common::Status ReadIndex(std::string context);
  // Asks the leader to hand leadership to `target` (forwarded to the leader by a follower).
  common::Status TransferLeadership(NodeId target);

  bool HasReady() const;
  Ready TakeReady();
  void Advance(const Ready& ready);

  // Observers, for the shell, the simulator's checks and CheckInvariants.
  NodeId id() const { return config_.id; }
  const Config& config() const { return config_; }
  Role role() const { return role_; }
  bool is_leader() const { return role_ == Role::kLeader; }
  uint64_t term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return leader_; }
  uint64_t commit_index() const { return log_.committed(); }
  uint64_t applied_index() const { return log_.applied(); }
  uint64_t last_index() const { return log_.last_index(); }
  const RaftLog& log() const { return log_; }
  const std::vector<NodeId>& members() const { return members_; }
  bool is_member() const;
  // The voters as of `index`, for the shell to record in a snapshot it takes at `index`.
  // Requires: first_index - 1 <= index <= last_index.
  std::vector<NodeId> MembersAt(uint64_t index) const;
  const std::map<NodeId, Progress>& progress() const { return progress_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  uint64_t pending_conf_index() const { return pending_conf_index_; }
  size_t pending_read_count() const {
    return pending_reads_.size() + reads_awaiting_commit_.size();
  }
  int election_elapsed() const { return election_elapsed_; }
  int randomized_election_timeout() const { return randomized_election_timeout_; }
  bool has_ready_outstanding() const { return ready_outstanding_; }

 private:
  enum class CampaignType { kPreElection, kElection, kTransfer };

  // A ReadIndex request the leader is confirming with a heartbeat round.
  struct PendingRead {
    uint64_t id = 0;
    uint64_t index = 0;  // the commit index when the request arrived
    NodeId from = kNoNode;
    std::string context = {};
    std::set<NodeId> acks = {};
  };

  Node(Config config, const LogStore& log_store, common::Rng& rng);

  // node.cc: dispatch, role changes, Ready.
  common::Status StepHigherTerm(const Message& m, bool& handled);
  void StepLowerTerm(const Message& m);
  common::Status StepFollower(const Message& m);
  common::Status StepCandidate(const Message& m);
  common::Status StepLeader(const Message& m);
  common::Status StepLeaderResponse(const Message& m);
  void TickElection();
  void TickHeartbeat();
  void BecomeFollower(uint64_t term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void Reset(uint64_t term);
  void ResetRandomizedElectionTimeout();
  void Send(Message m);
  common::Status NotLeader(std::string_view action) const;
  common::Status Violation(const std::string& what) const;
  HardState hard_state() const;

  // election.cc
  void Hup(CampaignType type);
  void StartCampaign(CampaignType type);
  void HandleVote(const Message& m);
  void HandleVoteResponse(const Message& m);
  bool InLease() const;
  bool QuorumActive() const;
  size_t Quorum() const;
  void CheckQuorum();

  // replication.cc
  common::Status HandleProposal(const Message& m);
  void AppendLocal(std::vector<Entry> entries);
  bool MaybeCommit();
  bool CommittedInTerm() const;
  bool SendAppend(NodeId to, bool send_if_empty);
  void BroadcastAppend();
  void BroadcastHeartbeat();
  common::Status HandleAppend(const Message& m);
  void RejectAppend(const Message& m);
  void HandleHeartbeat(const Message& m);
  common::Status HandleAppendResponse(const Message& m);
  void HandleAppendRejection(const Message& m, Progress& pr);
  uint64_t NextProbeIndex(const Message& m) const;
  void HandleHeartbeatResponse(const Message& m);
  void AfterCommit();

  // snapshot.cc
  bool SendSnapshot(NodeId to);
  void HandleSnapshot(const Message& m);

  // read_index.cc
  common::Status HandleReadIndex(const Message& m);
  void StartRead(const Message& m);
  void ServeStaleRead(const Message& m);
  void ReleaseRead(const PendingRead& read);
  void AckReads(NodeId from, uint64_t read_id);
  void StartReadsAwaitingCommit();

  // transfer.cc
  common::Status HandleTransferLeader(const Message& m);
  void SendTimeoutNow(NodeId to);
  void MaybeFinishTransfer(NodeId from);

  // membership (node_membership.cc)
  common::Status CheckConfChangeAllowed(const Entry& entry) const;
  void RecomputeMembers();
  void SetMembers(std::vector<NodeId> members, uint64_t conf_index);
  void SyncProgressWithMembers();
  void MaybeStepDownAfterRemoval();
  bool IsPromotable() const;

  Config config_;
  common::Rng* rng_;
  RaftLog log_;

  Role role_ = Role::kFollower;
  common::Status (Node::*step_)(const Message&) = &Node::StepFollower;
  void (Node::*tick_)() = &Node::TickElection;

  uint64_t term_ = 0;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;

  std::vector<NodeId> members_;  // sorted voters, from the latest configuration in the log
  uint64_t conf_index_ = 0;      // index of the entry that set members_, 0 if none

  std::map<NodeId, Progress> progress_;  // leader only: one per voter, in id order
  std::map<NodeId, bool> votes_;         // candidates only: voter -> granted

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;

  NodeId lead_transferee_ = kNoNode;
  uint64_t pending_conf_index_ = 0;

  uint64_t last_read_id_ = 0;
  std::deque<PendingRead> pending_reads_;
  std::vector<Message> reads_awaiting_commit_;  // arrived before an entry of this term committed

  std::vector<Message> msgs_;
  std::vector<ReadState> read_states_;
  HardState persisted_hard_state_;
  bool ready_outstanding_ = false;
};

}  // namespace refdb::raft

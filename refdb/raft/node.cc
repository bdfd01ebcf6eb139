// Node: dispatch of inputs to the role's step and tick functions, role changes, and the
// Ready/Advance handshake. Message handlers live in election.cc, replication.cc, snapshot.cc,
// read_index.cc, transfer.cc and node_membership.cc.
#include "refdb/raft/node.h"

#include <utility>

#include "common/check.h"

namespace refdb::raft {

using common::Status;

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "unknown";
}

Node::Node(Config config, const LogStore& log_store, common::Rng& rng)
    : config_(std::move(config)), rng_(&rng), log_(&log_store) {}

common::Result<Node> Node::Open(const Config& config, const LogStore& log_store, common::Rng& rng) {
  RETURN_IF_ERROR(config.Validate());
  Node node(config, log_store, rng);
  const HardState hs = log_store.hard_state();
  const uint64_t first = log_store.FirstIndex();
  const uint64_t last = log_store.LastIndex();
  const std::string self = "raft node " + std::to_string(config.id) + ": ";
  if (hs.commit + 1 < first || hs.commit > last) {
    return Status::InvalidArgument(self + "hard state commit " + std::to_string(hs.commit) +
                                   " outside the log [" + std::to_string(first - 1) + ", " +
                                   std::to_string(last) + "]");
  }
  if (hs.term > kMaxTerm || log_store.Term(last) > kMaxTerm) {
    return Status::InvalidArgument(self + "term past 2^62 in the hard state or the log");
  }
  if (config.applied_index > hs.commit) {
    return Status::InvalidArgument(self + "applied index " + std::to_string(config.applied_index) +
                                   " past commit " + std::to_string(hs.commit));
  }
  node.log_.CommitTo(hs.commit);
  node.log_.AppliedTo(config.applied_index);
  node.RecomputeMembers();
  // The shell persists a Ready's entries (or snapshot) before its hard state, so a crash between
  // the two leaves entries of a term the saved hard state never reached. Nothing of that Ready
  // was sent (sending waits for persisting), so no vote in that term left this node: adopt the
  // term, voted for no one; the next Ready persists it. Staying in the older term, the node
  // could campaign in a term that already has a leader.
  const bool is_behind_log = node.log_.last_term() > hs.term;
  node.BecomeFollower(is_behind_log ? node.log_.last_term() : hs.term, kNoNode);
  node.vote_ = is_behind_log ? kNoNode : hs.vote;
  node.persisted_hard_state_ = hs;
  return node;
}

void Node::Tick() {
  CHECK(!ready_outstanding_) << "node " << id() << ": Tick between TakeReady and Advance";
  (this->*tick_)();
}

Status Node::Step(const Message& m) {
  CHECK(!ready_outstanding_) << "node " << id() << ": Step between TakeReady and Advance";
  RETURN_IF_ERROR(ValidateMessage(m));
  // A peer message "from" this node (or from none) would make it follow itself, or answer no one.
  if (m.term != 0 && (m.from == id() || m.from == kNoNode)) {
    return Status::InvalidArgument("raft message " + Describe(m) + ": a peer message must come " +
                                   "from another node");
  }
  if (m.term > term_) {
    bool handled = false;
    Status status = StepHigherTerm(m, handled);
    if (handled) return status;
  } else if (m.term != 0 && m.term < term_) {
    StepLowerTerm(m);
    return Status::Ok();
  }
  switch (m.type) {
    case MsgType::kHup:
      Hup(config_.pre_vote ? CampaignType::kPreElection : CampaignType::kElection);
      return Status::Ok();
    case MsgType::kVote:
    case MsgType::kPreVote:
      HandleVote(m);
      return Status::Ok();
    default:
      return (this->*step_)(m);
  }
}

// A message from a later term. Returns with `handled` set when the message must go no further.
Status Node::StepHigherTerm(const Message& m, bool& handled) {
  const bool is_vote = m.type == MsgType::kVote || m.type == MsgType::kPreVote;
  if (is_vote && !m.is_transfer && InLease()) {
    // Thesis §4.2.3: while we hear from a live leader, a vote request comes from a node that
    // was cut off (or removed); granting it, or even adopting its term, would depose a
    // healthy leader.
    handled = true;
    return Status::Ok();
  }
  if (m.type == MsgType::kPreVote) return Status::Ok();  // a pre-vote never changes our term
  // A granted pre-vote carries the term we would campaign in, not a term anyone is in.
  if (m.type == MsgType::kPreVoteResp && !m.reject) return Status::Ok();
  const bool from_leader =
      m.type == MsgType::kAppend || m.type == MsgType::kHeartbeat || m.type == MsgType::kSnapshot;
  BecomeFollower(m.term, from_leader ? m.from : kNoNode);
  return Status::Ok();
}

void Node::StepLowerTerm(const Message& m) {
  if ((config_.check_quorum || config_.pre_vote) &&
      (m.type == MsgType::kHeartbeat || m.type == MsgType::kAppend)) {
    // A leader cut off long enough for us to move on never hears a higher term otherwise: with
    // pre-vote it cannot win elections that would raise its term, and with check-quorum we do
    // not answer its votes. Tell it our term so it steps down.
    Send({.type = MsgType::kAppendResp, .to = m.from});
  } else if (m.type == MsgType::kPreVote) {
    Send({.type = MsgType::kPreVoteResp, .to = m.from, .reject = true});
  }
}

Status Node::StepFollower(const Message& m) {
  switch (m.type) {
    case MsgType::kProp:
      return NotLeader("propose");
    case MsgType::kAppend:
      election_elapsed_ = 0;
      leader_ = m.from;
      return HandleAppend(m);
    case MsgType::kHeartbeat:
      election_elapsed_ = 0;
      leader_ = m.from;
      HandleHeartbeat(m);
      return Status::Ok();
    case MsgType::kSnapshot:
      election_elapsed_ = 0;
      leader_ = m.from;
      HandleSnapshot(m);
      return Status::Ok();
    case MsgType::kReadIndex:
      return HandleReadIndex(m);
    case MsgType::kReadIndexResp:
      read_states_.push_back({.index = m.index, .context = m.context});
      return Status::Ok();
    case MsgType::kTransferLeader:
      return HandleTransferLeader(m);
    case MsgType::kTimeoutNow:
      Hup(CampaignType::kTransfer);
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status Node::StepCandidate(const Message& m) {
  switch (m.type) {
    case MsgType::kProp:
      return NotLeader("propose");
    case MsgType::kAppend:
    case MsgType::kHeartbeat:
    case MsgType::kSnapshot:
      // A leader of our term won the election we are in.
      BecomeFollower(m.term, m.from);
      return StepFollower(m);
    case MsgType::kVoteResp:
    case MsgType::kPreVoteResp:
      HandleVoteResponse(m);
      return Status::Ok();
    case MsgType::kReadIndex:
      return HandleReadIndex(m);
    case MsgType::kTransferLeader:
      return NotLeader("transfer leadership");
    default:
      return Status::Ok();
  }
}

Status Node::StepLeader(const Message& m) {
  switch (m.type) {
    case MsgType::kBeat:
      BroadcastHeartbeat();
      return Status::Ok();
    case MsgType::kCheckQuorum:
      CheckQuorum();
      return Status::Ok();
    case MsgType::kProp:
      return HandleProposal(m);
    case MsgType::kReadIndex:
      return HandleReadIndex(m);
    case MsgType::kTransferLeader:
      return HandleTransferLeader(m);
    case MsgType::kAppendResp:
    case MsgType::kHeartbeatResp:
      return StepLeaderResponse(m);
    case MsgType::kAppend:
    case MsgType::kHeartbeat:
    case MsgType::kSnapshot:
      // Election safety (§5.2): one leader per term. Only a bug switch gets here.
      return Violation("a second leader " + std::to_string(m.from) + " in term " +
                       std::to_string(term_));
    default:
      return Status::Ok();
  }
}

Status Node::StepLeaderResponse(const Message& m) {
  if (progress_.find(m.from) == progress_.end()) return Status::Ok();  // no longer a voter
  if (m.type == MsgType::kHeartbeatResp) {
    HandleHeartbeatResponse(m);
    return Status::Ok();
  }
  return HandleAppendResponse(m);
}

void Node::TickElection() {
  ++election_elapsed_;
  if (IsPromotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Status status = Step({.type = MsgType::kHup, .from = id()});
    CHECK(status.ok()) << status.message();
  }
}

void Node::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= config_.election_timeout_ticks) {
    election_elapsed_ = 0;
    if (config_.check_quorum) {
      Status status = Step({.type = MsgType::kCheckQuorum, .from = id()});
      CHECK(status.ok()) << status.message();
    }
    // A transfer that did not finish within an election timeout is abandoned.
    if (role_ == Role::kLeader) lead_transferee_ = kNoNode;
  }
  if (role_ != Role::kLeader) return;
  if (heartbeat_elapsed_ >= config_.heartbeat_timeout_ticks) {
    heartbeat_elapsed_ = 0;
    Status status = Step({.type = MsgType::kBeat, .from = id()});
    CHECK(status.ok()) << status.message();
  }
}

void Node::Reset(uint64_t term) {
  if (term != term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  lead_transferee_ = kNoNode;
  votes_.clear();
  progress_.clear();
  pending_conf_index_ = 0;
  pending_reads_.clear();
  reads_awaiting_commit_.clear();
}

void Node::ResetRandomizedElectionTimeout() {
  const int base = config_.election_timeout_ticks;
  randomized_election_timeout_ = static_cast<int>(rng_->Range(base, 2 * base - 1));  // §5.2
}

void Node::BecomeFollower(uint64_t term, NodeId leader) {
  Reset(term);
  role_ = Role::kFollower;
  step_ = &Node::StepFollower;
  tick_ = &Node::TickElection;
  leader_ = leader;
}

void Node::BecomePreCandidate() {
  CHECK(role_ != Role::kLeader) << "node " << id() << ": leader cannot pre-campaign";
  // The term and vote stay: a pre-candidate only asks whether it could win.
  role_ = Role::kPreCandidate;
  step_ = &Node::StepCandidate;
  tick_ = &Node::TickElection;
  leader_ = kNoNode;
  votes_.clear();
}

void Node::BecomeCandidate() {
  CHECK(role_ != Role::kLeader) << "node " << id() << ": leader cannot campaign";
  Reset(term_ + 1);
  vote_ = id();
  role_ = Role::kCandidate;
  step_ = &Node::StepCandidate;
  tick_ = &Node::TickElection;
}

void Node::BecomeLeader() {
  CHECK(role_ == Role::kCandidate) << "node " << id() << ": only a candidate becomes leader";
  Reset(term_);
  role_ = Role::kLeader;
  step_ = &Node::StepLeader;
  tick_ = &Node::TickHeartbeat;
  leader_ = id();
  SyncProgressWithMembers();
  // Any configuration entry not yet committed may be pending: no new change until it commits.
  pending_conf_index_ = log_.last_index();
  // §5.4.2 / §8: an entry of our own term lets earlier ones commit and ReadIndex start.
  AppendLocal({Entry{.type = EntryType::kEmpty}});
}

void Node::Send(Message m) {
  m.from = id();
  // Vote messages may carry their own term: a pre-vote asks about the term after ours, and a
  // granted (pre-)vote answers in the candidate's term. Everything else carries ours.
  const bool sets_own_term = m.type == MsgType::kPreVote || m.type == MsgType::kPreVoteResp ||
                             m.type == MsgType::kVoteResp;
  if (!sets_own_term || m.term == 0) m.term = term_;
  msgs_.push_back(std::move(m));
}

Status Node::NotLeader(std::string_view action) const {
  return Status::Unavailable("raft node " + std::to_string(id()) + ": cannot " +
                             std::string(action) + ": not the leader (leader is " +
                             std::to_string(leader_) + ", term " + std::to_string(term_) + ")");
}

Status Node::Violation(const std::string& what) const {
  CHECK(config_.any_bug()) << "raft node " << id() << ": " << what;
  return Status::Internal("raft node " + std::to_string(id()) + ": safety violation: " + what);
}

HardState Node::hard_state() const {
  return {.term = term_, .vote = vote_, .commit = log_.committed()};
}

bool Node::HasReady() const {
  return hard_state() != persisted_hard_state_ || log_.unstable_snapshot().has_value() ||
         !log_.unstable_entries().empty() || log_.HasCommittedToApply() || !msgs_.empty() ||
         !read_states_.empty();
}

Ready Node::TakeReady() {
  CHECK(!ready_outstanding_) << "node " << id() << ": TakeReady twice without Advance";
  Ready rd;
  const HardState hs = hard_state();
  if (hs != persisted_hard_state_) rd.hard_state = hs;
  rd.snapshot = log_.unstable_snapshot();
  rd.entries = log_.unstable_entries();
  rd.committed_entries = log_.CommittedToApply();
  rd.messages = std::move(msgs_);
  msgs_.clear();
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  rd.must_sync = !rd.entries.empty() || rd.snapshot.has_value() ||
                 hs.term != persisted_hard_state_.term || hs.vote != persisted_hard_state_.vote;
  ready_outstanding_ = true;
  return rd;
}

void Node::Advance(const Ready& ready) {
  CHECK(ready_outstanding_) << "node " << id() << ": Advance without TakeReady";
  ready_outstanding_ = false;
  if (ready.hard_state) persisted_hard_state_ = *ready.hard_state;
  if (ready.snapshot) log_.StableSnapshotTo(ready.snapshot->index);
  if (!ready.entries.empty()) log_.StableTo(ready.entries.back().index, ready.entries.back().term);
  if (!ready.committed_entries.empty()) log_.AppliedTo(ready.committed_entries.back().index);
}

Status Node::Campaign() { return Step({.type = MsgType::kHup, .from = id()}); }

Status Node::Propose(std::string command) {
  Message m{.type = MsgType::kProp, .from = id()};
  m.entries.push_back(Entry{.type = EntryType::kNormal, .data = std::move(command)});
  return Step(m);
}

Status Node::ReadIndex(std::string context) {
  return Step({.type = MsgType::kReadIndex, .from = id(), .context = std::move(context)});
}

Status Node::TransferLeadership(NodeId target) {
  return Step({.type = MsgType::kTransferLeader, .from = id(), .transferee = target});
}

}  // namespace refdb::raft

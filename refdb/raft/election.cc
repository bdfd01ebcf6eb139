// Leader election (§5.2), the vote restriction (§5.4.1), pre-vote (thesis §9.6) and
// check-quorum with its leader lease (thesis §6.2, §4.2.3).
#include <utility>

#include "common/check.h"
#include "refdb/raft/node.h"
#include "refdb/raft/quorum.h"

namespace refdb::raft {

void Node::Hup(CampaignType type) {
  if (role_ == Role::kLeader || !IsPromotable()) return;
  StartCampaign(type);
}

void Node::StartCampaign(CampaignType type) {
  const bool is_pre = type == CampaignType::kPreElection;
  if (is_pre) {
    BecomePreCandidate();
  } else {
    BecomeCandidate();
  }
  // A pre-vote asks about the term we would move to; a real vote is for the term we are in.
  const uint64_t vote_term = is_pre ? term_ + 1 : term_;
  votes_[id()] = true;
  const VoteResult result = TallyVotes(members_, votes_, Quorum());
  if (result == VoteResult::kWon) {
    // A cluster of one wins at once.
    if (is_pre) {
      StartCampaign(CampaignType::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (NodeId peer : members_) {
    if (peer == id()) continue;
    Send({.type = is_pre ? MsgType::kPreVote : MsgType::kVote,
          .to = peer,
          .term = vote_term,
          .log_term = log_.last_term(),
          .index = log_.last_index(),
          .is_transfer = type == CampaignType::kTransfer});
  }
}

void Node::HandleVote(const Message& m) {
  const bool is_pre = m.type == MsgType::kPreVote;
  // A vote may be repeated (the response was lost); a new one needs no vote and no leader
  // in this term. A pre-vote for a later term does not bind us.
  const bool can_vote =
      vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) || (is_pre && m.term > term_);
  // §5.4.1: only vote for a candidate whose log is at least as up-to-date as ours.
  const bool log_ok = config_.bug_vote_without_log_check || log_.IsUpToDate(m.index, m.log_term);
  const MsgType response = is_pre ? MsgType::kPreVoteResp : MsgType::kVoteResp;
  if (!can_vote || !log_ok) {
    Send({.type = response, .to = m.from, .term = term_, .reject = true});
    return;
  }
  // A granted response carries the candidate's term, so a pre-candidate can count it.
  Send({.type = response, .to = m.from, .term = m.term});
  if (!is_pre) {
    election_elapsed_ = 0;
    vote_ = m.from;
  }
}

void Node::HandleVoteResponse(const Message& m) {
  const MsgType expected =
      role_ == Role::kPreCandidate ? MsgType::kPreVoteResp : MsgType::kVoteResp;
  if (m.type != expected) return;  // an answer to an earlier campaign
  votes_.emplace(m.from, !m.reject);
  switch (TallyVotes(members_, votes_, Quorum())) {
    case VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        StartCampaign(CampaignType::kElection);
      } else {
        BecomeLeader();
        BroadcastAppend();
      }
      return;
    case VoteResult::kLost:
      BecomeFollower(term_, kNoNode);
      return;
    case VoteResult::kPending:
      return;
  }
}

// True while we heard from a leader within the election timeout: the lease during which vote
// requests are ignored. A leader is always in its own lease.
bool Node::InLease() const {
  return config_.check_quorum && leader_ != kNoNode &&
         election_elapsed_ < config_.election_timeout_ticks;
}

size_t Node::Quorum() const { return QuorumSize(members_.size(), config_.bug_half_quorum); }

bool Node::QuorumActive() const {
  size_t active = 0;
  for (NodeId voter : members_) {
    if (voter == id() || progress_.at(voter).recent_active) ++active;
  }
  return active >= Quorum();
}

void Node::CheckQuorum() {
  if (!QuorumActive()) {
    // Thesis §6.2: a leader cut off from a majority stops acting as one, so clients go to the
    // side that can make progress.
    BecomeFollower(term_, kNoNode);
    return;
  }
  for (auto& [voter, pr] : progress_) pr.recent_active = voter == id();
}

}  // namespace refdb::raft

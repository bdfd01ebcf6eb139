#include "refdb/raft/quorum.h"

#include <algorithm>
#include <functional>

#include "common/check.h"

namespace refdb::raft {

size_t QuorumSize(size_t voters, bool half_quorum_bug) {
  return half_quorum_bug ? (voters + 1) / 2 : voters / 2 + 1;
}

VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes,
                      size_t quorum) {
  size_t granted = 0;
  size_t rejected = 0;
  for (NodeId voter : voters) {
    auto it = votes.find(voter);
    if (it == votes.end()) continue;
    ++(it->second ? granted : rejected);
  }
  if (granted >= quorum) return VoteResult::kWon;
  if (voters.size() - rejected < quorum) return VoteResult::kLost;
  return VoteResult::kPending;
}

uint64_t QuorumIndex(std::vector<uint64_t> match, size_t quorum) {
  CHECK(quorum >= 1 && quorum <= match.size())
      << "quorum " << quorum << " of " << match.size() << " voters";
  std::sort(match.begin(), match.end(), std::greater<>());
  return match[quorum - 1];
}

}  // namespace refdb::raft

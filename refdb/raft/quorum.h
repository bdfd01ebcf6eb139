// Majority arithmetic, kept apart so the one bug switch that changes it (bug_half_quorum) is
// visible in one place. Pure functions over sorted voter lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "refdb/raft/message.h"

namespace refdb::raft {

// How many of `voters` make a quorum: a majority, n/2 + 1. With `half_quorum_bug`, exactly half
// suffices on an even n ((n + 1) / 2), which lets both halves of a split act alone.
size_t QuorumSize(size_t voters, bool half_quorum_bug);

enum class VoteResult { kPending, kWon, kLost };

// Tallies `votes` (voter -> granted) cast by `voters`; votes from non-voters do not count.
VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes,
                      size_t quorum);

// The highest index that at least `quorum` of the `match` indexes reach. Requires:
// 1 <= quorum <= match.size().
uint64_t QuorumIndex(std::vector<uint64_t> match, size_t quorum);

}  // namespace refdb::raft

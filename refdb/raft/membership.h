// Single-server membership changes (thesis §4.1): add or remove one voter at a time.
//
// A kConfChange entry carries the whole voter set after the change ("1,2,4"), not a delta, so
// any node that reads the log, including a new one that starts with no peers, learns the
// configuration from the latest such entry. Each node uses the latest configuration in its log,
// committed or not ("applied on append", thesis §4.1); truncating that entry reverts it.
// Safety rests on two rules the leader enforces: the new set differs from the current one by
// exactly one voter, and no change is proposed while another is uncommitted or before the
// leader committed an entry of its own term (the fix Ongaro posted to raft-dev in 2015).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "refdb/raft/message.h"

namespace refdb::raft {

struct ConfChange {
  enum class Type { kAddVoter, kRemoveVoter };
  Type type = Type::kAddVoter;
  NodeId node_id = kNoNode;
};

// "1,2,4" for {1, 2, 4}. Requires: sorted, unique.
std::string EncodeMembers(const std::vector<NodeId>& members);
// InvalidArgument unless `data` is a comma-separated, strictly increasing list of non-zero ids.
common::Result<std::vector<NodeId>> DecodeMembers(std::string_view data);
// The voter set after `change`; InvalidArgument when adding a voter already present, removing
// one that is absent, or removing the last voter.
common::Result<std::vector<NodeId>> ApplyConfChange(const std::vector<NodeId>& members,
                                                    const ConfChange& change);
// True when `next` adds or removes exactly one voter of `current`.
bool DiffersByOneVoter(const std::vector<NodeId>& current, const std::vector<NodeId>& next);

}  // namespace refdb::raft

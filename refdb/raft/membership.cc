#include "refdb/raft/membership.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace refdb::raft {

std::string EncodeMembers(const std::vector<NodeId>& members) {
  std::string out;
  for (NodeId id : members) {
    if (!out.empty()) out += ",";
    out += std::to_string(id);
  }
  return out;
}

common::Result<std::vector<NodeId>> DecodeMembers(std::string_view data) {
  const auto bad = [whole = data] {
    return common::Status::InvalidArgument("membership \"" + std::string(whole) +
                                           "\": want increasing non-zero ids joined by ','");
  };
  std::vector<NodeId> members;
  while (!data.empty()) {
    NodeId id = 0;
    const auto [end, error] = std::from_chars(data.data(), data.data() + data.size(), id);
    if (error != std::errc() || id == kNoNode) return bad();
    if (!members.empty() && id <= members.back()) return bad();
    members.push_back(id);
    data.remove_prefix(static_cast<size_t>(end - data.data()));
    if (!data.empty()) {
      if (data.front() != ',' || data.size() == 1) return bad();
      data.remove_prefix(1);
    }
  }
  if (members.empty()) return bad();
  return members;
}

common::Result<std::vector<NodeId>> ApplyConfChange(const std::vector<NodeId>& members,
                                                    const ConfChange& change) {
  const std::string what = "membership change of node " + std::to_string(change.node_id) + ": ";
  if (change.node_id == kNoNode) return common::Status::InvalidArgument(what + "id 0");
  const bool present = std::binary_search(members.begin(), members.end(), change.node_id);
  std::vector<NodeId> next = members;
  if (change.type == ConfChange::Type::kAddVoter) {
    if (present) return common::Status::InvalidArgument(what + "already a voter");
    next.insert(std::upper_bound(next.begin(), next.end(), change.node_id), change.node_id);
    return next;
  }
  if (!present) return common::Status::InvalidArgument(what + "not a voter");
  if (members.size() == 1) return common::Status::InvalidArgument(what + "the last voter");
  next.erase(std::find(next.begin(), next.end(), change.node_id));
  return next;
}

bool DiffersByOneVoter(const std::vector<NodeId>& current, const std::vector<NodeId>& next) {
  std::vector<NodeId> difference;
  std::set_symmetric_difference(current.begin(), current.end(), next.begin(), next.end(),
                                std::back_inserter(difference));
  return difference.size() == 1 && !next.empty();
}

}  // namespace refdb::raft

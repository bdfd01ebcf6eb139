// Nemesis: the membership faults (member-remove, member-add, member-replace), which change the
// database's configuration through NodeControl's membership calls (etcd's Cluster API) and
// restart the targets as new members. The contract is in nemesis.h and fault.h.
#include <algorithm>
#include <string>

#include "nemesis/nemesis.h"

namespace nemesis {
namespace {

std::string NodeName(int node) { return "node " + std::to_string(node); }

}  // namespace

common::Status Nemesis::RemoveAndWipe(int node, uint64_t& old_id) {
  ASSIGN_OR_RETURN(std::vector<Member> members, control_.Members());
  auto it = std::find_if(members.begin(), members.end(),
                         [node](const Member& m) { return m.node == node; });
  if (it == members.end()) {
    return common::Status::NotFound(NodeName(node) + " is not a member of the configuration");
  }
  RETURN_IF_ERROR(control_.RemoveMember(it->id).WithContext(
      "remove member " + std::to_string(it->id) + " (" + NodeName(node) + ")"));
  old_id = it->id;
  out_of_cluster_.insert(node);  // from here the heal must add it back
  return control_.Wipe(node).WithContext("wipe " + NodeName(node));
}

common::Status Nemesis::ApplyMembership(Active& active) {
  for (int node : active.plan.targets) {
    auto killed = kills_.find(node);
    auto paused = pauses_.find(node);
    if (out_of_cluster_.count(node) != 0 || (killed != kills_.end() && killed->second > 0) ||
        (paused != pauses_.end() && paused->second > 0)) {
      return common::Status::InvalidArgument(
          NodeName(node) + " is down or out of the configuration under another fault");
    }
  }
  const FaultKind kind = active.plan.kind;
  common::Status status;
  for (int node : active.plan.targets) {
    uint64_t old_id = 0;
    status = RemoveAndWipe(node, old_id);
    if (old_id != 0) active.old_ids[node] = old_id;
    if (!status.ok()) break;
    if (kind == FaultKind::kMemberRemove) continue;
    auto added = control_.AddMember(node);
    if (!added.ok()) {
      status = added.status().WithContext("add " + NodeName(node) + " back");
      break;
    }
    active.new_ids[node] = *added;
    if (kind != FaultKind::kMemberReplace) continue;
    status = Restart(node);
    if (!status.ok()) break;
    out_of_cluster_.erase(node);  // replaced: whole again
  }
  if (status.ok()) return status;
  // Half-way: give back what it took, so the cluster is whole again (the fault is failed).
  KeepFirst(status, UndoMembership(active));
  return status;
}

// Each target still out of the configuration (or down) is added back as a new member (unless
// it already was) and started; a replaced target needs nothing.
common::Status Nemesis::UndoMembership(const Active& active) {
  common::Status first;
  for (const auto& [node, old_id] : active.old_ids) {
    if (out_of_cluster_.erase(node) == 0) continue;
    if (active.new_ids.count(node) == 0) {
      auto added = control_.AddMember(node);
      if (!added.ok()) {
        KeepFirst(first, added.status().WithContext("add " + NodeName(node) + " back"));
        continue;
      }
    }
    KeepFirst(first, Restart(node));
  }
  return first;
}

void Nemesis::VerifyMembership(const Active& active, const AddProbe& add) {
  auto members = control_.Members();
  if (!members.ok()) {
    add("members", active.plan.targets.empty() ? 0 : active.plan.targets.front(), 0, false,
        members.status().message());
    return;
  }
  auto listed = [&](uint64_t id) {
    return std::any_of(members->begin(), members->end(),
                       [id](const Member& m) { return m.id == id; });
  };
  for (const auto& [node, old_id] : active.old_ids) {
    add("member-removed", node, 0, !listed(old_id),
        "member " + std::to_string(old_id) + " is still listed");
  }
  for (const auto& [node, new_id] : active.new_ids) {
    add("member-added", node, 0, listed(new_id),
        "member " + std::to_string(new_id) + " is not listed");
  }
}

}  // namespace nemesis

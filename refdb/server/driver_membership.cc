// The server loop's side of membership changes: configuration changes proposed for etcd's
// Cluster.MemberAdd / MemberRemove, and the address book of members added since bootstrap.
#include <utility>

#include "common/check.h"
#include "refdb/server/driver.h"

namespace refdb::server {

void Driver::ProposeConfChange(ConfChangeInput& input) {
  if (!node_->is_leader()) {
    input.reply->Set({.code = ReplyCode::kNotLeader, .message = "not the leader"});
    return;
  }
  const uint64_t index = node_->last_index() + 1;
  common::Status status = node_->ProposeConfChange(input.change);
  if (!status.ok()) {
    // Not proposed: a second change while one is pending, no entry of this term committed yet,
    // or a change that is no change (the caller checks membership first).
    input.reply->Set({.code = ReplyCode::kRejected, .message = status.message()});
    return;
  }
  CHECK(node_->last_index() == index)
      << "configuration change proposed at " << index << " ended at " << node_->last_index();
  pending_writes_[index] = {.reply = std::move(input.reply),
                            .conf_data = raft::EncodeMembers(node_->members())};
}

void Driver::LearnMemberAddresses() {
  // Called rarely (opening, a restored snapshot, a MemberAdd applied): the copy is cheap.
  for (const auto& [id, address] : state_machine_.member_addresses()) {
    std::string& known = addresses_[id];
    if (known == address) continue;
    known = address;
    if (id != options_.id) transport_->AddPeer(id, address);
  }
  common::MutexLock lock(mu_);
  published_addresses_ = addresses_;
}

std::map<uint64_t, std::string> Driver::member_addresses() const {
  common::MutexLock lock(mu_);
  return published_addresses_;
}

}  // namespace refdb::server

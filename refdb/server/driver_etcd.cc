// The server loop's side of etcd's API: answering reads and expiring leases.
#include <memory>
#include <utility>

#include "refdb/server/driver.h"

namespace refdb::server {

namespace pb = etcdserverpb;

ReadReply Driver::AnswerRead(const ReadInput& read) {
  if (std::holds_alternative<std::monostate>(read.etcd)) {
    return {.response = state_machine_.Get(read.key)};
  }
  if (const auto* range = std::get_if<pb::RangeRequest>(&read.etcd)) {
    KvStateMachine::RangeAnswer answer = state_machine_.Range(*range);
    return {.range = std::move(answer.response), .etcd_error = std::move(answer.error)};
  }
  if (const auto* compact = std::get_if<pb::CompactionRequest>(&read.etcd)) {
    // Only the newest revision is ever kept: compacting up to it has nothing left to do.
    const int64_t revision = state_machine_.revision();
    if (compact->revision() > revision) {
      return {.etcd_error = EtcdFail(KvStateMachine::kOutOfRange,
                                     "etcdserver: mvcc: required revision is a future revision")};
    }
    ReadReply reply;
    reply.compaction.mutable_header()->set_revision(revision);
    return reply;
  }
  ReadReply reply = AnswerLeaseRead(read.etcd);
  if (reply.code == ReplyCode::kOk) {
    reply.time_to_live.mutable_header()->set_revision(state_machine_.revision());
    reply.leases.mutable_header()->set_revision(state_machine_.revision());
    reply.keep_alive.mutable_header()->set_revision(state_machine_.revision());
  }
  return reply;
}

// Lease reads need the leader's clock: a follower has no deadlines.
ReadReply Driver::AnswerLeaseRead(const EtcdRead& read) {
  if (!lessor_.is_primary()) {
    return {.code = ReplyCode::kNotLeader, .message = "leases are kept by the leader"};
  }
  ReadReply reply;
  const Lessor::Clock::time_point now = now_;
  // A lease granted in this iteration's second apply is not synced yet.
  lessor_.Sync(state_machine_, now);
  const auto& leases = state_machine_.leases();
  if (const auto* ttl = std::get_if<pb::LeaseTimeToLiveRequest>(&read)) {
    pb::LeaseTimeToLiveResponse& r = reply.time_to_live;
    r.set_id(ttl->id());
    auto it = leases.find(ttl->id());
    r.set_ttl(it == leases.end() ? -1 : lessor_.RemainingSeconds(ttl->id(), now));
    if (it != leases.end()) {
      r.set_grantedttl(it->second.ttl_seconds);
      if (ttl->keys()) {
        for (const std::string& key : it->second.keys) r.add_keys(key);
      }
    }
  } else if (std::holds_alternative<pb::LeaseLeasesRequest>(read)) {
    for (const auto& [id, lease] : leases) reply.leases.add_leases()->set_id(id);
  } else if (const auto* keep_alive = std::get_if<pb::LeaseKeepAliveRequest>(&read)) {
    reply.keep_alive.set_id(keep_alive->id());
    reply.keep_alive.set_ttl(lessor_.Renew(keep_alive->id(), now));
  }
  return reply;
}

void Driver::ExpireLeases() {
  if (!node_->is_leader()) {
    if (lessor_.is_primary()) lessor_.Demote();
    return;
  }
  const Lessor::Clock::time_point now = now_;
  if (!lessor_.is_primary()) lessor_.Promote(state_machine_, now);
  lessor_.Sync(state_machine_, now);
  for (int64_t id : lessor_.TakeExpired(now)) {
    commandpb::Command revoke;
    revoke.mutable_lease_revoke()->set_id(id);
    // Nobody waits for it: if it is lost, the lease is handed out again (Lessor::kRevokeRetry).
    writes_to_propose_.push_back(
        {.command = std::move(revoke), .reply = std::make_shared<Reply<WriteReply>>()});
  }
}

}  // namespace refdb::server

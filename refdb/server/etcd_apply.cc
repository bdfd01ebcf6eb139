// KvStateMachine, etcd's writes: Put, DeleteRange, Txn, and the lease commands. Each applied
// command writes at most one new store revision (WriteRevision); a refused command (an
// EtcdError) changes nothing, on every replica alike.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "refdb/server/kv_state_machine.h"

namespace refdb::server {

using commandpb::Command;
using commandpb::CommandResult;
using commandpb::EtcdError;
namespace pb = etcdserverpb;

namespace {

// A server-chosen lease id: splitmix64 of the grant count, made positive (etcd prints ids as
// unsigned hex and refuses negative ones). The same on every replica.
int64_t LeaseIdFor(uint64_t n) {
  uint64_t x = n * 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<int64_t>(x >> 1);
}

template <typename T>
int ThreeWay(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

CommandResult KvStateMachine::ApplyEtcd(const Command& command) {
  CommandResult result;
  EtcdError error;
  switch (command.op_case()) {
    case Command::kEtcdPut:
      error = Validate(command.etcd_put());
      if (error.code() == 0) error = CheckPut(command.etcd_put());
      if (error.code() == 0) *result.mutable_etcd_put() = EtcdPut(command.etcd_put());
      break;
    case Command::kEtcdDeleteRange:
      error = Validate(command.etcd_delete_range());
      if (error.code() == 0) {
        *result.mutable_etcd_delete_range() = EtcdDeleteRange(command.etcd_delete_range());
      }
      break;
    case Command::kEtcdTxn:
      error = Validate(command.etcd_txn());
      if (error.code() == 0) error = CheckTxn(command.etcd_txn());
      if (error.code() == 0) *result.mutable_etcd_txn() = EtcdTxn(command.etcd_txn());
      break;
    case Command::kLeaseGrant:
      return LeaseGrant(command.lease_grant());
    case Command::kLeaseRevoke:
      return LeaseRevoke(command.lease_revoke());
    default:
      break;
  }
  if (error.code() != 0) *result.mutable_etcd_error() = std::move(error);
  return result;
}

EtcdError KvStateMachine::CheckPut(const pb::PutRequest& put) const {
  if (put.lease() != 0 && !leases_.contains(put.lease())) {
    return EtcdFail(kNotFound, "etcdserver: requested lease not found");
  }
  if ((put.ignore_value() || put.ignore_lease()) && !pairs_.contains(put.key())) {
    return EtcdFail(kInvalidArgument, "etcdserver: key not found");
  }
  return {};
}

// What would make the chosen branch fail part-way is checked before it runs, so a txn is
// applied whole or not at all.
EtcdError KvStateMachine::CheckTxn(const pb::TxnRequest& txn) const {
  const bool succeeded = std::all_of(txn.compare().begin(), txn.compare().end(),
                                     [this](const pb::Compare& c) { return Compare(c); });
  for (const pb::RequestOp& op : succeeded ? txn.success() : txn.failure()) {
    if (op.has_request_put()) {
      if (EtcdError e = CheckPut(op.request_put()); e.code() != 0) return e;
    } else if (op.has_request_range()) {
      if (EtcdError e = Range(op.request_range()).error; e.code() != 0) return e;
    }
  }
  return {};
}

pb::PutResponse KvStateMachine::EtcdPut(const pb::PutRequest& put) {
  pb::PutResponse response;
  auto it = pairs_.find(put.key());
  std::string value = put.value();
  int64_t lease = put.lease();
  if (it != pairs_.end()) {
    if (put.prev_kv()) Fill(it->first, it->second, *response.mutable_prev_kv());
    if (put.ignore_value()) value = it->second.value;
    if (put.ignore_lease()) lease = it->second.lease;
  }
  SetPair(put.key(), value, lease);
  response.mutable_header()->set_revision(revision_);
  return response;
}

pb::DeleteRangeResponse KvStateMachine::EtcdDeleteRange(const pb::DeleteRangeRequest& del) {
  pb::DeleteRangeResponse response;
  auto [first, last] = Span(del.key(), del.range_end());
  std::vector<std::string> keys;
  for (auto it = first; it != last; ++it) {
    if (del.prev_kv()) Fill(it->first, it->second, *response.add_prev_kvs());
    keys.push_back(it->first);
  }
  for (const std::string& key : keys) ErasePair(key);
  response.set_deleted(static_cast<int64_t>(keys.size()));
  response.mutable_header()->set_revision(revision_);
  return response;
}

pb::TxnResponse KvStateMachine::EtcdTxn(const pb::TxnRequest& txn) {
  pb::TxnResponse response;
  const bool succeeded = std::all_of(txn.compare().begin(), txn.compare().end(),
                                     [this](const pb::Compare& c) { return Compare(c); });
  response.set_succeeded(succeeded);
  for (const pb::RequestOp& op : succeeded ? txn.success() : txn.failure()) {
    *response.add_responses() = EtcdOp(op);
  }
  response.mutable_header()->set_revision(revision_);
  return response;
}

pb::ResponseOp KvStateMachine::EtcdOp(const pb::RequestOp& op) {
  pb::ResponseOp response;
  switch (op.request_case()) {
    case pb::RequestOp::kRequestRange:
      *response.mutable_response_range() = Range(op.request_range()).response;
      break;
    case pb::RequestOp::kRequestPut:
      *response.mutable_response_put() = EtcdPut(op.request_put());
      break;
    case pb::RequestOp::kRequestDeleteRange:
      *response.mutable_response_delete_range() = EtcdDeleteRange(op.request_delete_range());
      break;
    default:  // refused by Validate
      break;
  }
  return response;
}

// etcd: a compare over no key compares a zero record, except that a value compare fails.
bool KvStateMachine::Compare(const pb::Compare& compare) const {
  auto [first, last] = Span(compare.key(), compare.range_end());
  if (first == last) return compare.target() != pb::Compare::VALUE && CompareOne(compare, {});
  for (auto it = first; it != last; ++it) {
    if (!CompareOne(compare, it->second)) return false;
  }
  return true;
}

bool KvStateMachine::CompareOne(const pb::Compare& compare, const Record& record) {
  int c = 0;
  switch (compare.target()) {
    case pb::Compare::VERSION:
      c = ThreeWay(record.version, compare.version());
      break;
    case pb::Compare::CREATE:
      c = ThreeWay(record.create_revision, compare.create_revision());
      break;
    case pb::Compare::MOD:
      c = ThreeWay(record.mod_revision, compare.mod_revision());
      break;
    case pb::Compare::VALUE:
      c = ThreeWay(record.value.compare(compare.value()), 0);
      break;
    case pb::Compare::LEASE:
      c = ThreeWay(record.lease, compare.lease());
      break;
    default:
      return false;
  }
  switch (compare.result()) {
    case pb::Compare::EQUAL:
      return c == 0;
    case pb::Compare::GREATER:
      return c > 0;
    case pb::Compare::LESS:
      return c < 0;
    case pb::Compare::NOT_EQUAL:
      return c != 0;
    default:
      return false;
  }
}

CommandResult KvStateMachine::LeaseGrant(const pb::LeaseGrantRequest& grant) {
  CommandResult result;
  int64_t id = grant.id();
  if (grant.ttl() > kMaxLeaseTtlSeconds) {
    *result.mutable_etcd_error() = EtcdFail(kOutOfRange, "etcdserver: too large lease TTL");
  } else if (id < 0) {
    *result.mutable_etcd_error() = EtcdFail(kInvalidArgument, "etcdserver: negative lease id");
  } else if (leases_.contains(id)) {
    *result.mutable_etcd_error() =
        EtcdFail(kFailedPrecondition, "etcdserver: lease already exists");
  }
  if (result.has_etcd_error()) return result;
  while (id == 0 || leases_.contains(id)) id = LeaseIdFor(++leases_granted_);
  const int64_t ttl = std::max(grant.ttl(), kMinLeaseTtlSeconds);
  leases_[id].ttl_seconds = ttl;
  ++lease_epoch_;
  pb::LeaseGrantResponse& response = *result.mutable_lease_grant();
  response.set_id(id);
  response.set_ttl(ttl);
  response.mutable_header()->set_revision(revision_);
  return result;
}

CommandResult KvStateMachine::LeaseRevoke(const pb::LeaseRevokeRequest& revoke) {
  CommandResult result;
  auto it = leases_.find(revoke.id());
  if (it == leases_.end()) {
    *result.mutable_etcd_error() = EtcdFail(kNotFound, "etcdserver: requested lease not found");
    return result;
  }
  const std::set<std::string> keys = std::move(it->second.keys);
  leases_.erase(it);
  for (const std::string& key : keys) ErasePair(key);  // all in one revision
  ++lease_epoch_;
  result.mutable_lease_revoke()->mutable_header()->set_revision(revision_);
  return result;
}

}  // namespace refdb::server

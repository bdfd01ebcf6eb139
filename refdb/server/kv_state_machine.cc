#include "refdb/server/kv_state_machine.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace refdb::server {

using commandpb::Command;
using commandpb::CommandResult;
using common::Status;

namespace {

// splitmix64's finaliser: spreads every input bit over the whole word.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// FNV-1a 64 over the bytes, then mixed.
uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix(h);
}

}  // namespace

uint64_t KvStateMachine::PairHash(std::string_view key, std::string_view value) {
  // The key's length is hashed in, so ("ab","c") and ("a","bc") differ.
  return Mix(HashBytes(key, key.size()) + 0x9e3779b97f4a7c15ULL * HashBytes(value, 1));
}

int64_t KvStateMachine::WriteRevision() {
  if (!revision_taken_) {
    ++revision_;
    revision_taken_ = true;
  }
  return revision_;
}

void KvStateMachine::SetPair(const std::string& key, const std::string& value, int64_t lease) {
  const int64_t revision = WriteRevision();
  auto [it, inserted] = pairs_.try_emplace(key);
  Record& record = it->second;
  if (inserted) {
    record.create_revision = revision;
    size_bytes_ += static_cast<int64_t>(key.size());
  } else {
    digest_ -= PairHash(key, record.value);
    size_bytes_ -= static_cast<int64_t>(record.value.size());
  }
  record.value = value;
  record.mod_revision = revision;
  ++record.version;
  Attach(key, record.lease, lease);
  record.lease = lease;
  digest_ += PairHash(key, value);
  size_bytes_ += static_cast<int64_t>(value.size());
}

bool KvStateMachine::ErasePair(const std::string& key) {
  auto it = pairs_.find(key);
  if (it == pairs_.end()) return false;
  WriteRevision();
  digest_ -= PairHash(key, it->second.value);
  size_bytes_ -= static_cast<int64_t>(key.size() + it->second.value.size());
  Attach(key, it->second.lease, 0);
  pairs_.erase(it);
  return true;
}

void KvStateMachine::Attach(const std::string& key, int64_t old_lease, int64_t new_lease) {
  if (old_lease == new_lease) return;
  if (auto it = leases_.find(old_lease); it != leases_.end()) it->second.keys.erase(key);
  if (auto it = leases_.find(new_lease); it != leases_.end()) it->second.keys.insert(key);
}

CommandResult KvStateMachine::Apply(const Command& command) {
  sessions_.Advance(command.log_time_ns());
  const uint64_t client_id = command.write_id().client_id();
  const uint64_t sequence = command.write_id().sequence();
  if (client_id == 0) return ApplyOp(command);
  const SessionTable::Check check = sessions_.Find(client_id, sequence, command.log_time_ns());
  CommandResult refused;
  switch (check.verdict) {
    case SessionTable::Verdict::kDuplicate:
      return *check.last_result;
    case SessionTable::Verdict::kStale:
      refused.set_code(CommandResult::STALE_SEQUENCE);
      return refused;
    case SessionTable::Verdict::kExpired:
      refused.set_code(CommandResult::SESSION_EXPIRED);
      return refused;
    case SessionTable::Verdict::kApply:
      break;
  }
  CommandResult result = ApplyOp(command);
  sessions_.Record(client_id, sequence, result);
  return result;
}

CommandResult KvStateMachine::ApplyOp(const Command& command) {
  revision_taken_ = false;
  CommandResult result;
  switch (command.op_case()) {
    case Command::kPut:
      SetPair(command.put().key(), command.put().value());
      result.mutable_put();
      break;
    case Command::kDel:
      result.mutable_del()->set_existed(ErasePair(command.del().key()));
      break;
    case Command::kCas:
      *result.mutable_cas() = ApplyCas(command.cas());
      break;
    case Command::kTxn:
      *result.mutable_txn() = ApplyTxn(command.txn());
      break;
    case Command::kEtcdPut:
    case Command::kEtcdDeleteRange:
    case Command::kEtcdTxn:
    case Command::kLeaseGrant:
    case Command::kLeaseRevoke:
      return ApplyEtcd(command);
    case Command::kMemberAddress:
      *result.mutable_member_address() = ApplyMemberAddress(command.member_address());
      break;
    case Command::OP_NOT_SET:
      break;
  }
  return result;
}

// An id from the request (a replay of a recorded one) is kept; id 0 gets a fresh one.
commandpb::MemberAddress KvStateMachine::ApplyMemberAddress(
    const commandpb::MemberAddress& member) {
  commandpb::MemberAddress recorded = member;
  if (recorded.id() == 0) {
    recorded.set_id(std::max(last_member_id_, member.min_id()) + 1);
  }
  last_member_id_ = std::max(last_member_id_, recorded.id());
  member_addresses_[recorded.id()] = recorded.address();
  return recorded;
}

kvpb::CompareAndSwapResponse KvStateMachine::ApplyCas(const kvpb::CompareAndSwapRequest& cas) {
  kvpb::CompareAndSwapResponse response;
  auto it = pairs_.find(cas.key());
  response.set_found(it != pairs_.end());
  if (it != pairs_.end()) response.set_current_value(it->second.value);
  const bool matches = cas.has_expected_value()
                           ? it != pairs_.end() && it->second.value == cas.expected_value()
                           : it == pairs_.end();
  response.set_succeeded(matches);
  if (matches) SetPair(cas.key(), cas.new_value());
  return response;
}

kvpb::TxnResponse KvStateMachine::ApplyTxn(const kvpb::TxnRequest& txn) {
  kvpb::TxnResponse response;
  for (const kvpb::TxnOp& op : txn.ops()) {
    kvpb::TxnResult& r = *response.add_results();
    auto it = pairs_.find(op.key());
    r.set_found(it != pairs_.end());
    switch (op.kind()) {
      case kvpb::TxnOp::GET:
        if (it != pairs_.end()) r.set_value(it->second.value);
        break;
      case kvpb::TxnOp::PUT:
        SetPair(op.key(), op.value());
        break;
      case kvpb::TxnOp::DELETE:
        ErasePair(op.key());
        break;
      default:
        break;
    }
  }
  return response;
}

kvpb::GetResponse KvStateMachine::Get(const std::string& key) const {
  kvpb::GetResponse response;
  auto it = pairs_.find(key);
  response.set_found(it != pairs_.end());
  if (it != pairs_.end()) response.set_value(it->second.value);
  return response;
}

std::string KvStateMachine::Serialize() const {
  commandpb::StateImage image;
  for (const auto& [key, record] : pairs_) {
    commandpb::KeyValue& kv = *image.add_pairs();
    kv.set_key(key);
    kv.set_value(record.value);
    kv.set_create_revision(record.create_revision);
    kv.set_mod_revision(record.mod_revision);
    kv.set_version(record.version);
    kv.set_lease(record.lease);
  }
  image.set_revision(revision_);
  for (const auto& [id, lease] : leases_) {
    commandpb::Lease& l = *image.add_leases();
    l.set_id(id);
    l.set_ttl_seconds(lease.ttl_seconds);
  }
  image.set_leases_granted(leases_granted_);
  sessions_.SaveTo(image);
  for (const auto& [id, address] : member_addresses_) {
    commandpb::MemberAddress& m = *image.add_member_addresses();
    m.set_id(id);
    m.set_address(address);
  }
  image.set_last_member_id(last_member_id_);
  std::string data;
  image.SerializeToString(&data);
  return data;
}

Status KvStateMachine::Restore(std::string_view data) {
  // Protobuf takes the size as an int: past 2 GiB the cast would wrap to a negative size.
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("state machine: snapshot of " + std::to_string(data.size()) +
                                   " bytes is past protobuf's 2 GiB limit");
  }
  commandpb::StateImage image;
  if (!image.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Status::InvalidArgument("state machine: snapshot of " + std::to_string(data.size()) +
                                   " bytes does not parse");
  }
  pairs_.clear();
  leases_.clear();
  digest_ = 0;
  size_bytes_ = 0;
  for (const commandpb::Lease& l : image.leases()) leases_[l.id()].ttl_seconds = l.ttl_seconds();
  for (const commandpb::KeyValue& kv : image.pairs()) {
    SetPair(kv.key(), kv.value(), kv.lease());
    Record& record = pairs_[kv.key()];
    record.create_revision = kv.create_revision();
    record.mod_revision = kv.mod_revision();
    record.version = kv.version();
  }
  revision_ = std::max<int64_t>(image.revision(), 1);
  revision_taken_ = false;
  leases_granted_ = image.leases_granted();
  ++lease_epoch_;
  sessions_.RestoreFrom(image);
  member_addresses_.clear();
  for (const commandpb::MemberAddress& m : image.member_addresses()) {
    member_addresses_[m.id()] = m.address();
  }
  last_member_id_ = image.last_member_id();
  return Status::Ok();
}

}  // namespace refdb::server

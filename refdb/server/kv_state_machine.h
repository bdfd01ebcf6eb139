// KvStateMachine: refdb's replicated state: a map from key to value plus the dedup table
// (client id -> last sequence number and its answer: SessionTable), so that a retried write is
// applied at most once. Apply is a pure function of the state and the command: every replica
// applying the same log holds the same state. Both the map and the dedup table are in snapshots.
//
// Dedup rule for a write with (client id, sequence):
//   sequence >  last: apply, remember (sequence, answer);
//   sequence == last: do not apply, return the remembered answer (a retry of the last write);
//   sequence <  last: do not apply, answer STALE_SEQUENCE (the client has moved on; this is a
//                     late duplicate of a write whose outcome it already gave up on);
//   no session:       sequence 1 opens one; later ones answer SESSION_EXPIRED, not applied.
// Sessions expire by log time (the commands' stamps), see session_table.h.
// A write without a client id (0) is not deduplicated. Not thread-safe: the server loop owns it.
//
// digest(): a 64-bit digest of the key-value pairs (not the dedup table), kept up to date on
// every change: the wrapping sum of a hash of each (key, value). It depends only on the set of
// pairs, not on the order they were written in, so replicas holding the same pairs report the
// same digest and `splitbrain run`'s convergence check compares it.
//
// etcd's v3 model on the same pairs (etcd_apply.cc, etcd_range.cc): a store-wide revision,
// starting at 1, bumped once by every applied command that changes a key (whichever API it
// came through; a command that changes nothing leaves it); each key carries create_revision,
// mod_revision, version (writes since it was created) and its lease. Only the newest revision
// is kept: a read at an older one is refused (OUT_OF_RANGE, as etcd answers a compacted one).
// Leases (id, granted TTL, attached keys) are replicated state too; when they expire is not:
// the leader's Lessor (lessor.h) decides and proposes a revoke, which deletes the lease's keys
// in one revision, on every replica. The metadata and leases are in snapshots; the digest
// stays a function of the key-value pairs alone.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "command.pb.h"
#include "common/status.h"
#include "etcd_rpc.pb.h"
#include "kv.pb.h"
#include "refdb/server/session_table.h"

namespace refdb::server {

class KvStateMachine {
 public:
  // `session_timeout_ns`: log time a client session lives unused (0: for ever).
  explicit KvStateMachine(int64_t session_timeout_ns = SessionTable::kDefaultTimeoutNs)
      : sessions_(session_timeout_ns) {}

  commandpb::CommandResult Apply(const commandpb::Command& command);
  kvpb::GetResponse Get(const std::string& key) const;
  // etcd's errors are gRPC status codes (the numbers are gRPC's); code 0 in an EtcdError: none.
  enum EtcdCode : int32_t {
    kInvalidArgument = 3,
    kNotFound = 5,
    kResourceExhausted = 8,
    kFailedPrecondition = 9,
    kOutOfRange = 11,
  };
  struct RangeAnswer {
    etcdserverpb::RangeResponse response;
    commandpb::EtcdError error;  // code 0: ok
  };
  // etcd's KV.Range at the newest revision (etcd_range.cc). OUT_OF_RANGE for another
  // revision, INVALID_ARGUMENT for a bad request, RESOURCE_EXHAUSTED past kMaxRangeBytes.
  RangeAnswer Range(const etcdserverpb::RangeRequest& r) const;
  // A request error as etcd would answer it, checked before anything is proposed (and again
  // when applied): INVALID_ARGUMENT naming the problem (an empty key, an unknown compare target
  // or result, a compare operand of another type than its target, ...). Code 0: valid.
  static commandpb::EtcdError Validate(const etcdserverpb::RangeRequest& r);
  static commandpb::EtcdError Validate(const etcdserverpb::PutRequest& put);
  static commandpb::EtcdError Validate(const etcdserverpb::DeleteRangeRequest& del);
  static commandpb::EtcdError Validate(const etcdserverpb::TxnRequest& txn);

  struct LeaseInfo {
    int64_t ttl_seconds = 0;
    std::set<std::string> keys;
  };
  const std::map<int64_t, LeaseInfo>& leases() const { return leases_; }
  // Changes whenever a lease is granted or revoked, or the state is restored.
  uint64_t lease_epoch() const { return lease_epoch_; }
  int64_t revision() const { return revision_; }
  // Peer addresses of the members added through etcd's MemberAdd (id -> address), in snapshots.
  const std::map<uint64_t, std::string>& member_addresses() const { return member_addresses_; }
  // Bytes of keys and values: what etcd's Maintenance.Status calls the db size.
  int64_t size_bytes() const { return size_bytes_; }

  static constexpr int64_t kMinLeaseTtlSeconds = 1;
  static constexpr int64_t kMaxLeaseTtlSeconds = 9'000'000'000;
  static constexpr size_t kMaxRangeBytes = 64 << 20;
  static constexpr int kMaxTxnOps = 128;

  // The whole state (pairs and dedup table) as bytes, and back. Restore replaces the state;
  // InvalidArgument when `data` does not parse.
  std::string Serialize() const;
  common::Status Restore(std::string_view data);

  size_t size() const { return pairs_.size(); }
  const SessionTable& sessions() const { return sessions_; }
  uint64_t digest() const { return digest_; }

 private:
  commandpb::CommandResult ApplyOp(const commandpb::Command& command);
  kvpb::CompareAndSwapResponse ApplyCas(const kvpb::CompareAndSwapRequest& cas);
  kvpb::TxnResponse ApplyTxn(const kvpb::TxnRequest& txn);
  commandpb::MemberAddress ApplyMemberAddress(const commandpb::MemberAddress& member);

  struct Record {
    std::string value;
    int64_t create_revision = 0;
    int64_t mod_revision = 0;
    int64_t version = 0;
    int64_t lease = 0;
  };
  using Pairs = std::map<std::string, Record>;

  // etcd_apply.cc: etcd's writes and leases.
  commandpb::CommandResult ApplyEtcd(const commandpb::Command& command);
  etcdserverpb::PutResponse EtcdPut(const etcdserverpb::PutRequest& put);
  etcdserverpb::DeleteRangeResponse EtcdDeleteRange(const etcdserverpb::DeleteRangeRequest& del);
  etcdserverpb::TxnResponse EtcdTxn(const etcdserverpb::TxnRequest& txn);
  etcdserverpb::ResponseOp EtcdOp(const etcdserverpb::RequestOp& op);
  commandpb::EtcdError CheckTxn(const etcdserverpb::TxnRequest& txn) const;
  commandpb::EtcdError CheckPut(const etcdserverpb::PutRequest& put) const;
  bool Compare(const etcdserverpb::Compare& compare) const;
  static bool CompareOne(const etcdserverpb::Compare& compare, const Record& record);
  commandpb::CommandResult LeaseGrant(const etcdserverpb::LeaseGrantRequest& grant);
  commandpb::CommandResult LeaseRevoke(const etcdserverpb::LeaseRevokeRequest& revoke);
  // etcd_range.cc: the keys of [key, range_end) as etcd reads a range.
  std::pair<Pairs::const_iterator, Pairs::const_iterator> Span(const std::string& key,
                                                               const std::string& range_end) const;
  static void Fill(const std::string& key, const Record& record, mvccpb::KeyValue& kv);

  static uint64_t PairHash(std::string_view key, std::string_view value);
  // A write of the command being applied: the new store revision, taken on first use.
  int64_t WriteRevision();
  void SetPair(const std::string& key, const std::string& value, int64_t lease = 0);
  bool ErasePair(const std::string& key);  // whether it existed
  void Attach(const std::string& key, int64_t old_lease, int64_t new_lease);

  Pairs pairs_;
  uint64_t digest_ = 0;
  int64_t size_bytes_ = 0;
  SessionTable sessions_;
  int64_t revision_ = 1;
  bool revision_taken_ = false;  // this command already wrote at revision_
  std::map<int64_t, LeaseInfo> leases_;
  uint64_t leases_granted_ = 0;
  uint64_t lease_epoch_ = 0;
  std::map<uint64_t, std::string> member_addresses_;
  uint64_t last_member_id_ = 0;
};

// An EtcdError with `code` (KvStateMachine::EtcdCode) and `message`.
commandpb::EtcdError EtcdFail(int32_t code, std::string message);

}  // namespace refdb::server

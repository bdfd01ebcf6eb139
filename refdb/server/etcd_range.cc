// KvStateMachine, etcd's reads: which keys a range names, KV.Range, and request validation.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "refdb/server/kv_state_machine.h"

namespace refdb::server {

using commandpb::EtcdError;
namespace pb = etcdserverpb;

namespace {

EtcdError Ok() { return {}; }

// etcd answers a missing key with exactly this message (rpctypes.ErrGRPCEmptyKey).
EtcdError EmptyKey() {
  return EtcdFail(KvStateMachine::kInvalidArgument, "etcdserver: key is not provided");
}

// The operand field a compare target needs.
pb::Compare::TargetUnionCase OperandOf(pb::Compare::CompareTarget target) {
  switch (target) {
    case pb::Compare::VERSION:
      return pb::Compare::kVersion;
    case pb::Compare::CREATE:
      return pb::Compare::kCreateRevision;
    case pb::Compare::MOD:
      return pb::Compare::kModRevision;
    case pb::Compare::VALUE:
      return pb::Compare::kValue;
    case pb::Compare::LEASE:
      return pb::Compare::kLease;
    default:
      return pb::Compare::TARGET_UNION_NOT_SET;
  }
}

EtcdError ValidateCompare(const pb::Compare& c) {
  if (c.key().empty()) return EmptyKey();
  if (!pb::Compare::CompareResult_IsValid(c.result())) {
    return EtcdFail(KvStateMachine::kInvalidArgument,
                    "etcdserver: unknown compare result " + std::to_string(c.result()));
  }
  const pb::Compare::TargetUnionCase operand = OperandOf(c.target());
  if (operand == pb::Compare::TARGET_UNION_NOT_SET) {
    return EtcdFail(KvStateMachine::kInvalidArgument,
                    "etcdserver: unknown compare target " + std::to_string(c.target()));
  }
  if (c.target_union_case() != operand) {
    return EtcdFail(KvStateMachine::kInvalidArgument,
                    "etcdserver: compare on " + pb::Compare::CompareTarget_Name(c.target()) +
                        " needs a " + pb::Compare::CompareTarget_Name(c.target()) +
                        " operand (field " + std::to_string(static_cast<int>(operand)) + ")");
  }
  return Ok();
}

bool Covers(const pb::DeleteRangeRequest& del, const std::string& key) {
  if (del.range_end().empty()) return key == del.key();
  if (del.range_end() == std::string(1, '\0')) return key >= del.key();
  return key >= del.key() && key < del.range_end();
}

// etcd refuses a branch that writes one key twice: two puts, or a put inside a delete's range.
EtcdError CheckDuplicateKeys(const google::protobuf::RepeatedPtrField<pb::RequestOp>& ops) {
  std::set<std::string> puts;
  for (const pb::RequestOp& op : ops) {
    if (op.has_request_put() && !puts.insert(op.request_put().key()).second) {
      return EtcdFail(KvStateMachine::kInvalidArgument,
                      "etcdserver: duplicate key given in txn request");
    }
  }
  for (const pb::RequestOp& op : ops) {
    if (!op.has_request_delete_range()) continue;
    for (const std::string& key : puts) {
      if (Covers(op.request_delete_range(), key)) {
        return EtcdFail(KvStateMachine::kInvalidArgument,
                        "etcdserver: duplicate key given in txn request");
      }
    }
  }
  return Ok();
}

EtcdError ValidateOps(const google::protobuf::RepeatedPtrField<pb::RequestOp>& ops) {
  for (const pb::RequestOp& op : ops) {
    EtcdError e;
    switch (op.request_case()) {
      case pb::RequestOp::kRequestRange:
        e = KvStateMachine::Validate(op.request_range());
        break;
      case pb::RequestOp::kRequestPut:
        e = KvStateMachine::Validate(op.request_put());
        break;
      case pb::RequestOp::kRequestDeleteRange:
        e = KvStateMachine::Validate(op.request_delete_range());
        break;
      case pb::RequestOp::kRequestTxn:
        return EtcdFail(KvStateMachine::kInvalidArgument, "etcdserver: refdb has no nested txn");
      case pb::RequestOp::REQUEST_NOT_SET:
        return EtcdFail(KvStateMachine::kInvalidArgument, "etcdserver: txn op without a request");
    }
    if (e.code() != 0) return e;
  }
  return CheckDuplicateKeys(ops);
}

// The field a range is sorted by, as a three-way comparison.
int CompareBy(pb::RangeRequest::SortTarget target, const mvccpb::KeyValue& a,
              const mvccpb::KeyValue& b) {
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (target) {
    case pb::RangeRequest::VERSION:
      return three_way(a.version(), b.version());
    case pb::RangeRequest::CREATE:
      return three_way(a.create_revision(), b.create_revision());
    case pb::RangeRequest::MOD:
      return three_way(a.mod_revision(), b.mod_revision());
    case pb::RangeRequest::VALUE:
      return a.value().compare(b.value());
    default:
      return a.key().compare(b.key());
  }
}

void Sort(const pb::RangeRequest& r, std::vector<mvccpb::KeyValue>& kvs) {
  pb::RangeRequest::SortOrder order = r.sort_order();
  // etcd: a target other than the key without an order means ascending.
  if (order == pb::RangeRequest::NONE && r.sort_target() != pb::RangeRequest::KEY) {
    order = pb::RangeRequest::ASCEND;
  }
  if (order == pb::RangeRequest::NONE) return;  // already by key, ascending
  const bool descend = order == pb::RangeRequest::DESCEND;
  std::stable_sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
    const int c = CompareBy(r.sort_target(), a, b);
    return descend ? c > 0 : c < 0;
  });
}

bool PassesFilters(const pb::RangeRequest& r, const mvccpb::KeyValue& kv) {
  if (r.min_mod_revision() > 0 && kv.mod_revision() < r.min_mod_revision()) return false;
  if (r.max_mod_revision() > 0 && kv.mod_revision() > r.max_mod_revision()) return false;
  if (r.min_create_revision() > 0 && kv.create_revision() < r.min_create_revision()) return false;
  if (r.max_create_revision() > 0 && kv.create_revision() > r.max_create_revision()) return false;
  return true;
}

}  // namespace

EtcdError EtcdFail(int32_t code, std::string message) {
  EtcdError e;
  e.set_code(code);
  e.set_message(std::move(message));
  return e;
}

EtcdError KvStateMachine::Validate(const pb::RangeRequest& r) {
  if (r.key().empty()) return EmptyKey();
  if (r.limit() < 0) return EtcdFail(kInvalidArgument, "etcdserver: range limit must be >= 0");
  if (!pb::RangeRequest::SortOrder_IsValid(r.sort_order()) ||
      !pb::RangeRequest::SortTarget_IsValid(r.sort_target())) {
    return EtcdFail(kInvalidArgument, "etcdserver: unknown sort order or sort target");
  }
  return Ok();
}

EtcdError KvStateMachine::Validate(const pb::PutRequest& put) {
  if (put.key().empty()) return EmptyKey();
  if (put.ignore_value() && !put.value().empty()) {
    return EtcdFail(kInvalidArgument, "etcdserver: value is provided");
  }
  if (put.ignore_lease() && put.lease() != 0) {
    return EtcdFail(kInvalidArgument, "etcdserver: lease is provided");
  }
  return Ok();
}

EtcdError KvStateMachine::Validate(const pb::DeleteRangeRequest& del) {
  return del.key().empty() ? EmptyKey() : Ok();
}

EtcdError KvStateMachine::Validate(const pb::TxnRequest& txn) {
  if (txn.compare_size() + txn.success_size() > kMaxTxnOps ||
      txn.compare_size() + txn.failure_size() > kMaxTxnOps) {
    return EtcdFail(kInvalidArgument, "etcdserver: too many operations in txn request");
  }
  for (const pb::Compare& c : txn.compare()) {
    if (EtcdError e = ValidateCompare(c); e.code() != 0) return e;
  }
  if (EtcdError e = ValidateOps(txn.success()); e.code() != 0) return e;
  return ValidateOps(txn.failure());
}

std::pair<KvStateMachine::Pairs::const_iterator, KvStateMachine::Pairs::const_iterator>
KvStateMachine::Span(const std::string& key, const std::string& range_end) const {
  if (range_end.empty()) {
    auto it = pairs_.find(key);
    return {it, it == pairs_.end() ? it : std::next(it)};
  }
  auto first = pairs_.lower_bound(key);
  // A range end of one zero byte means every key from `key` on.
  if (range_end == std::string(1, '\0')) return {first, pairs_.end()};
  if (range_end <= key) return {pairs_.end(), pairs_.end()};
  return {first, pairs_.lower_bound(range_end)};
}

void KvStateMachine::Fill(const std::string& key, const Record& record, mvccpb::KeyValue& kv) {
  kv.set_key(key);
  kv.set_value(record.value);
  kv.set_create_revision(record.create_revision);
  kv.set_mod_revision(record.mod_revision);
  kv.set_version(record.version);
  kv.set_lease(record.lease);
}

KvStateMachine::RangeAnswer KvStateMachine::Range(const pb::RangeRequest& r) const {
  RangeAnswer answer;
  answer.error = Validate(r);
  if (answer.error.code() != 0) return answer;
  if (r.revision() > revision_) {
    answer.error =
        EtcdFail(kOutOfRange, "etcdserver: mvcc: required revision is a future revision");
    return answer;
  }
  if (r.revision() > 0 && r.revision() < revision_) {
    answer.error = EtcdFail(kOutOfRange,
                            "etcdserver: mvcc: required revision has been compacted (refdb keeps "
                            "only the newest revision, " +
                                std::to_string(revision_) + ")");
    return answer;
  }
  auto [first, last] = Span(r.key(), r.range_end());
  // In key order, the first limit + 1 matches decide the answer (the extra one sets `more`).
  const bool by_key =
      r.sort_target() == pb::RangeRequest::KEY && r.sort_order() != pb::RangeRequest::DESCEND;
  const size_t enough = by_key && r.limit() > 0 ? static_cast<size_t>(r.limit()) + 1 : SIZE_MAX;
  std::vector<mvccpb::KeyValue> kvs;
  size_t bytes = 0;
  int64_t count = 0;
  for (auto it = first; it != last; ++it) {
    ++count;
    if (r.count_only() || kvs.size() >= enough) continue;
    mvccpb::KeyValue kv;
    Fill(it->first, it->second, kv);
    if (!PassesFilters(r, kv)) continue;
    if (r.keys_only()) kv.clear_value();
    bytes += kv.ByteSizeLong();
    if (bytes > kMaxRangeBytes) {
      answer.error = EtcdFail(kResourceExhausted,
                              "etcdserver: range answer over " + std::to_string(kMaxRangeBytes) +
                                  " bytes; ask with a limit or a smaller range");
      return answer;
    }
    kvs.push_back(std::move(kv));
  }
  Sort(r, kvs);
  pb::RangeResponse& response = answer.response;
  if (r.limit() > 0 && kvs.size() > static_cast<size_t>(r.limit())) {
    kvs.resize(static_cast<size_t>(r.limit()));
    response.set_more(true);
  }
  for (mvccpb::KeyValue& kv : kvs) *response.add_kvs() = std::move(kv);
  response.set_count(count);
  response.mutable_header()->set_revision(revision_);
  return answer;
}

}  // namespace refdb::server

// KvStateMachine's etcd model: revisions, per-key metadata, ranges, txn compares, leases and
// their snapshot round trip.
#include <gtest/gtest.h>

#include <string>

#include "refdb/server/kv_state_machine.h"

namespace refdb::server {
namespace {

using commandpb::Command;
using commandpb::CommandResult;
namespace pb = etcdserverpb;

// A tiny language over one state machine: every write goes through Apply, as from the log.
class EtcdStateMachine : public ::testing::Test {
 protected:
  CommandResult Put(const std::string& key, const std::string& value, int64_t lease = 0) {
    Command c;
    c.mutable_etcd_put()->set_key(key);
    c.mutable_etcd_put()->set_value(value);
    c.mutable_etcd_put()->set_lease(lease);
    c.mutable_etcd_put()->set_prev_kv(true);
    return sm_.Apply(c);
  }
  CommandResult Delete(const std::string& key, const std::string& range_end = "") {
    Command c;
    c.mutable_etcd_delete_range()->set_key(key);
    c.mutable_etcd_delete_range()->set_range_end(range_end);
    c.mutable_etcd_delete_range()->set_prev_kv(true);
    return sm_.Apply(c);
  }
  CommandResult Txn(const pb::TxnRequest& txn) {
    Command c;
    *c.mutable_etcd_txn() = txn;
    return sm_.Apply(c);
  }
  int64_t Grant(int64_t ttl) {
    Command c;
    c.mutable_lease_grant()->set_ttl(ttl);
    const CommandResult r = sm_.Apply(c);
    EXPECT_FALSE(r.has_etcd_error()) << r.etcd_error().message();
    return r.lease_grant().id();
  }
  CommandResult Revoke(int64_t id) {
    Command c;
    c.mutable_lease_revoke()->set_id(id);
    return sm_.Apply(c);
  }
  pb::RangeResponse Range(const std::string& key, const std::string& range_end = "",
                          int64_t limit = 0) {
    pb::RangeRequest r;
    r.set_key(key);
    r.set_range_end(range_end);
    r.set_limit(limit);
    KvStateMachine::RangeAnswer a = sm_.Range(r);
    EXPECT_EQ(a.error.code(), 0) << a.error.message();
    return a.response;
  }
  mvccpb::KeyValue One(const std::string& key) {
    pb::RangeResponse r = Range(key);
    EXPECT_EQ(r.kvs_size(), 1) << key;
    return r.kvs_size() == 1 ? r.kvs(0) : mvccpb::KeyValue();
  }
  static pb::Compare Cmp(const std::string& key, pb::Compare::CompareTarget target,
                         pb::Compare::CompareResult result, int64_t number,
                         const std::string& value = "") {
    pb::Compare c;
    c.set_key(key);
    c.set_target(target);
    c.set_result(result);
    switch (target) {
      case pb::Compare::VERSION:
        c.set_version(number);
        break;
      case pb::Compare::CREATE:
        c.set_create_revision(number);
        break;
      case pb::Compare::MOD:
        c.set_mod_revision(number);
        break;
      case pb::Compare::LEASE:
        c.set_lease(number);
        break;
      default:
        c.set_value(value);
        break;
    }
    return c;
  }
  static pb::RequestOp PutOp(const std::string& key, const std::string& value) {
    pb::RequestOp op;
    op.mutable_request_put()->set_key(key);
    op.mutable_request_put()->set_value(value);
    return op;
  }

  KvStateMachine sm_;
};

TEST_F(EtcdStateMachine, EachWriteBumpsTheRevisionOnceAndKeysCarryTheirHistory) {
  EXPECT_EQ(sm_.revision(), 1);
  EXPECT_EQ(Put("a", "1").etcd_put().header().revision(), 2);
  const CommandResult second = Put("a", "2");
  EXPECT_EQ(second.etcd_put().header().revision(), 3);
  EXPECT_EQ(second.etcd_put().prev_kv().value(), "1");
  Put("b", "x");
  const mvccpb::KeyValue a = One("a");
  EXPECT_EQ(a.create_revision(), 2);
  EXPECT_EQ(a.mod_revision(), 3);
  EXPECT_EQ(a.version(), 2);
  EXPECT_EQ(Range("a").header().revision(), 4);
  // Deleting nothing writes no revision; deleting a key does, and a new put starts over.
  EXPECT_EQ(Delete("zzz").etcd_delete_range().deleted(), 0);
  EXPECT_EQ(sm_.revision(), 4);
  EXPECT_EQ(Delete("a").etcd_delete_range().deleted(), 1);
  EXPECT_EQ(sm_.revision(), 5);
  Put("a", "3");
  EXPECT_EQ(One("a").create_revision(), 6);
  EXPECT_EQ(One("a").version(), 1);
}

TEST_F(EtcdStateMachine, RefdbOwnWritesBumpTheRevisionToo) {
  Command c;
  c.mutable_put()->set_key("k");
  c.mutable_put()->set_value("v");
  sm_.Apply(c);
  EXPECT_EQ(sm_.revision(), 2);
  EXPECT_EQ(One("k").mod_revision(), 2);
}

TEST_F(EtcdStateMachine, RangesFollowRangeEndLimitAndCountOnly) {
  for (const char* k : {"p/1", "p/2", "p/3", "q"}) Put(k, "v");
  EXPECT_EQ(Range("p/", "p0").kvs_size(), 3);                   // the prefix p/
  EXPECT_EQ(Range("p/2", std::string(1, '\0')).kvs_size(), 3);  // from p/2 on
  const pb::RangeResponse limited = Range("p/", "p0", 2);
  EXPECT_EQ(limited.kvs_size(), 2);
  EXPECT_TRUE(limited.more());
  EXPECT_EQ(limited.count(), 3);
  pb::RangeRequest count_only;
  count_only.set_key("p/");
  count_only.set_range_end("p0");
  count_only.set_count_only(true);
  const KvStateMachine::RangeAnswer counted = sm_.Range(count_only);
  EXPECT_EQ(counted.response.kvs_size(), 0);
  EXPECT_EQ(counted.response.count(), 3);
  pb::RangeRequest descend = count_only;
  descend.set_count_only(false);
  descend.set_keys_only(true);
  descend.set_sort_order(pb::RangeRequest::DESCEND);
  const KvStateMachine::RangeAnswer sorted = sm_.Range(descend);
  ASSERT_EQ(sorted.response.kvs_size(), 3);
  EXPECT_EQ(sorted.response.kvs(0).key(), "p/3");
  EXPECT_EQ(sorted.response.kvs(0).value(), "");
}

TEST_F(EtcdStateMachine, OldRevisionsAndBadRangesAreRefused) {
  Put("k", "v");
  Put("k", "w");
  pb::RangeRequest r;
  r.set_key("k");
  r.set_revision(2);
  EXPECT_EQ(sm_.Range(r).error.code(), KvStateMachine::kOutOfRange);
  r.set_revision(99);
  EXPECT_EQ(sm_.Range(r).error.code(), KvStateMachine::kOutOfRange);
  r.set_revision(3);
  EXPECT_EQ(sm_.Range(r).error.code(), 0);
  r.set_key("");
  EXPECT_EQ(sm_.Range(r).error.code(), KvStateMachine::kInvalidArgument);
}

TEST_F(EtcdStateMachine, HugeRangeIsRefusedUnlessLimited) {
  const std::string mib(1 << 20, 'x');
  for (int i = 0; i < 65; ++i) Put("big/" + std::to_string(100 + i), mib);
  pb::RangeRequest all;
  all.set_key("big/");
  all.set_range_end("big0");
  EXPECT_EQ(sm_.Range(all).error.code(), KvStateMachine::kResourceExhausted);
  all.set_limit(2);
  const KvStateMachine::RangeAnswer limited = sm_.Range(all);
  EXPECT_EQ(limited.error.code(), 0);
  EXPECT_EQ(limited.response.kvs_size(), 2);
  EXPECT_EQ(limited.response.count(), 65);
}

TEST_F(EtcdStateMachine, TxnComparesPickTheBranchAndWriteOneRevision) {
  Put("k", "v");  // revision 2, version 1
  pb::TxnRequest txn;
  *txn.add_compare() = Cmp("k", pb::Compare::VALUE, pb::Compare::EQUAL, 0, "v");
  *txn.add_compare() = Cmp("k", pb::Compare::VERSION, pb::Compare::GREATER, 0);
  *txn.add_compare() = Cmp("k", pb::Compare::CREATE, pb::Compare::LESS, 3);
  *txn.add_compare() = Cmp("k", pb::Compare::MOD, pb::Compare::NOT_EQUAL, 7);
  *txn.add_success() = PutOp("k", "w");
  *txn.add_success() = PutOp("other", "x");
  *txn.add_failure() = PutOp("failed", "1");
  const CommandResult r = Txn(txn);
  EXPECT_TRUE(r.etcd_txn().succeeded());
  EXPECT_EQ(sm_.revision(), 3);  // two puts, one revision
  EXPECT_EQ(One("other").mod_revision(), 3);
  // The same compares now fail (the value is w): the failure branch runs.
  const CommandResult again = Txn(txn);
  EXPECT_FALSE(again.etcd_txn().succeeded());
  EXPECT_EQ(One("failed").value(), "1");
  // A missing key has version 0 and create_revision 0, and no value matches.
  pb::TxnRequest absent;
  *absent.add_compare() = Cmp("none", pb::Compare::CREATE, pb::Compare::EQUAL, 0);
  EXPECT_TRUE(Txn(absent).etcd_txn().succeeded());
  *absent.add_compare() = Cmp("none", pb::Compare::VALUE, pb::Compare::NOT_EQUAL, 0, "x");
  EXPECT_FALSE(Txn(absent).etcd_txn().succeeded());
}

TEST_F(EtcdStateMachine, MalformedTxnIsRefusedWithoutChangingAnything) {
  pb::TxnRequest wrong_type;
  pb::Compare c = Cmp("k", pb::Compare::VALUE, pb::Compare::EQUAL, 0, "v");
  c.set_version(1);  // a VALUE compare with a version operand
  *wrong_type.add_compare() = c;
  EXPECT_EQ(Txn(wrong_type).etcd_error().code(), KvStateMachine::kInvalidArgument);
  pb::TxnRequest unknown_target;
  pb::Compare u = Cmp("k", pb::Compare::VERSION, pb::Compare::EQUAL, 0);
  u.set_target(static_cast<pb::Compare::CompareTarget>(42));
  *unknown_target.add_compare() = u;
  EXPECT_EQ(Txn(unknown_target).etcd_error().code(), KvStateMachine::kInvalidArgument);
  pb::TxnRequest twice;
  *twice.add_success() = PutOp("a", "1");
  *twice.add_success() = PutOp("a", "2");
  EXPECT_EQ(Txn(twice).etcd_error().message(), "etcdserver: duplicate key given in txn request");
  // A put with a lease that does not exist fails the whole branch: the first put is not applied.
  pb::TxnRequest missing_lease;
  *missing_lease.add_success() = PutOp("a", "1");
  *missing_lease.add_success() = PutOp("b", "2");
  missing_lease.mutable_success(1)->mutable_request_put()->set_lease(12345);
  EXPECT_EQ(Txn(missing_lease).etcd_error().code(), KvStateMachine::kNotFound);
  EXPECT_EQ(Range("a").kvs_size(), 0);
  EXPECT_EQ(sm_.revision(), 1);
}

TEST_F(EtcdStateMachine, RevokingALeaseDeletesItsKeysInOneRevision) {
  const int64_t lease = Grant(5);
  EXPECT_GT(lease, 0);
  Put("a", "1", lease);
  Put("b", "2", lease);
  Put("c", "3");
  EXPECT_EQ(One("a").lease(), lease);
  EXPECT_EQ(sm_.leases().at(lease).keys.size(), 2u);
  EXPECT_EQ(Put("x", "1", lease + 1).etcd_error().code(), KvStateMachine::kNotFound);
  const int64_t before = sm_.revision();
  EXPECT_FALSE(Revoke(lease).has_etcd_error());
  EXPECT_EQ(sm_.revision(), before + 1);
  EXPECT_EQ(Range("a", "c").kvs_size(), 0);
  EXPECT_EQ(Range("c").kvs_size(), 1);
  EXPECT_EQ(Revoke(lease).etcd_error().code(), KvStateMachine::kNotFound);
}

TEST_F(EtcdStateMachine, LeaseIdsAreChosenAlikeOnEveryReplica) {
  KvStateMachine other;
  Command c;
  c.mutable_lease_grant()->set_ttl(10);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sm_.Apply(c).lease_grant().id(), other.Apply(c).lease_grant().id());
  }
  c.mutable_lease_grant()->set_id(7);
  EXPECT_EQ(sm_.Apply(c).lease_grant().id(), 7);
  EXPECT_EQ(sm_.Apply(c).etcd_error().code(), KvStateMachine::kFailedPrecondition);
}

TEST_F(EtcdStateMachine, SnapshotKeepsRevisionsMetadataAndLeases) {
  const int64_t lease = Grant(30);
  Put("a", "1", lease);
  Put("a", "2", lease);
  Put("b", "x");
  KvStateMachine restored;
  ASSERT_TRUE(restored.Restore(sm_.Serialize()).ok());
  EXPECT_EQ(restored.revision(), sm_.revision());
  EXPECT_EQ(restored.digest(), sm_.digest());
  EXPECT_EQ(restored.size_bytes(), sm_.size_bytes());
  pb::RangeRequest r;
  r.set_key("a");
  EXPECT_EQ(restored.Range(r).response.DebugString(), sm_.Range(r).response.DebugString());
  ASSERT_EQ(restored.leases().count(lease), 1u);
  EXPECT_EQ(restored.leases().at(lease).ttl_seconds, 30);
  EXPECT_EQ(restored.leases().at(lease).keys.size(), 1u);
  // The next server-chosen id continues alike.
  Command c;
  c.mutable_lease_grant()->set_ttl(10);
  EXPECT_EQ(restored.Apply(c).lease_grant().id(), sm_.Apply(c).lease_grant().id());
}

TEST_F(EtcdStateMachine, DigestDependsOnlyOnThePairs) {
  KvStateMachine plain;
  Command c;
  c.mutable_put()->set_key("k");
  c.mutable_put()->set_value("v");
  plain.Apply(c);
  Put("k", "old");
  Put("k", "v");  // another revision and version, the same pair
  EXPECT_EQ(sm_.digest(), plain.digest());
}

}  // namespace
}  // namespace refdb::server

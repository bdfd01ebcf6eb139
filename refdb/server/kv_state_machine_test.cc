#include "refdb/server/kv_state_machine.h"

#include <gtest/gtest.h>

namespace refdb::server {
namespace {

using commandpb::Command;
using commandpb::CommandResult;

Command Put(uint64_t client, uint64_t sequence, const std::string& key, const std::string& value) {
  Command c;
  c.mutable_write_id()->set_client_id(client);
  c.mutable_write_id()->set_sequence(sequence);
  c.mutable_put()->set_key(key);
  c.mutable_put()->set_value(value);
  return c;
}

Command Cas(uint64_t client, uint64_t sequence, const std::string& key,
            std::optional<std::string> expected, const std::string& value) {
  Command c;
  c.mutable_write_id()->set_client_id(client);
  c.mutable_write_id()->set_sequence(sequence);
  c.mutable_cas()->set_key(key);
  if (expected) {
    c.mutable_cas()->set_expected_value(*expected);
  } else {
    c.mutable_cas()->set_expected_absent(true);
  }
  c.mutable_cas()->set_new_value(value);
  return c;
}

TEST(KvStateMachine, PutThenGet) {
  KvStateMachine sm;
  sm.Apply(Put(1, 1, "k", "v"));
  EXPECT_TRUE(sm.Get("k").found());
  EXPECT_EQ(sm.Get("k").value(), "v");
  EXPECT_FALSE(sm.Get("other").found());
}

TEST(KvStateMachine, CasSucceedsOnlyWhenExpectedMatches) {
  KvStateMachine sm;
  EXPECT_TRUE(sm.Apply(Cas(1, 1, "k", std::nullopt, "a")).cas().succeeded());
  EXPECT_FALSE(sm.Apply(Cas(1, 2, "k", std::nullopt, "b")).cas().succeeded());
  const CommandResult wrong = sm.Apply(Cas(1, 3, "k", "x", "b"));
  EXPECT_FALSE(wrong.cas().succeeded());
  EXPECT_EQ(wrong.cas().current_value(), "a");
  EXPECT_TRUE(sm.Apply(Cas(1, 4, "k", "a", "b")).cas().succeeded());
  EXPECT_EQ(sm.Get("k").value(), "b");
}

TEST(KvStateMachine, RetriedWriteIsAppliedOnceAndGetsTheFirstAnswer) {
  KvStateMachine sm;
  sm.Apply(Put(1, 1, "k", "a"));
  EXPECT_TRUE(sm.Apply(Cas(7, 1, "k", "a", "b")).cas().succeeded());
  sm.Apply(Put(2, 1, "k", "a"));
  // The retry of client 7's write must not swap again, and must report the first outcome.
  EXPECT_TRUE(sm.Apply(Cas(7, 1, "k", "a", "b")).cas().succeeded());
  EXPECT_EQ(sm.Get("k").value(), "a");
}

TEST(KvStateMachine, LateDuplicateOfAnOlderWriteIsNotApplied) {
  KvStateMachine sm;
  sm.Apply(Put(1, 1, "k", "first"));
  sm.Apply(Put(1, 3, "k", "new"));  // sequence numbers may skip (a write the client gave up)
  EXPECT_EQ(sm.Apply(Put(1, 2, "k", "old")).code(), CommandResult::STALE_SEQUENCE);
  EXPECT_EQ(sm.Apply(Put(1, 1, "k", "old")).code(), CommandResult::STALE_SEQUENCE);
  EXPECT_EQ(sm.Get("k").value(), "new");
}

TEST(KvStateMachine, TxnReadsAndWritesSeveralKeys) {
  KvStateMachine sm;
  sm.Apply(Put(1, 1, "a", "1"));
  Command c;
  auto add = [&](kvpb::TxnOp::Kind kind, const std::string& key, const std::string& value) {
    kvpb::TxnOp& op = *c.mutable_txn()->add_ops();
    op.set_kind(kind);
    op.set_key(key);
    op.set_value(value);
  };
  add(kvpb::TxnOp::GET, "a", "");
  add(kvpb::TxnOp::PUT, "b", "2");
  add(kvpb::TxnOp::DELETE, "a", "");
  add(kvpb::TxnOp::GET, "a", "");
  const CommandResult r = sm.Apply(c);
  ASSERT_EQ(r.txn().results_size(), 4);
  EXPECT_EQ(r.txn().results(0).value(), "1");
  EXPECT_TRUE(r.txn().results(2).found());
  EXPECT_FALSE(r.txn().results(3).found());
  EXPECT_EQ(sm.Get("b").value(), "2");
}

TEST(KvStateMachine, SnapshotKeepsPairsAndDedupTable) {
  KvStateMachine sm;
  sm.Apply(Put(1, 1, "k", "u"));
  sm.Apply(Put(1, 5, "k", "v"));
  KvStateMachine copy;
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.Get("k").value(), "v");
  EXPECT_EQ(copy.Apply(Put(1, 4, "k", "old")).code(), CommandResult::STALE_SEQUENCE);
  EXPECT_FALSE(copy.Restore("\xff\xff garbage").ok());
}

Command Del(const std::string& key) {
  Command c;
  c.mutable_del()->set_key(key);
  return c;
}

TEST(KvStateMachine, MemberIdsAreNeverGivenTwiceAndSurviveASnapshot) {
  KvStateMachine sm;
  auto add = [](KvStateMachine& m, const std::string& address, uint64_t min_id) {
    Command c;
    c.mutable_member_address()->set_address(address);
    c.mutable_member_address()->set_min_id(min_id);
    return m.Apply(c).member_address().id();
  };
  EXPECT_EQ(add(sm, "10.0.0.3:7000", 3), 4u);  // above every id the proposer knows
  EXPECT_EQ(add(sm, "10.0.0.3:7000", 3), 5u);  // above every id given before, too
  EXPECT_EQ(add(sm, "10.0.0.9:7000", 20), 21u);
  EXPECT_EQ(sm.member_addresses().at(5), "10.0.0.3:7000");
  KvStateMachine copy;
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.member_addresses(), sm.member_addresses());
  EXPECT_EQ(add(copy, "10.0.0.3:7000", 3), 22u);
}

TEST(KvStateMachine, DigestDependsOnThePairsNotOnTheOrderTheyWereWritten) {
  KvStateMachine a;
  KvStateMachine b;
  EXPECT_EQ(a.digest(), b.digest());
  a.Apply(Put(0, 0, "x", "1"));
  a.Apply(Put(0, 0, "y", "2"));
  b.Apply(Put(0, 0, "y", "old"));
  b.Apply(Put(0, 0, "x", "1"));
  EXPECT_NE(a.digest(), b.digest());  // y differs
  b.Apply(Cas(0, 0, "y", "old", "2"));
  EXPECT_EQ(a.digest(), b.digest());
  b.Apply(Put(0, 0, "z", "3"));
  EXPECT_NE(a.digest(), b.digest());
  b.Apply(Del("z"));
  EXPECT_EQ(a.digest(), b.digest());
  b.Apply(Del("absent"));
  EXPECT_EQ(a.digest(), b.digest());
}

TEST(KvStateMachine, DigestTellsKeyAndValueBoundariesApart) {
  KvStateMachine a;
  KvStateMachine b;
  a.Apply(Put(0, 0, "ab", "c"));
  b.Apply(Put(0, 0, "a", "bc"));
  EXPECT_NE(a.digest(), b.digest());
  KvStateMachine swapped;
  swapped.Apply(Put(0, 0, "c", "ab"));
  EXPECT_NE(a.digest(), swapped.digest());
}

TEST(KvStateMachine, DigestSurvivesASnapshot) {
  KvStateMachine sm;
  for (int i = 0; i < 50; ++i) sm.Apply(Put(0, 0, "k" + std::to_string(i % 7), std::to_string(i)));
  KvStateMachine copy;
  copy.Apply(Put(0, 0, "stale", "gone after restore"));
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.digest(), sm.digest());
  EXPECT_NE(sm.digest(), KvStateMachine().digest());
}

}  // namespace
}  // namespace refdb::server

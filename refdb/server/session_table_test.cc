// Client sessions expiring by log time, through KvStateMachine (session_table.h).
#include "refdb/server/session_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "refdb/server/kv_state_machine.h"

namespace refdb::server {
namespace {

using commandpb::Command;
using commandpb::CommandResult;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kTimeout = 10 * kSecond;

Command Put(uint64_t client, uint64_t sequence, int64_t stamp_s, const std::string& key,
            const std::string& value) {
  Command c;
  c.mutable_write_id()->set_client_id(client);
  c.mutable_write_id()->set_sequence(sequence);
  c.set_log_time_ns(stamp_s * kSecond);
  c.mutable_put()->set_key(key);
  c.mutable_put()->set_value(value);
  return c;
}

Command Cas(uint64_t client, uint64_t sequence, int64_t stamp_s, const std::string& key,
            const std::string& expected, const std::string& value) {
  Command c;
  c.mutable_write_id()->set_client_id(client);
  c.mutable_write_id()->set_sequence(sequence);
  c.set_log_time_ns(stamp_s * kSecond);
  c.mutable_cas()->set_key(key);
  c.mutable_cas()->set_expected_value(expected);
  c.mutable_cas()->set_new_value(value);
  return c;
}

TEST(Sessions, ExpireByLogTimeIdenticallyOnEveryReplica) {
  // Client 1 writes at 100 s and 120 s, client 2 at 100 s and 105 s, client 3 keeps writing.
  const std::vector<Command> log = {
      Put(1, 1, 100, "a", "1"), Put(2, 1, 100, "b", "1"), Put(3, 1, 101, "c", "1"),
      Put(2, 2, 105, "b", "2"), Put(3, 2, 110, "c", "2"), Put(3, 3, 111, "c", "3"),
      Put(3, 4, 115, "c", "4"), Put(3, 5, 116, "c", "5"), Put(1, 2, 120, "a", "2"),
  };
  // Sessions after each entry: client 1 (last use 100) outlives 110 (exactly its timeout) and
  // goes at 111; client 2 (last use 105) goes at 116; client 1's write at 120 is refused.
  const std::vector<size_t> expected_sizes = {1, 2, 3, 3, 3, 2, 2, 1, 1};
  KvStateMachine a(kTimeout), b(kTimeout);
  for (size_t i = 0; i < log.size(); ++i) {
    const CommandResult ra = a.Apply(log[i]);
    const CommandResult rb = b.Apply(log[i]);
    EXPECT_EQ(ra.SerializeAsString(), rb.SerializeAsString()) << "entry " << i;
    EXPECT_EQ(a.sessions().size(), expected_sizes[i]) << "entry " << i;
    EXPECT_EQ(b.sessions().size(), expected_sizes[i]) << "entry " << i;
  }
  EXPECT_EQ(a.Apply(log.back()).code(), CommandResult::SESSION_EXPIRED);
  EXPECT_EQ(a.Get("a").value(), "1");
  EXPECT_EQ(a.Serialize(), b.Serialize());
  EXPECT_EQ(a.sessions().clock_ns(), 120 * kSecond);
}

TEST(Sessions, RetryAfterExpiryIsRefusedAndNeverAppliedTwice) {
  KvStateMachine sm(kTimeout);
  ASSERT_EQ(sm.Apply(Put(7, 1, 100, "k", "a")).code(), CommandResult::OK);
  ASSERT_TRUE(sm.Apply(Cas(7, 2, 101, "k", "a", "b")).cas().succeeded());
  ASSERT_TRUE(sm.Apply(Cas(8, 1, 102, "k", "b", "a")).cas().succeeded());
  // Within the timeout, a retry of 7's CAS is answered from its session, not applied again.
  EXPECT_TRUE(sm.Apply(Cas(7, 2, 103, "k", "a", "b")).cas().succeeded());
  EXPECT_EQ(sm.Get("k").value(), "a");
  sm.Apply(Put(9, 1, 130, "other", "x"));  // log time passes: 7's session expires
  const CommandResult retry = sm.Apply(Cas(7, 2, 131, "k", "a", "b"));
  EXPECT_EQ(retry.code(), CommandResult::SESSION_EXPIRED);
  EXPECT_FALSE(retry.has_cas());
  EXPECT_EQ(sm.Get("k").value(), "a");
  // A late copy of a first write (sequence 1), proposed long before the clock: refused too.
  const CommandResult late = sm.Apply(Put(7, 1, 101, "k", "late"));
  EXPECT_EQ(late.code(), CommandResult::SESSION_EXPIRED);
  EXPECT_EQ(sm.Get("k").value(), "a");
  // A new session (a new client id, sequence 1) works.
  EXPECT_TRUE(sm.Apply(Cas(70, 1, 132, "k", "a", "c")).cas().succeeded());
  EXPECT_EQ(sm.Get("k").value(), "c");
}

TEST(Sessions, UnknownClientMustStartAtSequenceOne) {
  KvStateMachine sm(kTimeout);
  EXPECT_EQ(sm.Apply(Put(5, 3, 100, "k", "v")).code(), CommandResult::SESSION_EXPIRED);
  EXPECT_FALSE(sm.Get("k").found());
  EXPECT_EQ(sm.sessions().size(), 0u);
}

TEST(Sessions, SnapshotCarriesSessionsAndClock) {
  KvStateMachine sm(kTimeout);
  sm.Apply(Put(1, 1, 100, "k", "a"));
  ASSERT_TRUE(sm.Apply(Cas(2, 1, 104, "k", "a", "b")).cas().succeeded());
  sm.Apply(Put(1, 2, 106, "k", "a"));
  KvStateMachine copy(kTimeout);
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.sessions().clock_ns(), 106 * kSecond);
  EXPECT_EQ(copy.sessions().size(), 2u);
  EXPECT_EQ(copy.Serialize(), sm.Serialize());
  // The restored session answers 2's retry with its first answer, without applying it.
  EXPECT_TRUE(copy.Apply(Cas(2, 1, 107, "k", "a", "b")).cas().succeeded());
  EXPECT_EQ(copy.Get("k").value(), "a");
  // And last uses came along: 2 (104) expires before 1 (106), on both alike.
  for (KvStateMachine* m : {&sm, &copy}) {
    m->Apply(Put(3, 1, 115, "x", "1"));
    EXPECT_EQ(m->sessions().size(), 2u);  // 1 and 3
    EXPECT_EQ(m->Apply(Put(2, 2, 115, "k", "z")).code(), CommandResult::SESSION_EXPIRED);
    EXPECT_EQ(m->Apply(Put(1, 3, 115, "k", "z")).code(), CommandResult::OK);
  }
  EXPECT_EQ(copy.Serialize(), sm.Serialize());
}

TEST(Sessions, ClockNeverMovesBackwards) {
  KvStateMachine sm(kTimeout);
  sm.Apply(Put(1, 1, 100, "k", "a"));
  // A new leader whose clock is 3 s behind: the log clock stays, the session counts as used
  // at 100 s, not 97 s.
  EXPECT_EQ(sm.Apply(Put(2, 1, 97, "k", "b")).code(), CommandResult::OK);
  EXPECT_EQ(sm.sessions().clock_ns(), 100 * kSecond);
  sm.Apply(Put(3, 1, 109, "x", "1"));
  sm.Apply(Put(3, 2, 110, "x", "2"));  // 100 + 10: both sessions still there
  EXPECT_EQ(sm.sessions().size(), 3u);
  // Unstamped commands (0) leave the clock alone.
  Command unstamped = Put(4, 1, 0, "y", "1");
  EXPECT_EQ(sm.Apply(unstamped).code(), CommandResult::OK);
  EXPECT_EQ(sm.sessions().clock_ns(), 110 * kSecond);
}

TEST(Sessions, TimeoutZeroKeepsSessionsForEver) {
  KvStateMachine sm(0);
  sm.Apply(Put(1, 1, 1, "k", "a"));
  sm.Apply(Put(2, 1, 1'000'000, "k", "b"));
  EXPECT_EQ(sm.sessions().size(), 2u);
  EXPECT_EQ(sm.Apply(Put(1, 2, 1'000'001, "k", "c")).code(), CommandResult::OK);
}

}  // namespace
}  // namespace refdb::server

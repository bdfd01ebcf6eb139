#include "refdb/server/lessor.h"

#include <gtest/gtest.h>

namespace refdb::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

int64_t Grant(KvStateMachine& state, int64_t ttl) {
  commandpb::Command c;
  c.mutable_lease_grant()->set_ttl(ttl);
  return state.Apply(c).lease_grant().id();
}

TEST(Lessor, LeaseExpiresOneTtlAfterItWasSeenUnlessRenewed) {
  KvStateMachine state;
  Lessor lessor;
  const Lessor::Clock::time_point t0{};
  lessor.Promote(state, t0);
  const int64_t id = Grant(state, 2);
  lessor.Sync(state, t0);
  EXPECT_EQ(lessor.RemainingSeconds(id, t0 + milliseconds(500)), 2);
  EXPECT_TRUE(lessor.TakeExpired(t0 + milliseconds(1999)).empty());
  EXPECT_EQ(lessor.Renew(id, t0 + seconds(1)), 2);
  EXPECT_TRUE(lessor.TakeExpired(t0 + milliseconds(2999)).empty());
  EXPECT_EQ(lessor.TakeExpired(t0 + seconds(3)), std::vector<int64_t>{id});
  // Handed out once, then again only after the retry interval.
  EXPECT_TRUE(lessor.TakeExpired(t0 + seconds(3) + milliseconds(10)).empty());
  EXPECT_EQ(lessor.TakeExpired(t0 + seconds(3) + Lessor::kRevokeRetry).size(), 1u);
  EXPECT_EQ(lessor.Renew(id + 1, t0), 0);
}

TEST(Lessor, NewLeaderGivesEveryLeaseAFullTtlAndForgetsRevokedOnes) {
  KvStateMachine state;
  const int64_t a = Grant(state, 5);
  const int64_t b = Grant(state, 10);
  Lessor lessor;
  const Lessor::Clock::time_point t0 = Lessor::Clock::time_point{} + seconds(100);
  lessor.Promote(state, t0);
  EXPECT_EQ(lessor.RemainingSeconds(a, t0), 5);
  EXPECT_EQ(lessor.RemainingSeconds(b, t0), 10);
  commandpb::Command revoke;
  revoke.mutable_lease_revoke()->set_id(a);
  state.Apply(revoke);
  lessor.Sync(state, t0);
  EXPECT_EQ(lessor.RemainingSeconds(a, t0), -1);
  lessor.Demote();
  EXPECT_FALSE(lessor.is_primary());
  EXPECT_EQ(lessor.RemainingSeconds(b, t0), -1);
}

}  // namespace
}  // namespace refdb::server

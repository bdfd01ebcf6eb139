#include "checker/failover_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

Fault FaultOf(std::string name, std::vector<int64_t> targets,
              std::vector<std::pair<int64_t, int64_t>> cut) {
  return {.name = std::move(name), .targets = std::move(targets), .cut = std::move(cut)};
}

TEST(RemovesLeader, KillOrPauseOfTheLeader) {
  EXPECT_TRUE(RemovesLeader(FaultOf("kill", {2}, {}), 2, 3));
  EXPECT_TRUE(RemovesLeader(FaultOf("pause", {1, 2}, {}), 2, 3));
  EXPECT_FALSE(RemovesLeader(FaultOf("kill", {1}, {}), 2, 3));
  EXPECT_FALSE(RemovesLeader(FaultOf("kill", {2}, {}), 0, 3));  // leader unknown
  EXPECT_FALSE(RemovesLeader(FaultOf("loss", {2}, {}), 2, 3));
}

TEST(RemovesLeader, CutThatLeavesTheLeaderWithoutATwoWayMajority) {
  // 5 nodes, leader 1 keeps two-way links with 2 only: 2 of 5.
  EXPECT_TRUE(RemovesLeader(FaultOf("partition-halves", {}, {{1, 3}, {4, 1}, {5, 1}}), 1, 5));
  // Leader 1 keeps 2 and 3: a majority of 5.
  EXPECT_FALSE(RemovesLeader(FaultOf("partition-halves", {}, {{4, 1}, {5, 1}}), 1, 5));
  // One way is enough to break a link: Raft needs the reply.
  EXPECT_TRUE(RemovesLeader(FaultOf("link", {}, {{1, 2}, {3, 1}}), 1, 3));
  EXPECT_FALSE(RemovesLeader(FaultOf("link", {}, {{1, 2}}), 1, 3));
  // 4 nodes: leader with one other is half, not a majority.
  EXPECT_TRUE(RemovesLeader(FaultOf("partition-halves", {}, {{1, 3}, {1, 4}}), 1, 4));
}

TEST(FailoverCheck, FastFailoversAreValidWithFigures) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "2 faults removed the leader: new leader median 1.000 s, max 1.200 s; first "
            "acknowledged write median 1.300 s, max 1.500 s; unavailability median 1.700 s, max "
            "1.800 s (bound 5.0 s)");
  ASSERT_EQ(r.details["events"].size(), 2u);
  const Json& kill = r.details["events"][0];
  EXPECT_EQ(kill["id"], 1);
  EXPECT_EQ(kill["new_leader"], 2);
  EXPECT_EQ(kill["new_term"], 3);
  EXPECT_DOUBLE_EQ(kill["new_leader_s"].get<double>(), 1.2);
  // The cas answering false at 10.9 s wrote nothing: the first write is the one at 11.5 s.
  EXPECT_DOUBLE_EQ(kill["first_write_s"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(kill["unavailable_s"].get<double>(), 1.7);
  EXPECT_DOUBLE_EQ(kill["start_s"].get<double>(), 9.0);
  EXPECT_EQ(r.details["events"][1]["fault"], "partition-leader");
  EXPECT_DOUBLE_EQ(r.details["new_leader_s"]["min"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r.details["new_leader_s"]["p99"].get<double>(), 1.2);
  EXPECT_EQ(r.details["first_write_s"]["count"], 2);
  EXPECT_EQ(r.details["nodes"], 3);
  EXPECT_EQ(r.details["faults"], 4);
}

TEST(FailoverCheck, FirstWriteCountsOnlyWritesInvokedOnceTheFaultWasInPlace) {
  // The write at 10.01-10.02 s ran while the cut was being installed (start 10.0 s, applied
  // 10.3 s) and committed under the old leader; the failover's first write is the one invoked
  // after 10.3 s, acknowledged at 10.6 s.
  const History h = LoadNamed("failover.slow-apply.good.jsonl");
  const RunHistory run = ReadRunHistory(h);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  ASSERT_EQ(run.faults.size(), 1u);
  EXPECT_EQ(run.faults[0].applied_index, 6);
  RunCheckResult r = CheckFailover(run);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  ASSERT_EQ(r.details["events"].size(), 1u);
  // Measured from the applied event at 10.3 s, when the cut took effect, no longer
  // from the start at 10.0 s: the write at 10.6 s and the leader at 10.5 s.
  EXPECT_NEAR(r.details["events"][0]["first_write_s"].get<double>(), 0.3, 1e-9);
  EXPECT_NEAR(r.details["events"][0]["new_leader_s"].get<double>(), 0.2, 1e-9);
  EXPECT_NEAR(r.details["events"][0]["effect_s"].get<double>(), 9.3, 1e-9);
  EXPECT_EQ(r.details["events"][0]["kind"], "leader-lost");
  // Without the applied event, the start stands for it (histories from before it existed).
  RunCheckResult old = CheckFailover(ReadRunHistory(WithoutLines(h, {7})));
  EXPECT_NEAR(old.details["events"][0]["first_write_s"].get<double>(), 0.02, 1e-9);
}

TEST(FailoverCheck, SlowFailoverIsInvalidNamingTheFaultAndTimes) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.slow.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "fault 7 (kill of leader 1 at 9.000 s): new leader after 6.500 s, acknowledged write "
            "after 6.800 s, over the 5.0 s bound");
  EXPECT_DOUBLE_EQ(r.details["unavailable_s"]["max"].get<double>(), 7.6);
}

TEST(FailoverCheck, BoundComesFromTheOptions) {
  RunCheckResult r =
      CheckFailover(ReadRunHistory(LoadNamed("failover.slow.bad.jsonl")), {.max_failover_s = 7});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_DOUBLE_EQ(r.details["bound_s"].get<double>(), 7.0);
  r = CheckFailover(ReadRunHistory(LoadNamed("failover.good.jsonl")), {.max_failover_s = 1.4});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "fault 1 (kill of leader 1 at 9.000 s): acknowledged write after 1.500 s, over the "
            "1.4 s bound");
}

TEST(FailoverCheck, NoRecoveryWhileTheHistoryGoesOnIsInvalid) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.never.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "fault 3 (partition-leader of leader 1 at 9.000 s): no new leader in the 8.000 s the "
            "history continued, no acknowledged write in the 8.000 s the history continued, over "
            "the 5.0 s bound");
}

TEST(FailoverCheck, HistoryEndingWithinTheBoundIsNotAViolation) {
  RunCheckResult r =
      CheckFailover(ReadRunHistory(LoadNamed("failover.never.bad.jsonl")), {.max_failover_s = 10});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("new leader n/a; first acknowledged write n/a"));
  EXPECT_TRUE(r.details["events"][0]["new_leader_s"].is_null());
  EXPECT_EQ(r.details["new_leader_s"]["count"], 0);
}

TEST(FailoverCheck, LeaderBackAfterAShortPauseNeedsNoNewLeader) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.short-pause.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  ASSERT_EQ(r.details["events"].size(), 1u);
  const Json& pause = r.details["events"][0];
  EXPECT_EQ(pause["leader"], 1);  // from the samples: the event said 0
  EXPECT_EQ(pause["term"], 2);
  EXPECT_TRUE(pause["leader_kept"].get<bool>());
  EXPECT_TRUE(pause["new_leader_s"].is_null());
  EXPECT_DOUBLE_EQ(pause["first_write_s"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(pause["unavailable_s"].get<double>(), 0.6);
}

TEST(FailoverCheck, NoFaultOnTheLeaderIsValidSayingSo) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("election.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary, "no fault removed the leader");
  EXPECT_EQ(CheckFailover(ReadRunHistory(History{})).summary, "no fault removed the leader");
}

TEST(FailoverCheck, MalformedInputIsUnknownNamingTheLine) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("faults.bad-cut.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.bad-cut.bad-input.jsonl:2: a cut link is not a pair "
                                   "of node numbers: [3]"));
  r = CheckFailover(ReadRunHistory(LoadNamed("election.no-term.bad-sample.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("election.no-term.bad-sample.jsonl:2: status sample without an "
                                   "integer \"term\""));
  // An ok with no open invocation: line 11 completes the write invoked on line 9.
  r = CheckFailover(ReadRunHistory(WithoutLines(LoadNamed("failover.slow.bad.jsonl"), {9})));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("failover.slow.bad.jsonl:11: "));
}

TEST(FailoverCheck, NoMajorityFaultIsMeasuredFromTheHealNotAgainstTheFailoverBound) {
  // 4 nodes split 2|2 from 10.05 s to 16.0 s: no leader can be elected until the heal; the new
  // leader at 16.4 s would be 6.35 s after the cut, over the failover bound. The kill at 20 s
  // leaves 3 of 4 nodes: a majority, measured as a failover.
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.no-majority.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "2 faults removed the leader (1 with a majority left: new leader median 1.000 s, max "
            "1.000 s; first acknowledged write median 1.300 s, max 1.300 s; 1 without a majority: "
            "recovery after heal: leader median 0.300 s, max 0.300 s, first acknowledged write "
            "median 0.400 s, max 0.400 s) (bound 5.0 s, recovery bound 5.0 s)");
  ASSERT_EQ(r.details["events"].size(), 2u);
  const Json& halves = r.details["events"][0];
  EXPECT_EQ(halves["kind"], "no-majority");
  EXPECT_TRUE(halves["new_leader_s"].is_null());
  EXPECT_NEAR(halves["heal_s"].get<double>(), 15.1, 1e-9);
  EXPECT_NEAR(halves["recovery_leader_s"].get<double>(), 0.3, 1e-9);
  EXPECT_NEAR(halves["recovery_write_s"].get<double>(), 0.4, 1e-9);
  const Json& kill = r.details["events"][1];
  EXPECT_EQ(kill["kind"], "leader-lost");
  EXPECT_TRUE(kill["heal_s"].is_null());
  EXPECT_NEAR(kill["first_write_s"].get<double>(), 1.3, 1e-9);
  EXPECT_EQ(r.details["leader_lost"], 1);
  EXPECT_EQ(r.details["no_majority"], 1);
  EXPECT_EQ(r.details["recovery_write_s"]["count"], 1);
  EXPECT_EQ(r.details["first_write_s"]["count"], 1);
  EXPECT_DOUBLE_EQ(r.details["recovery_bound_s"].get<double>(), 5.0);
}

TEST(FailoverCheck, SlowRecoveryAfterHealIsInvalidNamingTheFault) {
  RunCheckResult r = CheckFailover(ReadRunHistory(LoadNamed("failover.no-majority.good.jsonl")),
                                   {.max_recovery_s = 0.2});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "fault 1 (partition-halves of leader 1 at 9.000 s, no majority): recovery after heal "
            "at 15.100 s: leader after 0.300 s, acknowledged write after 0.400 s, over the 0.2 s "
            "recovery bound");
  r = CheckFailover(ReadRunHistory(LoadNamed("failover.no-recovery.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "fault 4 (kill of leader 1 at 9.000 s, no majority): recovery after heal at 14.000 s: "
            "no leader in the 6.000 s the history continued, no acknowledged write in the 6.000 s "
            "the history continued, over the 5.0 s recovery bound");
  EXPECT_EQ(r.details["events"][0]["kind"], "no-majority");
  EXPECT_EQ(CheckFailover(ReadRunHistory(LoadNamed("failover.no-recovery.bad.jsonl")),
                          {.max_recovery_s = 7})
                .verdict,
            Verdict::kValid);
}

TEST(FailoverCheck, NoMajorityThatNeverHealedHasNoRecoveryFigures) {
  // Without the healing and end of the kill (lines 10 and 11).
  RunCheckResult r = CheckFailover(
      ReadRunHistory(WithoutLines(LoadNamed("failover.no-recovery.bad.jsonl"), {10, 11})));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_TRUE(r.details["events"][0]["recovery_leader_s"].is_null());
  EXPECT_TRUE(r.details["events"][0]["heal_s"].is_null());
  EXPECT_THAT(r.summary, HasSubstr("1 without a majority: recovery after heal: leader n/a"));
}

TEST(FailoverCheck, FaultsThatFailedToApplyRemoveNoLeader) {
  // A false green once: every iptables call failed, yet "1 fault removed the leader".
  RunCheckResult r =
      CheckFailover(ReadRunHistory(LoadNamed("faults.iptables-fails.unknown.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "no fault removed the leader");
  EXPECT_EQ(r.details["faults_failed"], 3);
  // The same partition-leader without its error is counted.
  History h = LoadNamed("faults.iptables-fails.unknown.jsonl");
  h.events[8].value.erase("error");  // line 9
  EXPECT_EQ(CheckFailover(ReadRunHistory(h)).details["events"].size(), 1u);
}

}  // namespace
}  // namespace checker

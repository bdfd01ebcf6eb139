#include "checker/split_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

Event FaultStart(int64_t index, int64_t id, Json cut) {
  return {.index = index,
          .time_ns = index * 1'000'000'000,
          .process = Process::Named("nemesis"),
          .type = EventType::kInfo,
          .f = "partition-halves",
          .value = {{"phase", "start"}, {"id", id}, {"cut", std::move(cut)}}};
}

Event Client(int64_t index, EventType type, std::string f, Json value) {
  return {.index = index,
          .time_ns = index * 1'000'000'000,
          .process = Process::Client(0),
          .type = type,
          .f = std::move(f),
          .value = std::move(value)};
}

TEST(SplitCheck, NoWriteAcknowledgedDuringTheSplitIsValid) {
  RunCheckResult r = CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("split.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "no write acknowledged during 1 interval without a majority of the 4 nodes");
  ASSERT_EQ(r.details["splits"].size(), 1u);  // the pulled link (fault 2) splits nothing
  const Json& split = r.details["splits"][0];
  EXPECT_EQ(split["id"], 1);
  EXPECT_EQ(split["faults"], Json::array({1}));
  EXPECT_EQ(split["groups"], Json::parse("[[1,2],[3,4]]"));
  EXPECT_EQ(split["down"], Json::array());
  EXPECT_EQ(split["writes_acknowledged"], 0);
  EXPECT_DOUBLE_EQ(split["end_s"].get<double>(), 14.0);
}

TEST(SplitCheck, WriteAcknowledgedDuringTheSplitIsInvalidNamingItAndTheFault) {
  RunCheckResult r =
      CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("split.two-leaders.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "split.two-leaders.bad.jsonl:7: write 3 to key r1 by process 2 was acknowledged at "
            "10.200 s while fault 5 (partition-halves, split.two-leaders.bad.jsonl:5) split the 4 "
            "nodes into [1,2] | [3,4], neither a majority (2 writes acknowledged in all)");
  ASSERT_EQ(r.details["violations"].size(), 2u);
  EXPECT_EQ(r.details["violations"][0]["f"], "cas");  // in invocation order
  EXPECT_EQ(r.details["violations"][0]["line"], 6);
  EXPECT_EQ(r.details["splits"][0]["writes_acknowledged"], 2);
}

TEST(SplitCheck, SplitThatNeverEndsLastsToTheEndOfTheHistory) {
  // Without the end event (line 19), the write acknowledged at 15.5 s was acknowledged in the
  // split too.
  History h = LoadNamed("split.good.jsonl");
  std::erase_if(h.events, [](const Event& e) { return e.line == 19; });
  RunCheckResult r = CheckSplitWithoutMajority(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("split.good.jsonl:18: write 6 to key r1 by process 0"));
  // The write of the link fault at 20 s too.
  EXPECT_EQ(r.details["violations"].size(), 2u);
}

TEST(SplitCheck, OddClusterSplitByANetworkFaultKeepsAMajority) {
  RunCheckResult r = CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("failover.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary, "no fault left the 3 nodes without a majority");
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(History{})).verdict, Verdict::kValid);
}

TEST(SplitCheck, WriteAcknowledgedWhileAMajorityIsKilledIsInvalid) {
  RunCheckResult r =
      CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("split.kill-majority.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "split.kill-majority.bad.jsonl:5: write 7 to key r1 by process 0 was acknowledged at "
            "9.900 s while fault 2 (kill, split.kill-majority.bad.jsonl:2) left the 3 nodes as "
            "[1] with [2,3] down, not a majority");
  EXPECT_EQ(r.details["splits"][0]["down"], Json::parse("[2,3]"));
  // A kill of one node of three leaves a majority.
  History h = LoadNamed("split.kill-majority.bad.jsonl");
  h.events[1].value["targets"] = {3};
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).verdict, Verdict::kValid);
}

TEST(SplitCheck, AWriteAcknowledgedWhileAMajorityIsStillBeingKilledIsNoViolation) {
  // The control of the no-fsync proof (kill all three nodes) was red: an add invoked 1 ms after
  // the kill's start was acknowledged 4 ms later, before the second node was down. No majority
  // is gone until the kill is applied (every target down).
  RunCheckResult r =
      CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("split.acked-while-killing.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["splits"].size(), 1u);
}

TEST(SplitCheck, WritesAcknowledgedWhileRulesAreInstalledOrRemovedAreNoViolation) {
  // A false red once: correct refdb on 4 nodes had writes acknowledged 8-40 ms after a split's
  // start, while its rules were still being installed (applied at 10.3 s), and one acknowledged
  // after the healing began (15.0 s) and before the end (15.06 s).
  const History h = LoadNamed("split.acked-while-installing.good.jsonl");
  RunCheckResult r = CheckSplitWithoutMajority(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_NEAR(r.details["splits"][0]["start_s"].get<double>(), 9.3, 1e-9);
  EXPECT_NEAR(r.details["splits"][0]["end_s"].get<double>(), 14.0, 1e-9);
  // Measured from start to end, as before the applied and healing events, all three are red.
  History old = h;
  std::erase_if(old.events, [](const Event& e) { return e.line == 10 || e.line == 14; });
  r = CheckSplitWithoutMajority(ReadRunHistory(old));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["violations"].size(), 3u);
}

TEST(SplitCheck, ConcurrentFaultsCombineAndAreAllNamed) {
  // 5 nodes: node 5 killed, then 1,2 | 3,4 cut: no node reaches 3 of 5.
  History h;
  h.events = {{.index = 0,
               .time_ns = 0,
               .process = Process::Named("nemesis"),
               .type = EventType::kInfo,
               .f = "kill",
               .value = {{"phase", "start"}, {"id", 1}, {"targets", {5}}}},
              FaultStart(1, 2, Json::parse("[[1,3],[1,4],[2,3],[2,4],[3,1],[4,1],[3,2],[4,2]]")),
              Client(2, EventType::kInvoke, "write", 1),
              Client(3, EventType::kOk, "write", nullptr)};
  RunCheckResult r = CheckSplitWithoutMajority(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("while faults 1 (kill, history:0) and 2 (partition-halves, "
                                   "history:0) left the 5 nodes as [1,2] | [3,4] with [5] down, "
                                   "neither a majority"));
  EXPECT_EQ(r.details["splits"][0]["faults"], Json::parse("[1,2]"));
  // With loss on node 5 instead of the kill, 1,2 | 3,4,5: the larger side is a majority.
  h.events[0].f = "loss";
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).verdict, Verdict::kValid);
}

TEST(SplitCheck, OnlyTwoHalvesJoinedByTwoWayLinksCount) {
  // 4 nodes; only node 1 is cut off: groups [1] and [2,3,4] are no halves.
  History h;
  h.events = {FaultStart(0, 1, Json::parse("[[1,2],[2,1],[1,3],[3,1],[1,4],[4,1]]")),
              Client(1, EventType::kInvoke, "write", 1),
              Client(2, EventType::kOk, "write", nullptr)};
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).details["splits"].size(), 0u);
  // Cutting one direction of each cross link is enough: 1,2 | 3,4.
  h.events[0] = FaultStart(0, 1, Json::parse("[[1,3],[4,1],[2,3],[2,4]]"));
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).verdict, Verdict::kInvalid);
  // A cas that answered false wrote nothing; a read is no write.
  h.events[1] = Client(1, EventType::kInvoke, "cas", {1, 2});
  h.events[2] = Client(2, EventType::kOk, "cas", false);
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).verdict, Verdict::kValid);
  h.events[1] = Client(1, EventType::kInvoke, "read", nullptr);
  h.events[2] = Client(2, EventType::kOk, "read", 3);
  EXPECT_EQ(CheckSplitWithoutMajority(ReadRunHistory(h)).verdict, Verdict::kValid);
}

TEST(SplitCheck, MalformedInputIsUnknownNamingTheLine) {
  RunCheckResult r = CheckSplitWithoutMajority(
      ReadRunHistory(LoadNamed("faults.end-without-start.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.end-without-start.bad-input.jsonl:3: end of fault 9"));
  r = CheckSplitWithoutMajority(ReadRunHistory(LoadNamed("faults.bad-cut.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.bad-cut.bad-input.jsonl:2: a cut link"));
}

}  // namespace
}  // namespace checker

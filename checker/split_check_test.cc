#include "checker/split_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

History Load(const std::string& name) { return LoadRunHistory(name, /*name_as_source=*/true); }

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
  RunCheckResult r = CheckSplitWithoutMajority(Load("split.good.jsonl"));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "no write acknowledged during 1 split of the 4 nodes into halves");
  ASSERT_EQ(r.details["splits"].size(), 1u);  // the pulled link (fault 2) splits nothing
  const Json& split = r.details["splits"][0];
  EXPECT_EQ(split["id"], 1);
  EXPECT_EQ(split["halves"], Json::parse("[[1,2],[3,4]]"));
  EXPECT_EQ(split["writes_acknowledged"], 0);
  EXPECT_DOUBLE_EQ(split["end_s"].get<double>(), 14.0);
}

TEST(SplitCheck, WriteAcknowledgedDuringTheSplitIsInvalidNamingItAndTheFault) {
  RunCheckResult r = CheckSplitWithoutMajority(Load("split.two-leaders.bad.jsonl"));
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
  History h = Load("split.good.jsonl");
  std::erase_if(h.events, [](const Event& e) { return e.line == 19; });
  RunCheckResult r = CheckSplitWithoutMajority(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("split.good.jsonl:18: write 6 to key r1 by process 0"));
  // The write of the link fault at 20 s too.
  EXPECT_EQ(r.details["violations"].size(), 2u);
}

TEST(SplitCheck, OddClusterHasNoHalves) {
  RunCheckResult r = CheckSplitWithoutMajority(Load("failover.good.jsonl"));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary,
            "no fault split the cluster into two halves without a majority (3 nodes, an odd "
            "number)");
  EXPECT_EQ(CheckSplitWithoutMajority(History{}).verdict, Verdict::kValid);
}

TEST(SplitCheck, OnlyTwoHalvesJoinedByTwoWayLinksCount) {
  // 4 nodes; only node 1 is cut off: groups [1] and [2,3,4] are no halves.
  History h;
  h.events = {FaultStart(0, 1, Json::parse("[[1,2],[2,1],[1,3],[3,1],[1,4],[4,1]]")),
              Client(1, EventType::kInvoke, "write", 1),
              Client(2, EventType::kOk, "write", nullptr)};
  EXPECT_EQ(CheckSplitWithoutMajority(h).details["splits"].size(), 0u);
  // Cutting one direction of each cross link is enough: 1,2 | 3,4.
  h.events[0] = FaultStart(0, 1, Json::parse("[[1,3],[4,1],[2,3],[2,4]]"));
  EXPECT_EQ(CheckSplitWithoutMajority(h).verdict, Verdict::kInvalid);
  // A cas that answered false wrote nothing; a read is no write.
  h.events[1] = Client(1, EventType::kInvoke, "cas", {1, 2});
  h.events[2] = Client(2, EventType::kOk, "cas", false);
  EXPECT_EQ(CheckSplitWithoutMajority(h).verdict, Verdict::kValid);
  h.events[1] = Client(1, EventType::kInvoke, "read", nullptr);
  h.events[2] = Client(2, EventType::kOk, "read", 3);
  EXPECT_EQ(CheckSplitWithoutMajority(h).verdict, Verdict::kValid);
}

TEST(SplitCheck, MalformedInputIsUnknownNamingTheLine) {
  RunCheckResult r = CheckSplitWithoutMajority(Load("faults.end-without-start.bad-input.jsonl"));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.end-without-start.bad-input.jsonl:3: end of fault 9"));
  r = CheckSplitWithoutMajority(Load("faults.bad-cut.bad-input.jsonl"));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.bad-cut.bad-input.jsonl:2: a cut link"));
}

}  // namespace
}  // namespace checker

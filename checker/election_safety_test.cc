#include "checker/election_safety.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

const std::string& kDir = kRunTestdataDir;

History Load(const std::string& name) { return LoadRunHistory(name); }

TEST(ElectionSafety, OneLeaderPerTermFromSamplesAndLogsIsValid) {
  RunCheckResult r =
      CheckElectionSafety(Load("election.good.jsonl"), {{1, kDir + "events-node1.jsonl"},
                                                        {2, kDir + "events-node2.jsonl"},
                                                        {3, kDir + "events-node3.missing.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "at most one leader in each of 3 terms (1 leader changes)");
  EXPECT_EQ(r.details["terms_seen"], 3);
  EXPECT_EQ(r.details["leaders"], Json({{"1", 1}, {"2", 2}, {"4", 2}}));
  EXPECT_EQ(r.details["leader_changes"], 1);
  EXPECT_EQ(r.details["status_samples"], 7);
  EXPECT_EQ(r.details["unanswered_samples"], 1);
  EXPECT_EQ(r.details["log_lines"], 6);
  EXPECT_EQ(r.details["missing_logs"], Json::array({kDir + "events-node3.missing.jsonl"}));
}

TEST(ElectionSafety, TwoLeadersInOneTermFromSamplesIsInvalid) {
  RunCheckResult r = CheckElectionSafety(Load("election.two-leaders.bad.jsonl"), {});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("term 3 had two leaders: node 1 ("));
  EXPECT_THAT(r.summary, HasSubstr("election.two-leaders.bad.jsonl:1 status sample) and node 3 ("));
  EXPECT_THAT(r.summary, HasSubstr("election.two-leaders.bad.jsonl:3 status sample)"));
  EXPECT_EQ(r.details["conflicts"], 1);
}

TEST(ElectionSafety, EventLogContradictingTheSamplesIsInvalid) {
  RunCheckResult r = CheckElectionSafety(
      Load("election.good.jsonl"),
      {{2, kDir + "events-node2.jsonl"}, {3, kDir + "events-node3.leads-term-2.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("term 2 had two leaders: node 2 ("));
  EXPECT_THAT(r.summary, HasSubstr("and node 3 (" + kDir + "events-node3.leads-term-2.jsonl:2)"));
}

TEST(ElectionSafety, EventLogsAloneAreChecked) {
  RunCheckResult r = CheckElectionSafety(
      History{}, {{1, kDir + "events-node1.jsonl"}, {3, kDir + "events-node3.leads-term-2.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  r = CheckElectionSafety(
      History{}, {{2, kDir + "events-node2.jsonl"}, {3, kDir + "events-node3.leads-term-2.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
}

TEST(ElectionSafety, MalformedSampleIsUnknownNamingTheLine) {
  RunCheckResult r = CheckElectionSafety(Load("election.no-term.bad-sample.jsonl"), {});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary,
              HasSubstr("election.no-term.bad-sample.jsonl:2: status sample without an integer "
                        "\"term\""));
}

TEST(ElectionSafety, TruncatedEventLogIsUnknownNamingTheLine) {
  const std::string path = kDir + "events-node3.truncated.bad-input.jsonl";
  RunCheckResult r = CheckElectionSafety(Load("election.good.jsonl"), {{3, path}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, path + ":2: not a JSON object");
}

TEST(ElectionSafety, EventLogOfAnotherNodeIsUnknown) {
  RunCheckResult r = CheckElectionSafety(History{}, {{2, kDir + "events-node1.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("events-node1.jsonl:1: node 1 in the event log of node 2"));
}

TEST(ElectionSafety, UnreadableEventLogIsUnknown) {
  RunCheckResult r = CheckElectionSafety(History{}, {{1, kDir}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("cannot open"));
}

TEST(ElectionSafety, NoLeaderSeenIsUnknown) {
  RunCheckResult r = CheckElectionSafety(History{}, {{1, kDir + "missing.jsonl"}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("no node reported being leader"));
  EXPECT_EQ(r.ToJson()["verdict"], "unknown");
}

}  // namespace
}  // namespace checker

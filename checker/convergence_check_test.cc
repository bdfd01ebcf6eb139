#include "checker/convergence_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

TEST(ConvergenceCheck, EqualAppliedAndDigestsAfterHealAreValid) {
  RunCheckResult r = CheckConvergence(ReadRunHistory(LoadNamed("convergence.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "3 nodes report applied index 50 and equal digests in the last second after heal");
  EXPECT_EQ(r.details["nodes"]["3"]["applied"], 50);
  EXPECT_EQ(r.details["nodes"]["1"]["digest"], "d50");
  EXPECT_DOUBLE_EQ(r.details["window_start_s"].get<double>(), 6.0);
}

TEST(ConvergenceCheck, NodeThatDidNotAnswerMakesItUnknownNamingIt) {
  // Node 3's answer at 11.5 s is line 10; without it node 3 only has an error in the window.
  History h = LoadNamed("convergence.good.jsonl");
  ASSERT_EQ(h.events[9].value["node"], 3);
  RunCheckResult r = CheckConvergence(ReadRunHistory(WithoutLines(h, {10})));
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << r.summary;
  EXPECT_EQ(r.summary,
            "node 3 did not answer a status sample in the last second after heal; nodes 1,2 "
            "report applied index 50 and equal digests");
  EXPECT_EQ(r.details["not_answering"], Json::array({3}));
}

TEST(ConvergenceCheck, SilentNodeDoesNotHideADifferenceAmongTheOthers) {
  History h = WithoutLines(LoadNamed("convergence.good.jsonl"), {10});
  for (Event& event : h.events) {
    if (event.f == "status" && event.value["node"] == 2 && event.value.contains("applied")) {
      event.value["applied"] = 49;
    }
  }
  EXPECT_EQ(CheckConvergence(ReadRunHistory(h)).verdict, Verdict::kInvalid);
}

TEST(ConvergenceCheck, ClusterSizeFromTheOptionsNamesNodesTheHistoryNeverMentions) {
  RunCheckResult r =
      CheckConvergence(ReadRunHistory(LoadNamed("convergence.good.jsonl")), {.nodes = 5});
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("nodes 4,5 did not answer"));
  EXPECT_EQ(r.details["cluster_nodes"], 5);
  EXPECT_EQ(
      CheckConvergence(ReadRunHistory(LoadNamed("convergence.good.jsonl")), {.nodes = 3}).verdict,
      Verdict::kValid);
}

TEST(ConvergenceCheck, DifferentAppliedIndexIsInvalidNamingEveryNode) {
  RunCheckResult r = CheckConvergence(ReadRunHistory(LoadNamed("convergence.diverged.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "replicas differ after the last fault healed: node 1 applied 50 digest \"d50\", node 2 "
            "applied 50 digest \"d50\", node 3 applied 49 digest \"d49\"");
}

TEST(ConvergenceCheck, SameAppliedButDifferentDigestIsInvalid) {
  History h = LoadNamed("convergence.good.jsonl");
  for (Event& event : h.events) {
    if (event.f == "status" && event.value["node"] == 2 && event.value.contains("digest")) {
      event.value["digest"] = "other";
    }
  }
  EXPECT_EQ(CheckConvergence(ReadRunHistory(h)).verdict, Verdict::kInvalid);
}

TEST(ConvergenceCheck, UnhealedOrSilentClusterIsUnknown) {
  RunCheckResult r = CheckConvergence(ReadRunHistory(LoadNamed("failover.never.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("fault 3 (partition-leader, failover.never.bad.jsonl:6) never "
                                   "ended: the cluster was not healed"));
  // Only the fault events and node 3's error are left in the last second.
  History h = LoadNamed("convergence.good.jsonl");
  std::erase_if(h.events,
                [](const Event& e) { return e.f == "status" && !e.value.contains("error"); });
  r = CheckConvergence(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("no node answered a status sample"));
  EXPECT_EQ(CheckConvergence(ReadRunHistory(History{})).verdict, Verdict::kUnknown);
}

TEST(ConvergenceCheck, SampleWithoutAppliedIsUnknownNamingTheLine) {
  RunCheckResult r =
      CheckConvergence(ReadRunHistory(LoadNamed("convergence.no-applied.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("convergence.no-applied.bad-input.jsonl:3: status sample "
                                   "without an integer \"applied\""));
}

}  // namespace
}  // namespace checker

#include "checker/set_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

TEST(SetCheck, AcknowledgedAddsPresentIsValidAndCountsRecovered) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.all-read.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "all 2 acknowledged adds present on 3 nodes, nothing unexpected; at least 1 of 2 "
            "indeterminate adds recovered");
  EXPECT_EQ(r.details["adds"], Json({{"ok", 2}, {"fail", 1}, {"info", 2}}));
  EXPECT_EQ(r.details["attempted"], 5);
  ASSERT_EQ(r.details["nodes"].size(), 3u);
  EXPECT_EQ(r.details["nodes"][0]["node"], 1);
  EXPECT_EQ(r.details["nodes"][0]["recovered"], 1);
  EXPECT_EQ(r.details["nodes"][1]["recovered"], 1);
  EXPECT_EQ(r.details["nodes"][2]["recovered"], 2);
  EXPECT_EQ(r.details["failed_reads"], Json::array());
  EXPECT_EQ(r.details["missing_reads"], Json::array());
  EXPECT_EQ(r.details["lost"], 0);
}

TEST(SetCheck, FailedFinalReadOfOneNodeIsUnknownNamingIt) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.node3-read-failed.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "final read of node 3 failed: did not catch up within 20 s; nodes 1,2 read 3 elements, "
            "none lost");
  EXPECT_EQ(r.details["failed_reads"],
            Json::array({{{"node", 3}, {"error", "did not catch up within 20 s"}}}));
  EXPECT_EQ(r.details["missing_reads"], Json::array({3}));
  ASSERT_EQ(r.details["nodes"].size(), 2u);
  EXPECT_EQ(r.details["lost"], 0);
}

TEST(SetCheck, NodeNeverReadIsUnknownNamingIt) {
  // Status samples show nodes 1..3; only nodes 1 and 3 were read.
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.read-missing.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "no final read of node 2; nodes 1,3 read 1 to 2 elements, none lost");
  EXPECT_EQ(r.details["missing_reads"], Json::array({2}));
  r = CheckSet(ReadRunHistory(LoadRunHistory("set.read-missing.jsonl")), {.nodes = 4});
  EXPECT_EQ(r.summary,
            "no final read of node 2; no final read of node 4; nodes 1,3 read 1 to 2 elements, "
            "none lost");
  EXPECT_EQ(r.details["missing_reads"], Json::array({2, 4}));
  // Told to expect node 1 only, the reads are complete.
  EXPECT_EQ(
      CheckSet(ReadRunHistory(LoadRunHistory("set.read-missing.jsonl")), {.nodes = 1}).verdict,
      Verdict::kValid);
}

TEST(SetCheck, LostElementsStayInvalidWhenAReadIsMissing) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.lost.bad.jsonl")), {.nodes = 3});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("lost 1 of 2 acknowledged adds"));
  EXPECT_EQ(r.details["missing_reads"], Json::array({3}));
}

TEST(SetCheck, LostAcknowledgedAddIsInvalidNamingTheNode) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.lost.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("node 2 (final read at "));
  EXPECT_THAT(r.summary,
              HasSubstr("set.lost.bad.jsonl:8) lost 1 of 2 acknowledged adds, e.g. [1]"));
  EXPECT_EQ(r.details["nodes"][0]["lost"], 0);
  EXPECT_EQ(r.details["nodes"][1]["lost_examples"], Json::array({1}));
}

TEST(SetCheck, UnexpectedElementIsInvalid) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.unexpected.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("read 1 elements never added, e.g. [42]"));
  EXPECT_EQ(r.details["unexpected"], 1);
}

TEST(SetCheck, FailedAddPresentIsInvalid) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.failed-present.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("holds 1 elements whose add failed, e.g. [7]"));
  EXPECT_EQ(r.details["failed_present"], 1);
}

TEST(SetCheck, NoSuccessfulFinalReadIsUnknown) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.no-final-read.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "no final read succeeded (1 failed): final read of node 1 failed: connection refused");
  EXPECT_EQ(r.details["missing_reads"], Json::array({1}));
  EXPECT_EQ(CheckSet(ReadRunHistory(History{})).verdict, Verdict::kUnknown);
}

TEST(SetCheck, NonIntegerElementIsUnknownNamingTheLine) {
  RunCheckResult r = CheckSet(ReadRunHistory(LoadRunHistory("set.string-element.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("set.string-element.bad-input.jsonl:3: add of a value that is "
                                   "not an integer: \"one\""));
}

TEST(SetCheck, CompletionWithoutInvocationIsUnknown) {
  History h;
  h.source = "h.jsonl";
  Event e;
  e.line = 4;
  e.process = Process::Client(2);
  e.type = EventType::kOk;
  e.f = "final-read";
  e.value = Json::array({1});
  h.events = {e};
  RunCheckResult r = CheckSet(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "h.jsonl:4: ok final-read for process 2, which has no open final-read");
}

TEST(SetCheck, NonListFinalReadIsUnknown) {
  History h;
  h.source = "h.jsonl";
  Event invoke;
  invoke.line = 1;
  invoke.process = Process::Client(0);
  invoke.f = "final-read";
  Event ok = invoke;
  ok.line = 2;
  ok.type = EventType::kOk;
  ok.value = "1,2";
  h.events = {invoke, ok};
  RunCheckResult r = CheckSet(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "h.jsonl:2: final-read returned \"1,2\", not a list of integers");
}

}  // namespace
}  // namespace checker

#include "checker/fault_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

TEST(FaultCheck, VerifiedFaultsAreValid) {
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("faults.verified.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "3 faults planned, all applied and verified");
  EXPECT_EQ(r.details["planned"], 3);
  EXPECT_EQ(r.details["applied"], 3);
  EXPECT_EQ(r.details["verified"], 3);
  ASSERT_EQ(r.details["faults"].size(), 3u);
  const Json& clock = r.details["faults"][2];
  EXPECT_EQ(clock["fault"], "clock");
  EXPECT_EQ(clock["status"], "verified");
  EXPECT_EQ(clock["targets"], Json::array({2}));
  EXPECT_DOUBLE_EQ(clock["start_s"].get<double>(), 19.0);
}

TEST(FaultCheck, ClockFaultNotSeenInTheSamplesIsUnverified) {
  // Line 17 is node 2's sample showing +30 s; line 16 shows 2 ms, read before the fault applied.
  RunCheckResult r =
      CheckFaults(ReadRunHistory(WithoutLines(LoadNamed("faults.verified.good.jsonl"), {17})));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "1 of 3 faults did not take effect: fault 3 (clock at 19.0 s): unverified: no status "
            "sample of node 2 showed the offset of 30.000 s while the fault was in force");
  EXPECT_EQ(r.details["unverified"], 1);
  // An offset far from the expected one does not verify it either.
  History h = LoadNamed("faults.verified.good.jsonl");
  h.events[16].value["clock_offset_ms"] = 28'500;
  EXPECT_EQ(CheckFaults(ReadRunHistory(h)).verdict, Verdict::kUnknown);
  h.events[16].value["clock_offset_ms"] = 29'100;
  EXPECT_EQ(CheckFaults(ReadRunHistory(h)).verdict, Verdict::kValid);
}

TEST(FaultCheck, ClockRateIsVerifiedByADriftLargerThanTheTolerance) {
  // Node 2 runs twice as fast from 10 s: at 13 s its clock is 3 s ahead (2.95 s seen).
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("faults.clock-rate.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["faults"][0]["fault"], "clock-rate");
  EXPECT_EQ(r.details["faults"][0]["status"], "verified");
  // A clock that did not drift: the sample at 10.5 s is within the tolerance of both a drifting
  // and a still clock, so it verifies nothing; the one at 13 s contradicts the rate.
  History h = LoadNamed("faults.clock-rate.good.jsonl");
  h.events[5].value["clock_offset_ms"] = 4;
  r = CheckFaults(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("fault 1 (clock-rate at 9.0 s): unverified: no status sample "
                                   "of node 2 showed its clock drifting at rate 2.000"));
  // Only the early sample: too soon to tell a drift from none.
  r = CheckFaults(ReadRunHistory(WithoutLines(LoadNamed("faults.clock-rate.good.jsonl"), {6})));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  // A clock running at half speed falls behind: -1.5 s at 13 s is too small to tell (the
  // tolerance is 2 s: libfaketime's one-second cache lasts two real seconds there), -2.45 s at
  // 14.9 s drifted enough.
  h = LoadNamed("faults.clock-rate.good.jsonl");
  h.events[2].value["rate"] = 0.5;
  h.events[3].value["rate"] = 0.5;
  h.events[5].value["clock_offset_ms"] = -1'500;
  EXPECT_EQ(CheckFaults(ReadRunHistory(h)).verdict, Verdict::kUnknown);
  h.events[5].time_ns = 14'900'000'000;
  h.events[5].value["clock_offset_ms"] = -2'400;
  EXPECT_EQ(CheckFaults(ReadRunHistory(h)).verdict, Verdict::kValid);
}

TEST(FaultCheck, FaultsThatAllFailedSayNoneWasApplied) {
  // A false green once: an iptables that always fails.
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("faults.iptables-fails.unknown.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "3 faults planned, none applied: fault 1 (partition-halves at 4.0 s): failed: "
            "iptables-restore on node 1: exit status 2: line 3 failed; fault 2 (partition-leader "
            "at 9.0 s): failed: iptables-restore on node 1: exit status 2: line 3 failed; fault 3 "
            "(kill at 14.0 s): failed: no leader known");
  EXPECT_EQ(r.details["failed"], 3);
  EXPECT_EQ(r.details["applied"], 0);
  EXPECT_EQ(r.details["faults"][2]["reason"], "no leader known");
}

TEST(FaultCheck, FailedProbeShortClockAndCutHistoryEachSayWhy) {
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("faults.probe-failed.unknown.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "3 of 3 faults did not take effect: fault 1 (pause at 4.0 s): failed: node 2 still "
            "answers: not paused; fault 2 (clock at 9.0 s): unverified: no status sample of node 3 "
            "showed the offset of -12.500 s while the fault was in force; fault 3 "
            "(partition-leader at 19.0 s): not-applied: no applied event and no end: the history "
            "was cut");
  EXPECT_EQ(r.details["applied"], 2);
  EXPECT_EQ(r.details["failed"], 1);
  EXPECT_EQ(r.details["unverified"], 1);
  EXPECT_EQ(r.details["not_applied"], 1);
  // Without a reason, the failed probe is the reason.
  History h = LoadNamed("faults.probe-failed.unknown.jsonl");
  h.events[5].value.erase("reason");
  EXPECT_THAT(CheckFaults(ReadRunHistory(h)).details["faults"][0]["reason"].get<std::string>(),
              HasSubstr("probe failed: {\"kind\":\"paused\""));
}

TEST(FaultCheck, OldHistoryWithoutVerificationIsUnverified) {
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("failover.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("4 of 4 faults did not take effect: fault 1 (kill at 9.0 s): "
                                   "unverified: the history has no applied or verified events"));
  EXPECT_THAT(r.summary, HasSubstr("; and more (details.faults)"));
  EXPECT_EQ(r.details["applied"], 4);
  EXPECT_EQ(r.details["unverified"], 4);
}

TEST(FaultCheck, NoFaultsIsValidAndMalformedIsUnknown) {
  RunCheckResult r = CheckFaults(ReadRunHistory(LoadNamed("set.node3-read-failed.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary, "no faults planned");
  r = CheckFaults(ReadRunHistory(LoadNamed("faults.bad-cut.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.bad-cut.bad-input.jsonl:2: a cut link"));
}

}  // namespace
}  // namespace checker

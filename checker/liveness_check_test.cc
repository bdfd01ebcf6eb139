#include "checker/liveness_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

TEST(LivenessCheck, ServingSoonAfterTheFinalHealIsValid) {
  // The write invoked at 9.5 s, before the heal ended at 10.0 s, does not count; the read
  // invoked at 10.3 s does.
  RunCheckResult r = CheckLiveness(ReadRunHistory(LoadNamed("liveness.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "served 0.341 s after the final heal at 9.0 s");
  EXPECT_EQ(r.details["ok_ops"], 3);
  EXPECT_DOUBLE_EQ(r.details["final_heal_s"].get<double>(), 9.0);
  EXPECT_NEAR(r.details["served_after_heal_s"].get<double>(), 0.341, 1e-9);
  r = CheckLiveness(ReadRunHistory(LoadNamed("liveness.good.jsonl")), {.max_recovery_s = 0.3});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "the cluster did not serve within 0.3 s after the final heal at 9.0 s (first "
            "acknowledged operation after 0.341 s)");
}

TEST(LivenessCheck, NoServiceAfterTheFinalHealIsInvalid) {
  RunCheckResult r = CheckLiveness(ReadRunHistory(LoadNamed("liveness.no-service.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "the cluster did not serve within 5.0 s after the final heal at 7.2 s (no operation "
            "acknowledged in the 6.800 s the history continued)");
  EXPECT_TRUE(r.details["served_after_heal_s"].is_null());
}

TEST(LivenessCheck, HistoryEndingWithinTheBoundIsUnknown) {
  RunCheckResult r = CheckLiveness(ReadRunHistory(LoadNamed("liveness.no-service.bad.jsonl")),
                                   {.max_recovery_s = 10});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "the history ended 6.800 s after the final heal at 7.2 s, before any operation was "
            "acknowledged after it");
}

TEST(LivenessCheck, NoAcknowledgedOperationIsInvalid) {
  RunCheckResult r = CheckLiveness(ReadRunHistory(LoadNamed("liveness.no-ops.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary, "no operation was acknowledged");
  EXPECT_EQ(r.details["ok_ops"], 0);
}

TEST(LivenessCheck, FaultsThatFailedOrNeverEndedAreNoFinalHeal) {
  // Every fault failed to apply: nothing to recover from.
  RunCheckResult r =
      CheckLiveness(ReadRunHistory(LoadNamed("faults.iptables-fails.unknown.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary, "2 operations acknowledged; no fault to heal");
  EXPECT_TRUE(r.details["final_heal_s"].is_null());
  r = CheckLiveness(ReadRunHistory(LoadNamed("failover.never.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("fault 3 (partition-leader, failover.never.bad.jsonl:6) never "
                                   "ended"));
}

TEST(LivenessCheck, MalformedInputIsUnknownNamingTheLine) {
  RunCheckResult r =
      CheckLiveness(ReadRunHistory(LoadNamed("faults.end-without-start.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("faults.end-without-start.bad-input.jsonl:3: end of fault 9"));
}

}  // namespace
}  // namespace checker

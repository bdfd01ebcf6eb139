#include "checker/lease_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

TEST(LeaseCheck, DisjointTenuresAreValidWithMarginAndAvailability) {
  RunCheckResult r = CheckLease(ReadRunHistory(LoadRunHistory("lease.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "no overlapping tenures among 3 tenures; smallest handover gap 1500.0 ms (lease 1000 "
            "ms, renew deadline 600 ms); lease held 66.0% of 10.0 s, longest without holder "
            "1500 ms");
  EXPECT_EQ(r.details["tenures"], 3);
  EXPECT_DOUBLE_EQ(r.details["safety_margin_ms"].get<double>(), 1500.0);
  EXPECT_EQ(r.details["configured_margin_ms"], 400);
  EXPECT_DOUBLE_EQ(r.details["availability"].get<double>(), 0.66);
  EXPECT_DOUBLE_EQ(r.details["longest_without_holder_ms"].get<double>(), 1500.0);
  EXPECT_DOUBLE_EQ(r.details["longest_without_holder_start_s"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(r.details["longest_without_holder_end_s"].get<double>(), 4.5);
  EXPECT_EQ(r.details["config"]["candidates"], 2);
}

TEST(LeaseCheck, OverlappingTenuresAreInvalidNamingBothCandidates) {
  RunCheckResult r = CheckLease(ReadRunHistory(LoadRunHistory("lease.overlap.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "candidates 0 and 2 both held the lease for 250.000 ms (candidate 0: 1.000-3.000 s, "
            "candidate 2: 2.750-5.000 s)");
  EXPECT_EQ(r.details["overlaps"], 1);
  EXPECT_DOUBLE_EQ(r.details["max_overlap_ms"].get<double>(), 250.0);
}

// Under fencing the same overlap is reported but harmless: the fencing check has the say.
TEST(LeaseCheck, OverlapUnderFencingIsValidAndReported) {
  RunCheckResult r = CheckLease(ReadRunHistory(LoadRunHistory("lease.overlap-fenced.good.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("1 overlapping tenures, harmless under fencing"));
  EXPECT_THAT(r.summary, HasSubstr("candidates 0 and 2 both held the lease"));
  EXPECT_EQ(r.details["overlaps"], 1);
  EXPECT_EQ(r.details["fencing"], true);
}

TEST(LeaseCheck, SameCandidateTenuresMayTouch) {
  History h = LoadRunHistory("lease.good.jsonl");
  Event extra = h.events.back();
  extra.index += 1;
  extra.process = Process::Named("election");
  extra.type = EventType::kInfo;
  extra.f = "tenure";
  extra.value = {{"candidate", 1}, {"start_ns", 7'000'000'000}, {"end_ns", 8'300'000'000}};
  h.events.push_back(extra);
  EXPECT_EQ(CheckLease(ReadRunHistory(h)).verdict, Verdict::kValid);
  extra.value["candidate"] = 0;
  h.events.push_back(extra);
  EXPECT_EQ(CheckLease(ReadRunHistory(h)).verdict, Verdict::kInvalid);
}

TEST(LeaseCheck, NoLeaseConfigIsUnknown) {
  RunCheckResult r = CheckLease(ReadRunHistory(LoadRunHistory("lease.no-config.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("no lease-config event in "));
  EXPECT_EQ(CheckLease(ReadRunHistory(History{})).verdict, Verdict::kUnknown);
}

TEST(LeaseCheck, TenureEndingBeforeItStartsIsUnknownNamingTheLine) {
  RunCheckResult r =
      CheckLease(ReadRunHistory(LoadRunHistory("lease.backwards-tenure.bad-input.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("lease.backwards-tenure.bad-input.jsonl:2: tenure ends "
                                   "(1000000000) before it starts (3000000000)"));
}

TEST(LeaseCheck, MalformedConfigIsUnknown) {
  History h;
  h.source = "h.jsonl";
  Event config;
  config.line = 1;
  config.process = Process::Named("election");
  config.type = EventType::kInfo;
  config.f = "lease-config";
  config.value = {{"lease_ms", "1s"}};
  h.events = {config};
  RunCheckResult r = CheckLease(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "h.jsonl:1: lease-config without an integer \"lease_ms\"");
}

TEST(LeaseCheck, NoTenureIsValidWithZeroAvailability) {
  History h = LoadRunHistory("lease.good.jsonl");
  std::erase_if(h.events, [](const Event& e) { return e.f == "tenure"; });
  RunCheckResult r = CheckLease(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["availability"], 0.0);
  EXPECT_TRUE(r.details["safety_margin_ms"].is_null());
  EXPECT_DOUBLE_EQ(r.details["longest_without_holder_ms"].get<double>(), 10000.0);
}

}  // namespace
}  // namespace checker

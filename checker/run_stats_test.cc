#include "checker/run_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

TEST(RunStats, CountsLatenciesThroughputAndWorstUnavailability) {
  RunCheckResult r = ComputeRunStats(ReadRunHistory(LoadRunHistory("stats.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary,
            "3 ok, 1 fail, 2 info in 2.2 s (1.4 ok/s); latency p50 20.0 ms, p99 1820.0 ms; "
            "longest without an ok 2000 ms (1.020-3.020 s)");
  const Json& d = r.details;
  EXPECT_DOUBLE_EQ(d["duration_s"].get<double>(), 2.2);
  EXPECT_EQ(d["by_f"]["write"]["ok"], 1);
  EXPECT_EQ(d["by_f"]["write"]["fail"], 1);
  EXPECT_EQ(d["by_f"]["write"]["info"], 1);
  EXPECT_EQ(d["by_f"]["read"]["ok"], 2);
  EXPECT_EQ(d["by_f"]["read"]["info"], 1);  // never completed
  EXPECT_DOUBLE_EQ(d["by_f"]["read"]["latency_ms"]["p50"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(d["by_f"]["read"]["latency_ms"]["max"].get<double>(), 1820.0);
  EXPECT_DOUBLE_EQ(d["total"]["latency_ms"]["p90"].get<double>(), 1820.0);
  EXPECT_DOUBLE_EQ(d["total"]["ok_per_s"].get<double>(), 3 / 2.2);
  EXPECT_DOUBLE_EQ(d["total"]["completed_per_s"].get<double>(), 6 / 2.2);
  EXPECT_DOUBLE_EQ(d["worst_unavailability"]["ms"].get<double>(), 2000.0);
  EXPECT_DOUBLE_EQ(d["worst_unavailability"]["start_s"].get<double>(), 1.02);
  EXPECT_DOUBLE_EQ(d["worst_unavailability"]["end_s"].get<double>(), 3.02);
  EXPECT_EQ(d["unpaired_completions"], 0);
  EXPECT_FALSE(d["by_f"].contains("status"));
}

TEST(RunStats, EmptyHistoryIsValid) {
  RunCheckResult r = ComputeRunStats(ReadRunHistory(History{}));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary, "no client operations");
}

TEST(RunStats, UnpairedCompletionIsCountedNotFatal) {
  History h;
  Event e;
  e.process = Process::Client(1);
  e.type = EventType::kOk;
  e.f = "read";
  h.events = {e};
  RunCheckResult r = ComputeRunStats(ReadRunHistory(h));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["unpaired_completions"], 1);
}

}  // namespace
}  // namespace checker

#include "orchestrator/report/timeline_data.h"

#include <gtest/gtest.h>

namespace orchestrator::report {
namespace {

using checker::Json;

checker::History Tenures(std::vector<Json> values) {
  checker::History history;
  int64_t index = 0;
  for (Json& value : values) {
    history.events.push_back({.index = index,
                              .time_ns = (index + 1) * 1'000'000'000,
                              .process = checker::Process::Named("election"),
                              .type = checker::EventType::kInfo,
                              .f = "tenure",
                              .value = std::move(value)});
    ++index;
  }
  return history;
}

// The lease split brain drawn: both tenures, each marked as overlapping the other.
TEST(TimelineTenures, OverlappingTenuresOfTwoCandidatesAreMarked) {
  const Json timeline = BuildTimeline(Tenures({
      {{"candidate", 1}, {"start_ns", 1'000'000'000}, {"end_ns", 4'000'000'000}, {"token", 1}},
      {{"candidate", 2}, {"start_ns", 3'000'000'000}, {"end_ns", 5'000'000'000}, {"token", 2}},
      {{"candidate", 1}, {"start_ns", 6'000'000'000}, {"end_ns", 7'000'000'000}, {"token", 3}},
  }));
  const Json& tenures = timeline["tenures"];
  ASSERT_EQ(tenures.size(), 3u);
  EXPECT_EQ(tenures[0]["candidate"], 1);
  EXPECT_EQ(tenures[0]["token"], 1);
  EXPECT_DOUBLE_EQ(tenures[0]["start"].get<double>(), 0.0);  // the first event is at 1 s
  EXPECT_DOUBLE_EQ(tenures[0]["end"].get<double>(), 3.0);
  EXPECT_EQ(tenures[0]["overlap"], true);
  EXPECT_EQ(tenures[1]["overlap"], true);
  EXPECT_EQ(tenures[2]["overlap"], false);
}

TEST(TimelineTenures, AHistoryWithoutTenuresHasNone) {
  EXPECT_TRUE(BuildTimeline(checker::History{})["tenures"].empty());
}

}  // namespace
}  // namespace orchestrator::report

// ShrinkSchedule against oracles whose answer is known: which entries (and how long a hold, how
// long a run) make the "bug" show, so the smallest schedule is known in advance.
#include "nemesis/shrink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace nemesis {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ScheduleEntry Entry(FaultKind kind, int at_s, int hold_s) {
  return {.at = seconds(at_s), .fault = Fault{.kind = kind}, .duration = seconds(hold_s)};
}

// Six faults over 30 s, the shape of a random schedule: one every 5 s, each held 2 s... 4 s.
ShrinkCandidate SixFaults() {
  return {.schedule = {Entry(FaultKind::kKill, 3, 2), Entry(FaultKind::kPause, 8, 2),
                       Entry(FaultKind::kPartitionLeader, 13, 3),
                       Entry(FaultKind::kPartitionHalves, 18, 4), Entry(FaultKind::kLoss, 23, 2),
                       Entry(FaultKind::kClock, 28, 2)},
          .time_limit = seconds(40)};
}

bool Has(const Schedule& schedule, FaultKind kind, milliseconds min_hold = milliseconds(0)) {
  return std::any_of(schedule.begin(), schedule.end(), [&](const ScheduleEntry& entry) {
    return entry.fault.kind == kind && entry.duration >= min_hold;
  });
}

// The run fails when a partition-halves of at least 1 s ends before the run does.
TrialOutcome NeedsHalves(const ShrinkCandidate& candidate) {
  for (const ScheduleEntry& entry : candidate.schedule) {
    if (entry.fault.kind == FaultKind::kPartitionHalves && entry.duration >= seconds(1) &&
        entry.at + entry.duration <= candidate.time_limit) {
      return TrialOutcome::kFails;
    }
  }
  return TrialOutcome::kPasses;
}

TEST(ShrinkSchedule, OneNeededFaultIsAllThatIsLeftWithTheShortestHoldAndRun) {
  int calls = 0;
  std::set<std::string> asked;
  const ShrinkResult result =
      ShrinkSchedule(SixFaults(), [&](const ShrinkCandidate& c, ShrinkStep) {
        ++calls;
        asked.insert(ScheduleToJson(c.schedule).dump() + std::to_string(c.time_limit.count()));
        return NeedsHalves(c);
      });
  ASSERT_EQ(result.smallest.schedule.size(), 1u);
  const ScheduleEntry& left = result.smallest.schedule[0];
  EXPECT_EQ(left.fault.kind, FaultKind::kPartitionHalves);
  EXPECT_EQ(left.duration, seconds(1));               // 4 s -> 2 s -> 1 s; 500 ms passes
  EXPECT_EQ(left.at, seconds(1));                     // shifted to the lead
  EXPECT_EQ(result.smallest.time_limit, seconds(5));  // 1 s + 1 s hold + 3 s tail
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(calls, result.tried);
  EXPECT_EQ(static_cast<size_t>(calls), asked.size()) << "a candidate was tried twice";
  EXPECT_LT(calls, 20);
}

TEST(ShrinkSchedule, TwoFaultsThatFailOnlyTogetherBothStay) {
  const auto oracle = [](const ShrinkCandidate& c, ShrinkStep) {
    return Has(c.schedule, FaultKind::kPause) && Has(c.schedule, FaultKind::kLoss)
               ? TrialOutcome::kFails
               : TrialOutcome::kPasses;
  };
  const ShrinkResult result = ShrinkSchedule(SixFaults(), oracle);
  ASSERT_EQ(result.smallest.schedule.size(), 2u);
  EXPECT_EQ(result.smallest.schedule[0].fault.kind, FaultKind::kPause);
  EXPECT_EQ(result.smallest.schedule[1].fault.kind, FaultKind::kLoss);
  EXPECT_EQ(result.smallest.schedule[0].duration, milliseconds(500));
  // Their order and distance stay: the shift moves both.
  EXPECT_EQ(result.smallest.schedule[1].at - result.smallest.schedule[0].at, seconds(15));
}

TEST(ShrinkSchedule, ABugThatNeedsNoFaultEndsWithAnEmptySchedule) {
  const ShrinkResult result = ShrinkSchedule(
      SixFaults(), [](const ShrinkCandidate&, ShrinkStep) { return TrialOutcome::kFails; });
  EXPECT_TRUE(result.smallest.schedule.empty());
  EXPECT_EQ(result.smallest.time_limit, seconds(4));  // lead + tail
}

TEST(ShrinkSchedule, WhenNothingSmallerFailsTheInputComesBack) {
  int calls = 0;
  const ShrinkResult result = ShrinkSchedule(SixFaults(), [&](const ShrinkCandidate&, ShrinkStep) {
    ++calls;
    return TrialOutcome::kPasses;
  });
  EXPECT_EQ(result.smallest, SixFaults());
  EXPECT_EQ(result.failed, 0);
  EXPECT_GT(calls, 6);  // every chunk size down to single entries, then holds, shift, length
}

TEST(ShrinkSchedule, AStoppedOracleEndsTheSearchWithTheSmallestFailingSoFar) {
  int calls = 0;
  const ShrinkResult result =
      ShrinkSchedule(SixFaults(), [&](const ShrinkCandidate& c, ShrinkStep) {
        if (++calls > 2) return TrialOutcome::kStopped;
        return NeedsHalves(c);
      });
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(calls, 3);  // nothing asked after the stop
  EXPECT_EQ(NeedsHalves(result.smallest), TrialOutcome::kFails);
  EXPECT_LT(result.smallest.schedule.size(), SixFaults().schedule.size());
}

TEST(ShrinkSchedule, ARunTooShortForTheFaultIsNotKept) {
  // The fault must end 6 s before the run does (a check that needs a long recovery).
  const auto oracle = [](const ShrinkCandidate& c, ShrinkStep) {
    return Has(c.schedule, FaultKind::kKill) && ScheduleEnd(c.schedule) + seconds(6) <= c.time_limit
               ? TrialOutcome::kFails
               : TrialOutcome::kPasses;
  };
  const ShrinkResult result = ShrinkSchedule(SixFaults(), oracle);
  ASSERT_EQ(result.smallest.schedule.size(), 1u);
  EXPECT_GE(result.smallest.time_limit, ScheduleEnd(result.smallest.schedule) + seconds(6));
  EXPECT_EQ(oracle(result.smallest, ShrinkStep::kLength), TrialOutcome::kFails);
}

TEST(ShrinkSchedule, StepsHaveNames) {
  EXPECT_EQ(ShrinkStepName(ShrinkStep::kFaults), "faults");
  EXPECT_EQ(ShrinkStepName(ShrinkStep::kLength), "length");
  EXPECT_EQ(ScheduleEnd({}), milliseconds(0));
  EXPECT_EQ(ScheduleEnd(SixFaults().schedule), seconds(30));
}

}  // namespace
}  // namespace nemesis

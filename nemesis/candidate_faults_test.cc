// The candidate faults through Nemesis against fakes: planning on candidates (the lease's holder
// as "leader"), apply / verify / undo, overlapping faults, and probes that catch a fault that
// did not take effect.
#include <gtest/gtest.h>

#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "nemesis/testing_candidates.h"
#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using testing::FakeCandidateControl;
using testing::FakeIptables;
using testing::FakeNodeControl;
using Calls = std::vector<std::string>;

class CandidateFaultsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Nemesis> Make(CandidateControl* candidates) {
    return std::make_unique<Nemesis>(
        nodes_, iptables_,
        NemesisOptions{.seed = 1,
                       .record = [this](const std::string& f,
                                        const nlohmann::json& v) { events_.emplace_back(f, v); },
                       .candidates = candidates});
  }
  // The last event of `phase`.
  nlohmann::json Last(const std::string& phase) const {
    nlohmann::json last;
    for (const auto& [f, value] : events_) {
      if (value.value("phase", "") == phase) last = value;
    }
    return last;
  }

  FakeIptables iptables_;
  FakeNodeControl nodes_{3, &iptables_};
  FakeCandidateControl candidates_{3, 3};
  std::vector<std::pair<std::string, nlohmann::json>> events_;
};

TEST_F(CandidateFaultsTest, PauseOfTheLeaderFreezesTheLeaseHolderAndVerifies) {
  candidates_.holder = 2;
  auto nemesis = Make(&candidates_);
  auto id = nemesis->Start({.kind = FaultKind::kPauseCandidate, .target = Target::kLeader});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(candidates_.TakeCalls(), Calls{"pause-candidate 2"});
  EXPECT_EQ(Last("start")["leader"], 2);
  EXPECT_EQ(Last("verified")["ok"], true);
  EXPECT_EQ(Last("verified")["probes"][0]["kind"], "candidate-paused");
  EXPECT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(candidates_.TakeCalls(), Calls{"resume-candidate 2"});
  EXPECT_TRUE(nodes_.TakeCalls().empty());  // no node was touched
}

TEST_F(CandidateFaultsTest, AStuckCandidateFailsTheProbe) {
  candidates_.stuck = {1};
  auto nemesis = Make(&candidates_);
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPauseCandidate, .nodes = {1}}).ok());
  EXPECT_EQ(Last("verified")["ok"], false);
  EXPECT_EQ(Last("verified")["reason"], "candidate-paused probe of node 1: still running");
}

TEST_F(CandidateFaultsTest, ClockOffsetsAddUpAndEndingTakesTheStepBack) {
  auto nemesis = Make(&candidates_);
  auto a = nemesis->Start({.kind = FaultKind::kClockCandidate, .nodes = {1}, .offset_s = 5});
  auto b = nemesis->Start({.kind = FaultKind::kClockCandidate, .nodes = {1}, .offset_s = -2});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Last("verified")["ok"], true);
  EXPECT_EQ(Last("applied")["offset_s"], -2);
  ASSERT_TRUE(nemesis->End(*a).ok());
  ASSERT_TRUE(nemesis->End(*b).ok());
  EXPECT_EQ(candidates_.TakeCalls(), (Calls{"clock-candidate 1 5000", "clock-candidate 1 3000",
                                            "clock-candidate 1 -2000", "clock-candidate 1 0"}));
}

TEST_F(CandidateFaultsTest, PartitionCutsFromEveryNodeAndProbesEachLink) {
  auto nemesis = Make(&candidates_);
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPartitionCandidate, .nodes = {3}}).ok());
  const nlohmann::json verified = Last("verified");
  EXPECT_EQ(verified["ok"], true);
  ASSERT_EQ(verified["probes"].size(), 3u);  // to each of 3 nodes
  EXPECT_EQ(verified["probes"][2]["kind"], "candidate-blocked");
  EXPECT_EQ(verified["probes"][2]["peer"], 3);
  EXPECT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(candidates_.TakeCalls(), (Calls{"cut-candidate 3", "heal-candidate 3"}));
}

TEST_F(CandidateFaultsTest, OverlappingPausesResumeWhenTheLastEnds) {
  auto nemesis = Make(&candidates_);
  auto a = nemesis->Start({.kind = FaultKind::kPauseCandidate, .nodes = {1}});
  auto b = nemesis->Start({.kind = FaultKind::kPauseCandidate, .nodes = {1, 2}});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(nemesis->End(*a).ok());
  EXPECT_EQ(candidates_.TakeCalls(), (Calls{"pause-candidate 1", "pause-candidate 2"}));
  ASSERT_TRUE(nemesis->End(*b).ok());
  EXPECT_EQ(candidates_.TakeCalls(), (Calls{"resume-candidate 1", "resume-candidate 2"}));
}

TEST_F(CandidateFaultsTest, AFailedPauseUndoesItsPartAndIsRecorded) {
  candidates_.fail = {"pause-candidate 2"};
  auto nemesis = Make(&candidates_);
  auto id = nemesis->Start({.kind = FaultKind::kPauseCandidate, .nodes = {1, 2}});
  EXPECT_FALSE(id.ok());
  EXPECT_EQ(candidates_.TakeCalls(),
            (Calls{"pause-candidate 1", "pause-candidate 2", "resume-candidate 1"}));
  EXPECT_NE(Last("end")["error"].get<std::string>().find("injected failure"), std::string::npos);
}

TEST_F(CandidateFaultsTest, WithoutCandidatesTheFaultFails) {
  auto nemesis = Make(nullptr);
  auto id = nemesis->Start({.kind = FaultKind::kPauseCandidate, .nodes = {1}});
  EXPECT_FALSE(id.ok());
}

TEST(CandidateFaultSchedule, ParsesAndWritesCandidateFaults) {
  auto schedule = ParseSchedule(
      R"([{"at":"2s","fault":"pause-candidate","targets":"leader","duration":"3s"},
          {"at":"6s","fault":"clock-candidate","targets":[2],"offset":"+5s","duration":"2s"},
          {"at":"9s","fault":"partition-candidate","targets":"one","duration":"2s"}])");
  ASSERT_TRUE(schedule.ok()) << schedule.status().message();
  ASSERT_EQ(schedule->size(), 3u);
  EXPECT_EQ((*schedule)[0].fault.kind, FaultKind::kPauseCandidate);
  EXPECT_EQ((*schedule)[0].fault.target, Target::kLeader);
  EXPECT_EQ((*schedule)[1].fault.offset_s, 5);
  EXPECT_EQ(ScheduleToJson(*schedule)[1]["offset"], 5);
  EXPECT_FALSE(ParseSchedule(R"([{"at":"1s","fault":"pause-candidate","offset":"5s",
                                  "duration":"1s"}])")
                   .ok());
}

TEST(CandidateFaultPlan, TargetsCandidatesNotNodes) {
  common::Rng rng(1);
  auto plan = PlanFault({.kind = FaultKind::kPauseCandidate, .target = Target::kLeader}, 4, 3, rng);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->targets, std::vector<int>{3});
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kPauseCandidate, .nodes = {5}}, 4, 0, rng).ok());
  EXPECT_TRUE(IsCandidateFault(FaultKind::kClockCandidate));
  EXPECT_FALSE(IsNetworkFault(FaultKind::kPartitionCandidate));
  EXPECT_TRUE(TakesTargets(FaultKind::kPartitionCandidate));
}

}  // namespace
}  // namespace nemesis

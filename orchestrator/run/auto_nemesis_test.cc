#include "orchestrator/run/auto_nemesis.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "orchestrator/run/plan.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/results.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using checker::CoverageRole;
using checker::CoverageState;
using checker::FaultCoverage;
using nemesis::FaultKind;
using nemesis::Target;

constexpr std::array kStates = {CoverageState::kSteady, CoverageState::kElecting,
                                CoverageState::kCatchingUp};

// Every cell auto can aim at is hit, except those of `missing_kind` for `missing_roles`.
FaultCoverage CoverageMissing(FaultKind missing_kind, std::vector<CoverageRole> missing_roles) {
  FaultCoverage coverage;
  for (FaultKind kind : AutoNemesisKinds(5)) {
    for (CoverageRole role :
         {CoverageRole::kLeader, CoverageRole::kFollower, CoverageRole::kLagging}) {
      const bool missing =
          kind == missing_kind &&
          std::find(missing_roles.begin(), missing_roles.end(), role) != missing_roles.end();
      if (missing) continue;
      for (CoverageState state : kStates) {
        coverage
            .cells[{.fault = std::string(nemesis::FaultName(kind)), .role = role, .state = state}] =
            1;
      }
    }
  }
  return coverage;
}

// How many faults of `kind` aimed at `target` the schedules of seeds 1..200 hold.
int CountAimed(const nemesis::RandomScheduleOptions& base, FaultKind kind, Target target) {
  int count = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    nemesis::RandomScheduleOptions options = base;
    options.seed = seed;
    auto schedule = nemesis::RandomSchedule(options);
    EXPECT_TRUE(schedule.ok()) << schedule.status().message();
    for (const nemesis::ScheduleEntry& entry : *schedule) {
      count += entry.fault.kind == kind && entry.fault.target == target ? 1 : 0;
    }
  }
  return count;
}

TEST(AutoNemesis, EmptyCellsWeighTheirChoices) {
  std::vector<nemesis::FaultChoice> none = AutoNemesisChoices(FaultCoverage{}, 5);
  std::vector<nemesis::FaultChoice> full =
      AutoNemesisChoices(CoverageMissing(FaultKind::kKill, {}), 5);
  ASSERT_EQ(none.size(), full.size());
  ASSERT_FALSE(none.empty());
  for (size_t i = 0; i < none.size(); ++i) {
    EXPECT_EQ(full[i].weight, 1) << nemesis::FaultName(full[i].kind);
    EXPECT_GT(none[i].weight, 1);
  }
  // kill aimed at the leader: 3 states x 1 role; at a follower: 3 states x 2 roles.
  EXPECT_EQ(none[0].kind, FaultKind::kKill);
  EXPECT_EQ(none[0].target, Target::kLeader);
  EXPECT_EQ(none[0].weight, 1 + 3 * 3);
  EXPECT_EQ(none[1].target, Target::kFollower);
  EXPECT_EQ(none[1].weight, 1 + 3 * 6);
}

TEST(AutoNemesis, SchedulesAimAtTheEmptyCellsMoreOftenThanUnbiased) {
  const nemesis::RandomScheduleOptions unbiased{.faults = AutoNemesisKinds(5),
                                                .interval = std::chrono::seconds(5),
                                                .time_limit = std::chrono::seconds(100),
                                                .nodes = 5};
  nemesis::RandomScheduleOptions biased = unbiased;
  biased.choices =
      AutoNemesisChoices(CoverageMissing(FaultKind::kKill, {CoverageRole::kLeader}), 5);
  const int aimed = CountAimed(biased, FaultKind::kKill, Target::kLeader);
  const int plain = CountAimed(unbiased, FaultKind::kKill, Target::kLeader);
  RecordProperty("kill_leader_biased", aimed);
  RecordProperty("kill_leader_unbiased", plain);
  EXPECT_GT(aimed, 2 * plain) << "biased " << aimed << ", unbiased " << plain;
  // A follower-side gap draws follower-aimed pauses instead.
  biased.choices = AutoNemesisChoices(
      CoverageMissing(FaultKind::kPause, {CoverageRole::kFollower, CoverageRole::kLagging}), 5);
  EXPECT_GT(CountAimed(biased, FaultKind::kPause, Target::kFollower),
            2 * CountAimed(unbiased, FaultKind::kPause, Target::kFollower));
  EXPECT_LT(CountAimed(biased, FaultKind::kKill, Target::kLeader), aimed);
}

class AutoPlanTest : public ::testing::Test {
 protected:
  AutoPlanTest() {
    std::string pattern = (fs::temp_directory_path() / "auto-nemesis-XXXXXX").string();
    store_ = mkdtemp(pattern.data());
  }
  ~AutoPlanTest() override {
    std::error_code ec;
    fs::remove_all(store_, ec);
  }
  void AddRun(const std::string& stamp, const FaultCoverage& coverage) {
    RunResults results{.run_id = stamp, .name = "t", .verdict = RunVerdict::kValid};
    results.fault_coverage = coverage;
    fs::create_directories(store_ / "t" / stamp);
    ASSERT_TRUE(
        WriteFileAtomically(store_ / "t" / stamp / "results.json", results.ToJson().dump()).ok());
  }
  common::Result<RunPlan> Plan(const std::string& seed) {
    auto spec =
        ParseRunSpec({"--nemesis", "auto", "--nodes", "5", "--time-limit", "100s",
                      "--nemesis-interval", "5s", "--seed", seed, "--store", store_.string()});
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    return PlanRun(*spec);
  }
  fs::path store_;
};

TEST_F(AutoPlanTest, TheSameSeedOverTheSameStoreDrawsTheSameSchedule) {
  AddRun("20261207T100000Z", CoverageMissing(FaultKind::kKill, {CoverageRole::kLeader}));
  auto a = Plan("17");
  auto b = Plan("17");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().message();
  ASSERT_FALSE(a->schedule.empty());
  EXPECT_EQ(a->schedule, b->schedule);
  for (const nemesis::ScheduleEntry& entry : a->schedule) {
    const std::vector<FaultKind> kinds = AutoNemesisKinds(5);
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), entry.fault.kind), kinds.end());
  }
}

TEST_F(AutoPlanTest, ItReadsTheStoresCoverage) {
  // Over 20 seeds the schedules differ once the store's coverage changes.
  std::vector<nemesis::Schedule> before;
  for (int seed = 1; seed <= 20; ++seed) before.push_back(Plan(std::to_string(seed))->schedule);
  AddRun("20261207T100000Z", CoverageMissing(FaultKind::kLink, {CoverageRole::kLeader}));
  int changed = 0;
  for (int seed = 1; seed <= 20; ++seed) {
    changed += Plan(std::to_string(seed))->schedule != before[seed - 1] ? 1 : 0;
  }
  EXPECT_GT(changed, 10);
}

}  // namespace
}  // namespace orchestrator

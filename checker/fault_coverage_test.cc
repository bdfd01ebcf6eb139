#include "checker/fault_coverage.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace checker {
namespace {

constexpr int64_t kMs = 1'000'000;

// A tiny language for histories: samples and fault phases at given times (ms).
class CoverageHistory {
 public:
  CoverageHistory& Sample(int64_t at_ms, int64_t node, std::string role, int64_t term,
                          int64_t applied) {
    return Add(at_ms, "status", "status",
               {{"node", node}, {"role", std::move(role)}, {"term", term}, {"applied", applied}});
  }
  CoverageHistory& Down(int64_t at_ms, int64_t node) {
    return Add(at_ms, "status", "status", {{"node", node}, {"error", "deadline exceeded"}});
  }
  CoverageHistory& Start(int64_t at_ms, int64_t id, std::string f, Json targets) {
    return Add(at_ms, "nemesis", std::move(f),
               {{"phase", "start"}, {"id", id}, {"targets", std::move(targets)}});
  }
  CoverageHistory& Cut(int64_t at_ms, int64_t id, std::string f, Json targets, Json cut) {
    return Add(
        at_ms, "nemesis", std::move(f),
        {{"phase", "start"}, {"id", id}, {"targets", std::move(targets)}, {"cut", std::move(cut)}});
  }
  CoverageHistory& Phase(int64_t at_ms, int64_t id, std::string f, std::string phase) {
    return Add(at_ms, "nemesis", std::move(f), {{"phase", std::move(phase)}, {"id", id}});
  }
  CoverageHistory& FailedEnd(int64_t at_ms, int64_t id, std::string f) {
    return Add(at_ms, "nemesis", std::move(f),
               {{"phase", "end"}, {"id", id}, {"error", "iptables exited 4"}});
  }
  // Three nodes, node 1 leading term 2, all applied at `applied` (node 3 at `applied3`).
  CoverageHistory& Steady(int64_t at_ms, int64_t applied, int64_t applied3) {
    Sample(at_ms, 1, "leader", 2, applied);
    Sample(at_ms, 2, "follower", 2, applied);
    return Sample(at_ms, 3, "follower", 2, applied3);
  }
  FaultCoverage Coverage() const {
    return ComputeFaultCoverage(ReadRunHistory(history_), {.lag_entries = 100});
  }

 private:
  CoverageHistory& Add(int64_t at_ms, std::string process, std::string f, Json value) {
    const auto index = static_cast<int64_t>(history_.events.size());
    history_.events.push_back({.index = index,
                               .time_ns = at_ms * kMs,
                               .process = Process::Named(std::move(process)),
                               .type = EventType::kInfo,
                               .f = std::move(f),
                               .value = std::move(value)});
    return *this;
  }
  History history_;
};

CoverageCell Cell(std::string fault, CoverageRole role, CoverageState state) {
  return {.fault = std::move(fault), .role = role, .state = state};
}

TEST(FaultCoverage, KillOfTheLeaderInASteadyClusterLandsInLeaderSteady) {
  FaultCoverage c = CoverageHistory().Steady(900, 50, 50).Start(1000, 1, "kill", {1}).Coverage();
  EXPECT_EQ(c.faults, 1);
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kLeader, CoverageState::kSteady)), 1);
  EXPECT_EQ(c.cells.size(), 1u);
}

TEST(FaultCoverage, EachTargetLandsInItsOwnRoleCell) {
  FaultCoverage c =
      CoverageHistory().Steady(900, 50, 50).Start(1000, 1, "pause", {1, 2, 3}).Coverage();
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kLeader, CoverageState::kSteady)), 1);
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kFollower, CoverageState::kSteady)), 2);
}

TEST(FaultCoverage, FollowerFarBehindTheLeaderIsLaggingAndTheClusterCatchingUp) {
  FaultCoverage c =
      CoverageHistory().Steady(900, 500, 350).Start(1000, 1, "kill", {2, 3}).Coverage();
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kFollower, CoverageState::kCatchingUp)), 1);
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kLagging, CoverageState::kCatchingUp)), 1);
}

TEST(FaultCoverage, FollowerWithinTheLagBoundIsNotLagging) {
  FaultCoverage c = CoverageHistory().Steady(900, 500, 400).Start(1000, 1, "kill", {3}).Coverage();
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kFollower, CoverageState::kSteady)), 1);
}

TEST(FaultCoverage, CandidateAndNoLeaderIsElecting) {
  FaultCoverage c = CoverageHistory()
                        .Sample(900, 1, "follower", 3, 10)
                        .Sample(900, 2, "pre-candidate", 3, 10)
                        .Sample(900, 3, "candidate", 4, 10)
                        .Start(1000, 1, "loss", {2, 3})
                        .Coverage();
  EXPECT_EQ(c.Count(Cell("loss", CoverageRole::kCandidate, CoverageState::kElecting)), 2);
}

TEST(FaultCoverage, TermChangeWithinTheWindowIsElectingEvenWithALeader) {
  FaultCoverage c = CoverageHistory()
                        .Steady(300, 10, 10)
                        .Sample(900, 1, "follower", 3, 10)
                        .Sample(900, 2, "leader", 3, 10)
                        .Sample(900, 3, "follower", 3, 10)
                        .Start(1000, 1, "partition-leader", {2})
                        .Coverage();
  EXPECT_EQ(c.Count(Cell("partition-leader", CoverageRole::kLeader, CoverageState::kElecting)), 1);
}

TEST(FaultCoverage, SamplesOlderThanTheWindowAreNotUsed) {
  FaultCoverage c = CoverageHistory().Steady(100, 10, 10).Start(5000, 1, "kill", {1}).Coverage();
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kUnknown, CoverageState::kUnknown)), 1);
  EXPECT_EQ(c.cells.size(), 1u);
}

TEST(FaultCoverage, DownTargetHasRoleUnknown) {
  FaultCoverage c =
      CoverageHistory().Steady(800, 10, 10).Down(900, 3).Start(1000, 1, "kill", {3}).Coverage();
  EXPECT_EQ(c.Count(Cell("kill", CoverageRole::kUnknown, CoverageState::kSteady)), 1);
}

TEST(FaultCoverage, FaultStartedWhileAnotherIsInForceCountsTwice) {
  FaultCoverage c = CoverageHistory()
                        .Steady(900, 10, 10)
                        .Start(1000, 1, "kill", {3})
                        .Phase(1010, 1, "kill", "applied")
                        .Steady(1400, 10, 10)
                        .Start(1500, 2, "pause", {1})
                        .Phase(1600, 1, "kill", "healing")
                        .Phase(1700, 1, "kill", "end")
                        .Phase(1800, 2, "pause", "healing")
                        .Steady(1900, 10, 10)
                        .Start(2000, 3, "pause", {2})
                        .Coverage();
  EXPECT_EQ(c.faults, 3);
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kLeader, CoverageState::kSteady)), 1);
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kLeader, CoverageState::kDuringAnotherFault)), 1);
  // Both were healing before the second pause started.
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kFollower, CoverageState::kDuringAnotherFault)), 0);
  EXPECT_EQ(c.Count(Cell("pause", CoverageRole::kFollower, CoverageState::kSteady)), 1);
}

TEST(FaultCoverage, FailedAndCandidateFaultsAreNotCounted) {
  FaultCoverage c = CoverageHistory()
                        .Steady(900, 10, 10)
                        .Start(1000, 1, "kill", {1})
                        .FailedEnd(1001, 1, "kill")
                        .Start(1100, 2, "pause-candidate", {1})
                        .Coverage();
  EXPECT_EQ(c.faults, 0);
  EXPECT_TRUE(c.cells.empty());
}

TEST(FaultCoverage, PartitionHitsTheNodesOutsideEveryMajority) {
  // partition-leader of node 1: every node lost a link, only node 1 lost its majority.
  FaultCoverage c =
      CoverageHistory()
          .Steady(900, 10, 10)
          .Cut(1000, 1, "partition-leader", {1, 2, 3}, Json::parse("[[1,2],[2,1],[1,3],[3,1]]"))
          .Coverage();
  EXPECT_EQ(c.Count(Cell("partition-leader", CoverageRole::kLeader, CoverageState::kSteady)), 1);
  EXPECT_EQ(c.cells.size(), 1u);
}

TEST(FaultCoverage, CutThatLeavesAMajorityEverywhereHitsItsTargets) {
  FaultCoverage c = CoverageHistory()
                        .Steady(900, 10, 10)
                        .Cut(1000, 1, "link", {2, 3}, Json::parse("[[2,3]]"))
                        .Coverage();
  EXPECT_EQ(c.Count(Cell("link", CoverageRole::kFollower, CoverageState::kSteady)), 2);
  EXPECT_EQ(c.cells.size(), 1u);
}

TEST(FaultCoverage, JsonRoundTripAndSum) {
  FaultCoverage c =
      CoverageHistory().Steady(900, 500, 350).Start(1000, 1, "kill", {1, 3}).Coverage();
  auto back = FaultCoverage::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->cells, c.cells);
  EXPECT_EQ(back->faults, 1);
  back->Add(c);
  EXPECT_EQ(back->Count(Cell("kill", CoverageRole::kLagging, CoverageState::kCatchingUp)), 2);
  EXPECT_EQ(back->FaultNames(), std::vector<std::string>{"kill"});
}

TEST(FaultCoverage, FromJsonNamesTheBadCell) {
  Json bad = Json::parse(R"({"faults":1,"cells":[{"fault":"kill","role":"boss",
      "state":"steady","count":1}]})");
  auto parsed = FaultCoverage::FromJson(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("fault_coverage.cells[0]"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("boss"), std::string::npos);
  EXPECT_FALSE(FaultCoverage::FromJson(Json::parse(R"({"cells":[]})")).ok());
}

}  // namespace
}  // namespace checker

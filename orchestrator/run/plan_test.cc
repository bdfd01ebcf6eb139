#include "orchestrator/run/plan.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace orchestrator {
namespace {

RunSpec Spec(const std::vector<std::string>& args) {
  std::vector<std::string> with_seed = args;
  with_seed.insert(with_seed.end(), {"--seed", "7"});
  auto spec = ParseRunSpec(with_seed);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : RunSpec{};
}

std::string PlanError(const std::vector<std::string>& args) {
  auto plan = PlanRun(Spec(args));
  return plan.ok() ? "" : plan.status().message();
}

TEST(PlanRunTest, DrawsTheScheduleFromTheSeedAndNamesTheDatabase) {
  auto a = PlanRun(Spec({"--nemesis", "kill,pause", "--time-limit", "40s", "--nodes", "3"}));
  auto b = PlanRun(Spec({"--nemesis", "kill,pause", "--time-limit", "40s", "--nodes", "3"}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->schedule.empty());
  EXPECT_EQ(a->schedule, b->schedule);  // the same seed, the same schedule
  EXPECT_FALSE(a->moves_clocks);
  EXPECT_EQ(a->db->name(), "refdb");
  auto none = PlanRun(Spec({"--nemesis", "none"}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->schedule.empty());
}

TEST(PlanRunTest, CandidateFaultsNeedTheElectionWorkload) {
  EXPECT_NE(PlanError({"--nemesis", "pause-candidate"}).find("--workload election"),
            std::string::npos);
  auto plan = PlanRun(Spec({"--workload", "election", "--nemesis",
                            "pause-candidate,clock-candidate,partition-candidate", "--time-limit",
                            "60s", "--fencing", "on"}));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->spec.fencing);
  EXPECT_FALSE(plan->moves_clocks);  // the nodes' clocks stay real
  bool skews_candidates = false;
  for (const nemesis::ScheduleEntry& e : plan->schedule) {
    EXPECT_TRUE(nemesis::IsCandidateFault(e.fault.kind));
    skews_candidates = skews_candidates || e.fault.kind == nemesis::FaultKind::kClockCandidate;
  }
  EXPECT_EQ(plan->moves_candidate_clocks, skews_candidates);
  EXPECT_FALSE(ParseRunSpec({"--fencing", "maybe"}).ok());
  EXPECT_NE(PlanError({"--fencing", "on"}).find("election"), std::string::npos);
}

TEST(PlanRunTest, TlsNeedsADatabaseThatSpeaksItAndNoCandidates) {
  auto plan = PlanRun(Spec({"--tls", "--nemesis", "kill"}));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->spec.tls);
  EXPECT_TRUE(plan->db->traits().supports_tls);
  EXPECT_FALSE(PlanRun(Spec({"--nemesis", "kill"}))->spec.tls);
  EXPECT_TRUE(PlanRun(Spec({"--tls", "on"}))->spec.tls);
  EXPECT_NE(PlanError({"--tls", "--db", "etcd"}).find("--tls: etcd does not support TLS"),
            std::string::npos);
  EXPECT_NE(PlanError({"--tls", "--workload", "election"}).find("candidates"), std::string::npos);
  // The reproduce command keeps it.
  const std::vector<std::string> argv = plan->spec.ReproduceArgv();
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--tls"), argv.end());
}

TEST(PlanRunTest, StopOnInvalidNeedsAWorkloadCheckedForLinearizability) {
  EXPECT_NE(PlanError({"--workload", "set", "--stop-on-invalid"}).find("--stop-on-invalid"),
            std::string::npos);
  auto plan = PlanRun(Spec({"--stop-on-invalid", "--db-bug", "stale-reads"}));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->spec.stop_on_invalid);
}

TEST(PlanRunTest, ClockFaultsMoveClocksWhereTheDatabaseAllowsIt) {
  auto plan = PlanRun(Spec({"--nemesis", "clock", "--time-limit", "40s"}));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->moves_clocks);
  EXPECT_NE(PlanError({"--db", "etcd", "--nemesis", "kill,clock"})
                .find("the clock fault cannot move etcd's clock"),
            std::string::npos);
}

// A fault the user asked for is checked against the database whether or not the seed draws it
// (a random schedule of kill,clock may hold only kills: refusing then only sometimes was a flake).
TEST(PlanRunTest, AskedForFaultsAreRefusedEvenWhenTheSeedDoesNotDrawThem) {
  for (int seed = 1; seed <= 40; ++seed) {
    auto spec = ParseRunSpec({"--db", "etcd", "--nemesis", "kill,clock", "--time-limit", "25s",
                              "--seed", std::to_string(seed)});
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    auto plan = PlanRun(*spec);
    EXPECT_FALSE(plan.ok()) << "seed " << seed;
    auto candidates = ParseRunSpec({"--nemesis", "kill,pause-candidate", "--time-limit", "25s",
                                    "--seed", std::to_string(seed)});
    ASSERT_TRUE(candidates.ok());
    EXPECT_FALSE(PlanRun(*candidates).ok()) << "seed " << seed;
  }
}

TEST(PlanRunTest, MembershipFaultsAreRefusedUntilTheHarnessRunsThem) {
  for (const std::string fault : {"member-remove", "member-add", "kill,member-replace"}) {
    EXPECT_NE(PlanError({"--nemesis", fault}).find("not run by the harness yet"), std::string::npos)
        << fault;
  }
}

TEST(PlanRunTest, DiskFaultsMountTheDiskLayerOnEitherBackend) {
  auto plan = PlanRun(Spec({"--nemesis", "kill,disk-slow", "--time-limit", "40s"}));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->has_disk_faults);
  EXPECT_FALSE(PlanRun(Spec({"--nemesis", "kill,pause"}))->has_disk_faults);
  EXPECT_EQ(PlanError({"--backend", "docker", "--nemesis", "disk-lose-unsynced"}), "");
  EXPECT_EQ(PlanError({"--backend", "netns", "--nemesis", "disk-error,disk-full"}), "");
  EXPECT_NE(PlanError({"--nemesis", "disk-explode"}).find("unknown fault"), std::string::npos);
}

TEST(PlanRunTest, DefinitionsAreReadAndCheckedBeforeAnythingStarts) {
  const std::string missing = PlanError({"--db", "mongo"});
  EXPECT_NE(missing.find("mongo/db.json"), std::string::npos) << missing;
  EXPECT_NE(missing.find("zookeeper"), std::string::npos) << missing;  // what there is
  EXPECT_EQ(PlanError({"--db", "zookeeper", "--nodes", "3"}), "");
  // A definition has no bug switches, and a JVM's clock is not moved by libfaketime here.
  EXPECT_NE(PlanError({"--db", "redis", "--db-bug", "stale-reads"}).find("stale-reads"),
            std::string::npos);
  EXPECT_NE(PlanError({"--db", "zookeeper", "--nemesis", "clock"}).find("clock"),
            std::string::npos);
}

TEST(PlanRunTest, BugSwitchesAreTheDatabasesOwn) {
  EXPECT_EQ(PlanError({"--db-bug", "stale-reads", "--db-bug", "no-fsync"}), "");
  EXPECT_NE(PlanError({"--db-bug", "typo"}).find("\"typo\" is not one of half-quorum"),
            std::string::npos);
  EXPECT_EQ(PlanError({"--db", "etcd", "--db-bug", "stale-reads"})
                .rfind("--db-bug: etcd has no bug switches", 0),
            0U);
}

TEST(PlanRunTest, FaultsTheClusterCannotTakeAreRefused) {
  EXPECT_NE(PlanError({"--nodes", "1", "--nemesis", "partition-halves"}).find("cannot run on 1"),
            std::string::npos);
  EXPECT_NE(PlanError({"--nemesis", "meteor"}).find("--nemesis"), std::string::npos);
  RunSpec no_seed;
  EXPECT_FALSE(PlanRun(no_seed).ok());
}

}  // namespace
}  // namespace orchestrator

#include "checker/run_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

// The faults ReadRunHistory reads, or its error.
Result<std::vector<Fault>> FaultsOf(const History& history) {
  RunHistory run = ReadRunHistory(history);
  if (!run.status.ok()) return run.status;
  return run.faults;
}

TEST(RunHistoryFaults, PairsStartsWithEndsAndKeepsTheirFields) {
  auto faults = FaultsOf(LoadNamed("failover.good.jsonl"));
  ASSERT_TRUE(faults.ok()) << faults.status().message();
  ASSERT_EQ(faults->size(), 4u);
  const Fault& kill = (*faults)[0];
  EXPECT_EQ(kill.id, 1);
  EXPECT_EQ(kill.name, "kill");
  EXPECT_EQ(kill.targets, std::vector<int64_t>{1});
  EXPECT_EQ(kill.leader, 1);
  EXPECT_EQ(kill.term, 2);
  EXPECT_EQ(kill.start_ns, 10'000'000'000);
  EXPECT_EQ(kill.end_ns, 15'000'000'000);
  EXPECT_EQ((*faults)[1].cut.size(), 4u);
}

TEST(RunHistoryFaults, EndOfAFaultThatNeverStartedIsAnErrorNamingTheLine) {
  auto faults = FaultsOf(LoadNamed("faults.end-without-start.bad-input.jsonl"));
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(faults.status().message(),
              HasSubstr("faults.end-without-start.bad-input.jsonl:3: end of fault 9, which never "
                        "started"));
}

TEST(RunHistoryFaults, RepeatedEndIsIgnoredAndMissingEndIsKept) {
  History h = LoadNamed("failover.good.jsonl");
  h.events.push_back(h.events[15]);  // line 16: the end of fault 1, again
  ASSERT_EQ(h.events.back().value["phase"], "end");
  auto faults = FaultsOf(h);
  ASSERT_TRUE(faults.ok()) << faults.status().message();
  EXPECT_EQ((*faults)[0].end_ns, 15'000'000'000);
  auto never = FaultsOf(LoadNamed("failover.never.bad.jsonl"));
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE((*never)[0].end_index.has_value());
}

TEST(RunHistoryFaults, AppliedOfAFaultThatNeverStartedIsAnError) {
  History h = LoadNamed("failover.slow-apply.good.jsonl");
  h = WithoutLines(h, {4});
  auto faults = FaultsOf(h);
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(faults.status().message(), HasSubstr("fault 1 applied, but it never started"));
}

TEST(RunHistoryFaults, KeepsAppliedVerifiedHealingAndErrors) {
  auto faults = FaultsOf(LoadNamed("failover.no-majority.good.jsonl"));
  ASSERT_TRUE(faults.ok()) << faults.status().message();
  ASSERT_EQ(faults->size(), 2u);
  const Fault& halves = (*faults)[0];
  EXPECT_EQ(halves.applied_index, 7);
  EXPECT_EQ(halves.applied_ns, 10'050'000'000);
  EXPECT_EQ(halves.verified, true);
  EXPECT_EQ(halves.verify_probes.size(), 2u);
  EXPECT_EQ(halves.healing_index, 13);
  EXPECT_EQ(halves.healing_ns, 16'000'000'000);
  EXPECT_EQ(halves.end_ns, 16'100'000'000);
  EXPECT_TRUE(halves.error.empty());
  EXPECT_FALSE(halves.IsFailed());
  auto failed = FaultsOf(LoadNamed("faults.iptables-fails.unknown.jsonl"));
  ASSERT_TRUE(failed.ok()) << failed.status().message();
  EXPECT_EQ((*failed)[0].error, "iptables-restore on node 1: exit status 2: line 3 failed");
  EXPECT_TRUE((*failed)[0].IsFailed());
  auto probe = FaultsOf(LoadNamed("faults.probe-failed.unknown.jsonl"));
  ASSERT_TRUE(probe.ok()) << probe.status().message();
  EXPECT_EQ((*probe)[0].verified, false);
  EXPECT_EQ((*probe)[0].verify_reason, "node 2 still answers: not paused");
  EXPECT_DOUBLE_EQ((*probe)[1].offset_s, -12.5);
}

TEST(RunHistoryFaults, EffectIsTheStartOfAKillAndTheAppliedEventOfACut) {
  auto faults = FaultsOf(LoadNamed("failover.no-majority.good.jsonl"));
  ASSERT_TRUE(faults.ok()) << faults.status().message();
  const Fault& halves = (*faults)[0];
  EXPECT_EQ(halves.EffectIndex(), 7);
  EXPECT_EQ(halves.EffectNs(), 10'050'000'000);
  EXPECT_EQ(halves.InForceUntilIndex(), 13);  // healing, not end
  EXPECT_EQ(halves.InForceUntilNs(), 16'000'000'000);
  const Fault& kill = (*faults)[1];
  EXPECT_EQ(kill.EffectIndex(), kill.start_index);  // not its applied event 0.3 s later
  EXPECT_EQ(kill.EffectNs(), 20'000'000'000);
  // An old history: no applied, no healing; the start and end stand for them.
  auto old = FaultsOf(LoadNamed("failover.good.jsonl"));
  ASSERT_TRUE(old.ok()) << old.status().message();
  const Fault& cut = (*old)[1];
  EXPECT_FALSE(cut.applied_index.has_value());
  EXPECT_EQ(cut.EffectIndex(), cut.start_index);
  EXPECT_EQ(cut.InForceUntilIndex(), cut.end_index);
  auto never = FaultsOf(LoadNamed("failover.never.bad.jsonl"));
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE((*never)[0].InForceUntilIndex().has_value());
}

TEST(RunHistoryFaults, MalformedPhasesAreErrorsNamingTheLine) {
  History h = LoadNamed("failover.no-majority.good.jsonl");
  h.events[8].value.erase("ok");  // line 9: the verified event of fault 1
  auto faults = FaultsOf(h);
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(
      faults.status().message(),
      HasSubstr("failover.no-majority.good.jsonl:9: \"verified\" without a boolean \"ok\""));
  h = LoadNamed("failover.no-majority.good.jsonl");
  h.events[13].value["id"] = 9;  // line 14: healing of a fault that never started
  faults = FaultsOf(h);
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(faults.status().message(), HasSubstr(":14: fault 9 healing, but it never started"));
  h = LoadNamed("failover.no-majority.good.jsonl");
  h.events[14].value["error"] = 3;  // line 15: the end
  EXPECT_FALSE(FaultsOf(h).ok());
  h.events[14].value["phase"] = "done";
  faults = FaultsOf(h);
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(faults.status().message(), HasSubstr(":15: fault phase is \"done\""));
}

}  // namespace
}  // namespace checker

#include "nemesis/nemesis.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using testing::FakeIptables;
using testing::FakeNodeControl;
using Calls = std::vector<std::string>;

struct Event {
  std::string f;
  nlohmann::json value;
};

class NemesisTest : public ::testing::Test {
 protected:
  std::unique_ptr<Nemesis> Make(uint64_t seed = 1) {
    return std::make_unique<Nemesis>(
        control_, iptables_,
        NemesisOptions{.seed = seed, .record = [this](const std::string& f, nlohmann::json v) {
                         events_.push_back({f, std::move(v)});
                       }});
  }

  size_t RuleCount() {
    size_t count = 0;
    for (auto& [path, ns] : iptables_.netns) count += ns.rules.size();
    return count;
  }

  FakeIptables iptables_;
  FakeNodeControl control_{3, &iptables_};
  std::vector<Event> events_;
};

// A control that knows no leader for its first `unknown_for` queries.
class LateLeaderControl : public FakeNodeControl {
 public:
  LateLeaderControl(int n, int unknown_for) : FakeNodeControl(n), unknown_for_(unknown_for) {}
  int CurrentLeader() override { return ++asked_ > unknown_for_ ? 2 : 0; }
  int asked() const { return asked_; }

 private:
  int unknown_for_;
  int asked_ = 0;
};

TEST(NemesisLeaderWait, AFaultOnTheLeaderWaitsForOneToBeKnown) {
  // Under load a status round can time out: no leader known for a moment. The fault waits
  // (leader_wait) instead of failing, and then hits the leader.
  LateLeaderControl control(3, /*unknown_for=*/3);
  FakeIptables iptables;
  std::vector<nlohmann::json> events;
  Nemesis nemesis(control, iptables,
                  {.seed = 1,
                   .record = [&](const std::string&, nlohmann::json v) { events.push_back(v); },
                   .leader_wait = std::chrono::seconds(5)});
  auto id = nemesis.Start({.kind = FaultKind::kKill, .target = Target::kLeader});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control.TakeCalls(), (Calls{"kill 2"}));
  EXPECT_EQ(control.asked(), 4);
  EXPECT_EQ(events.front()["leader"], 2);
}

TEST(NemesisLeaderWait, WithoutALeaderInTimeTheFaultFailsAndIsRecorded) {
  LateLeaderControl control(3, /*unknown_for=*/1000);
  FakeIptables iptables;
  std::vector<nlohmann::json> events;
  Nemesis nemesis(control, iptables,
                  {.seed = 1,
                   .record = [&](const std::string&, nlohmann::json v) { events.push_back(v); },
                   .leader_wait = std::chrono::milliseconds(200)});
  auto id = nemesis.Start({.kind = FaultKind::kKill, .target = Target::kLeader});
  ASSERT_FALSE(id.ok());
  EXPECT_GT(control.asked(), 2);  // it asked again while waiting
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["phase"], "end");
  EXPECT_EQ(events[1]["error"], id.status().message());
}

TEST_F(NemesisTest, KillThenEndRestartsExactlyTheTargets) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kKill, .nodes = {1, 3}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"kill 1", "kill 3"}));
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"start 1", "start 3"}));
  EXPECT_EQ(nemesis->End(*id).code(), common::StatusCode::kNotFound);
}

TEST_F(NemesisTest, PartitionLeaderRecordsStartAndEndWithLeaderAndTerm) {
  control_.leader = 2;
  control_.term = 7;
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kPartitionLeader});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(RuleCount(), 8u);  // 4 directed links, a rule at each end
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(RuleCount(), 0u);
  ASSERT_EQ(events_.size(), 5u);
  EXPECT_EQ(events_[0].f, "partition-leader");
  EXPECT_EQ(events_[0].value, nlohmann::json::parse(R"({"phase":"start","id":1,
      "targets":[1,2,3],"cut":[[1,2],[2,1],[2,3],[3,2]],"leader":2,"term":7})"));
  EXPECT_EQ(events_[1].value, nlohmann::json::parse(R"({"phase":"applied","id":1,
      "targets":[1,2,3],"cut":[[1,2],[2,1],[2,3],[3,2]]})"));
  // Each cut link probed from its sender (must fail), the one uncut pair (must connect).
  EXPECT_EQ(events_[2].value, nlohmann::json::parse(R"({"phase":"verified","id":1,"ok":true,
      "probes":[{"kind":"blocked","node":1,"peer":2,"ok":true},
                {"kind":"blocked","node":2,"peer":1,"ok":true},
                {"kind":"blocked","node":2,"peer":3,"ok":true},
                {"kind":"blocked","node":3,"peer":2,"ok":true},
                {"kind":"open","node":1,"peer":3,"ok":true}]})"));
  EXPECT_EQ(events_[3].value, nlohmann::json::parse(R"({"phase":"healing","id":1})"));
  EXPECT_EQ(events_[4].value, nlohmann::json::parse(R"({"phase":"end","id":1})"));
}

TEST_F(NemesisTest, ACutWhoseRulesDoNotTakeEffectIsRecordedAsNotVerified) {
  control_.leader = 1;
  control_.leaky = true;  // rules in place, packets still flow (a broken firewall)
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kPartitionLeader});
  ASSERT_TRUE(id.ok()) << id.status().message();
  ASSERT_EQ(events_.size(), 3u);
  const nlohmann::json& verified = events_[2].value;
  EXPECT_EQ(verified["phase"], "verified");
  EXPECT_EQ(verified["ok"], false);
  EXPECT_EQ(verified["reason"], "blocked probe of node 1 to node 2: connected through the cut");
}

TEST_F(NemesisTest, ACutThatCutsMoreThanPlannedIsRecordedAsNotVerified) {
  auto nemesis = Make();
  // A stray rule outside the nemesis's knowledge drops 1 -> 3.
  iptables_.netns["/ns/1"] = {.has_chain = true,
                              .hooks = {{"INPUT", 1}, {"OUTPUT", 1}},
                              .rules = {{"-d", "10.0.0.13", "-j", "DROP"}}};
  auto id = nemesis->Start({.kind = FaultKind::kLink, .nodes = {1, 2}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  const nlohmann::json& verified = events_[2].value;
  EXPECT_EQ(verified["ok"], false);
  EXPECT_EQ(verified["reason"],
            "open probe of node 1 to node 3: no answer: the fault cut more than it should");
}

TEST_F(NemesisTest, AKillOrPauseIsVerifiedByTheNodesState) {
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kKill, .nodes = {2}}).ok());
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPause, .nodes = {3}}).ok());
  control_.stuck = {1};
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kKill, .nodes = {1}}).ok());
  ASSERT_EQ(events_.size(), 9u);
  EXPECT_EQ(events_[2].value, nlohmann::json::parse(R"({"phase":"verified","id":1,"ok":true,
      "probes":[{"kind":"stopped","node":2,"ok":true}]})"));
  EXPECT_EQ(events_[5].value, nlohmann::json::parse(R"({"phase":"verified","id":2,"ok":true,
      "probes":[{"kind":"paused","node":3,"ok":true}]})"));
  EXPECT_EQ(events_[8].value, nlohmann::json::parse(R"({"phase":"verified","id":3,"ok":false,
      "probes":[{"kind":"stopped","node":1,"ok":false,"seen":"still running"}],
      "reason":"stopped probe of node 1: still running"})"));
}

TEST_F(NemesisTest, PartitionLeaderWithoutALeaderFailsAndChangesNothing) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kPartitionLeader});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), common::StatusCode::kUnavailable);
  EXPECT_TRUE(iptables_.calls.empty());
  // The history still says a fault was planned and why it did not happen.
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].value["phase"], "start");
  EXPECT_EQ(events_[1].value["phase"], "end");
  EXPECT_EQ(events_[1].value["error"], id.status().message());
}

TEST_F(NemesisTest, ANodeKilledByTwoFaultsComesBackWhenTheLastEnds) {
  auto nemesis = Make();
  auto first = nemesis->Start({.kind = FaultKind::kKill, .nodes = {2}});
  auto second = nemesis->Start({.kind = FaultKind::kKill, .nodes = {2, 3}});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"kill 2", "kill 3"}));
  ASSERT_TRUE(nemesis->End(*first).ok());
  EXPECT_EQ(control_.TakeCalls(), Calls{});
  ASSERT_TRUE(nemesis->End(*second).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"start 2", "start 3"}));
}

TEST_F(NemesisTest, AFailedKillRestartsTheNodesItAlreadyKilled) {
  control_.fail = {"kill 3"};
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kKill, .target = Target::kAll});
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("kill node 3"), std::string::npos) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"kill 1", "kill 2", "kill 3", "start 1", "start 2"}));
  EXPECT_TRUE(nemesis->active_ids().empty());
  // The history says it began and ended at once, and why.
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].value["phase"], "start");
  EXPECT_EQ(events_[1].value["phase"], "end");
  EXPECT_NE(events_[1].value["error"].get<std::string>().find("kill node 3"), std::string::npos);
}

// A node control that logs each kill into the same sequence as the recorded events.
class SequencedControl : public FakeNodeControl {
 public:
  SequencedControl(int n, std::vector<std::string>& sequence)
      : FakeNodeControl(n), sequence_(sequence) {}
  common::Status Kill(int node) override {
    sequence_.push_back("kill " + std::to_string(node));
    return FakeNodeControl::Kill(node);
  }

 private:
  std::vector<std::string>& sequence_;
};

TEST(NemesisOrder, TheStartIsRecordedBeforeTheFaultIsAppliedSoFailoverIsNotUnderstated) {
  std::vector<std::string> sequence;
  SequencedControl control(3, sequence);
  FakeIptables iptables;
  Nemesis nemesis(control, iptables,
                  {.seed = 1, .record = [&](const std::string& f, const nlohmann::json& value) {
                     sequence.push_back(f + " " + value["phase"].get<std::string>());
                   }});
  auto id = nemesis.Start({.kind = FaultKind::kKill, .nodes = {2}});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(sequence,
            (std::vector<std::string>{"kill start", "kill 2", "kill applied", "kill verified"}));
  sequence.clear();
  ASSERT_TRUE(nemesis.End(*id).ok());
  // "healing" before the node comes back: a check must not count the fault in force after it.
  EXPECT_EQ(sequence, (std::vector<std::string>{"kill healing", "kill end"}));
}

TEST_F(NemesisTest, ARestartedNodeGetsItsActiveRulesBack) {
  control_.reset_netns_on_kill = true;  // as a container
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kLink, .nodes = {1, 2}}).ok());
  const auto rules_of_1 = iptables_.netns["/ns/1"].rules;
  ASSERT_FALSE(rules_of_1.empty());
  auto kill = nemesis->Start({.kind = FaultKind::kKill, .nodes = {1}});
  ASSERT_TRUE(kill.ok());
  EXPECT_TRUE(iptables_.netns["/ns/1"].rules.empty());
  ASSERT_TRUE(nemesis->End(*kill).ok());
  EXPECT_EQ(iptables_.netns["/ns/1"].rules, rules_of_1);
}

TEST_F(NemesisTest, HealAllResumesRestartsAndRemovesEveryRule) {
  control_.leader = 1;
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPartitionHalves}).ok());
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kLoss, .target = Target::kAll}).ok());
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kKill, .nodes = {2}}).ok());
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPause, .target = Target::kLeader}).ok());
  control_.TakeCalls();
  events_.clear();
  ASSERT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"resume 1", "start 2"}));
  EXPECT_TRUE(nemesis->active_ids().empty());
  for (auto& [path, ns] : iptables_.netns) EXPECT_FALSE(ns.has_chain) << path;
  ASSERT_EQ(events_.size(), 8u);
  for (size_t i = 0; i < events_.size(); ++i) {
    EXPECT_EQ(events_[i].value["phase"], i % 2 == 0 ? "healing" : "end") << i;
  }
  EXPECT_TRUE(nemesis->HealAll().ok());  // nothing active: still fine
}

TEST_F(NemesisTest, TheDestructorHeals) {
  {
    auto nemesis = Make();
    ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPause, .nodes = {3}}).ok());
    ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kPartitionRandomNode}).ok());
  }
  EXPECT_EQ(control_.TakeCalls(), (Calls{"pause 3", "resume 3"}));
  for (auto& [path, ns] : iptables_.netns) EXPECT_FALSE(ns.has_chain) << path;
}

TEST_F(NemesisTest, ClockFaultsOnOneNodeAddUpAndEndingThemRestoresTheRealClock) {
  auto nemesis = Make();
  auto ahead = nemesis->Start({.kind = FaultKind::kClock, .nodes = {2}, .offset_s = 30});
  auto behind = nemesis->Start({.kind = FaultKind::kClock, .nodes = {2, 3}, .offset_s = -12.5});
  ASSERT_TRUE(ahead.ok() && behind.ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"clock 2 30000", "clock 2 17500", "clock 3 -12500"}));
  ASSERT_TRUE(nemesis->End(*ahead).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"clock 2 -12500"}));
  ASSERT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"clock 2 0", "clock 3 0"}));
  // Two starts, two applied (a clock step is verified later, from the status samples), two
  // healings, two ends.
  ASSERT_EQ(events_.size(), 8u);
  EXPECT_EQ(events_[2].f, "clock");
  EXPECT_EQ(events_[2].value["phase"], "start");
  EXPECT_EQ(events_[2].value["offset_s"], -12.5);
  EXPECT_EQ(events_[2].value["targets"], nlohmann::json({2, 3}));
}

TEST_F(NemesisTest, AFailedClockStepPutsBackTheClocksItAlreadyMoved) {
  auto nemesis = Make();
  control_.fail.insert("clock 3");
  auto id = nemesis->Start({.kind = FaultKind::kClock, .nodes = {1, 3}, .offset_s = 60});
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("node 3"), std::string::npos);
  EXPECT_EQ(control_.TakeCalls(), (Calls{"clock 1 60000", "clock 3", "clock 1 0"}));
  EXPECT_TRUE(nemesis->active_ids().empty());
}

TEST_F(NemesisTest, AppliedGivesTheExactFaultForReplay) {
  auto nemesis = Make(9);
  auto halves = nemesis->Start({.kind = FaultKind::kPartitionHalves});
  auto kill = nemesis->Start({.kind = FaultKind::kKill, .target = Target::kMinority});
  ASSERT_TRUE(halves.ok() && kill.ok());
  std::optional<Fault> exact_halves = nemesis->Applied(*halves);
  std::optional<Fault> exact_kill = nemesis->Applied(*kill);
  ASSERT_TRUE(exact_halves && exact_halves->cut);
  EXPECT_EQ(exact_halves->cut->size(), 4u);  // 1 node cut from 2, both directions
  ASSERT_TRUE(exact_kill);
  EXPECT_EQ(exact_kill->nodes.size(), 1u);
  EXPECT_FALSE(exact_kill->target.has_value());
  auto clock = nemesis->Start({.kind = FaultKind::kClock, .target = Target::kOne});
  ASSERT_TRUE(clock.ok());
  std::optional<Fault> exact_clock = nemesis->Applied(*clock);
  ASSERT_TRUE(exact_clock && exact_clock->offset_s);
  EXPECT_GE(std::abs(*exact_clock->offset_s), 10);
  EXPECT_EQ(exact_clock->nodes.size(), 1u);
  EXPECT_FALSE(nemesis->Applied(99).has_value());
}

TEST_F(NemesisTest, LoseUnsyncedKillsDropsAndRestartsAtTheEnd) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kDiskLoseUnsynced, .nodes = {1, 3}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"kill 1", "kill 3", "drop 1", "drop 3"}));
  EXPECT_EQ(events_[2].value["phase"], "verified");
  EXPECT_EQ(events_[2].value["ok"], true);
  EXPECT_EQ(events_[2].value["probes"][0]["kind"], "stopped");
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"start 1", "start 3"}));
}

TEST_F(NemesisTest, LoseUnsyncedThatCannotDropRestartsWhatItKilledAndFails) {
  control_.fail.insert("drop 3");
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kDiskLoseUnsynced, .nodes = {1, 3}});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(control_.TakeCalls(),
            (Calls{"kill 1", "kill 3", "drop 1", "drop 3", "start 1", "start 3"}));
  EXPECT_EQ(events_.back().value["phase"], "end");
  EXPECT_TRUE(events_.back().value.contains("error"));
}

TEST_F(NemesisTest, OverlappingDiskFaultsOnANodeAddUpAndEndOneByOne) {
  auto nemesis = Make();
  auto error = nemesis->Start({.kind = FaultKind::kDiskError, .nodes = {2}});
  ASSERT_TRUE(error.ok()) << error.status().message();
  auto slow = nemesis->Start({.kind = FaultKind::kDiskSlow,
                              .nodes = {2, 3},
                              .fsync_delay = std::chrono::milliseconds(50)});
  ASSERT_TRUE(slow.ok()) << slow.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"disk 2 eio=fsync fsync_delay_ms=0 full=0",
                                         "disk 2 eio=fsync fsync_delay_ms=50 full=0",
                                         "disk 3 eio=- fsync_delay_ms=50 full=0"}));
  ASSERT_TRUE(nemesis->End(*error).ok());
  // Node 2 is still running: nothing to restart; it keeps the slow disk.
  EXPECT_EQ(control_.TakeCalls(), (Calls{"disk 2 eio=- fsync_delay_ms=50 full=0"}));
  ASSERT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"disk 2 eio=- fsync_delay_ms=0 full=0",
                                         "disk 3 eio=- fsync_delay_ms=0 full=0"}));
}

TEST_F(NemesisTest, DiskFaultsAreVerifiedByAProbeOfTheDisk) {
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kDiskFull, .nodes = {1}}).ok());
  EXPECT_EQ(events_[2].value["ok"], true);
  EXPECT_EQ(events_[2].value["probes"][0]["kind"], "enospc");
  control_.stuck.insert(2);  // its disk ignores the fault
  ASSERT_TRUE(
      nemesis->Start({.kind = FaultKind::kDiskError, .nodes = {2}, .disk_op = DiskOp::kWrite})
          .ok());
  const nlohmann::json& verified = events_[5].value;
  EXPECT_EQ(verified["phase"], "verified");
  EXPECT_EQ(verified["ok"], false);
  EXPECT_EQ(verified["reason"], "eio probe of node 2: write of a probe file gave no error");
  EXPECT_EQ(events_[3].value["op"], "write");
}

TEST_F(NemesisTest, ANodeThatStoppedUnderADiskErrorIsRestartedAtTheEnd) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kDiskError, .nodes = {2}});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(control_.Kill(2).ok());  // the database stopped on its failed fsync
  control_.TakeCalls();
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"disk 2 eio=- fsync_delay_ms=0 full=0", "start 2"}));
}

}  // namespace
}  // namespace nemesis

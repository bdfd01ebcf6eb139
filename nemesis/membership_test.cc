// The membership faults (member-remove, member-add, member-replace) against FakeNodeControl's
// emulated configuration: planning, parsing, what each calls, the heal, and verification.
#include <gtest/gtest.h>

#include <set>

#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using testing::FakeIptables;
using testing::FakeNodeControl;
using Calls = std::vector<std::string>;

class MembershipFaults : public ::testing::Test {
 protected:
  std::unique_ptr<Nemesis> Make() {
    return std::make_unique<Nemesis>(
        control_, iptables_,
        NemesisOptions{.seed = 1, .record = [this](const std::string& f, nlohmann::json v) {
                         events_.push_back({f, std::move(v)});
                       }});
  }
  std::set<uint64_t> Ids() {
    std::set<uint64_t> ids;
    const auto members = control_.Members();
    for (const Member& m : *members) ids.insert(m.id);
    return ids;
  }
  nlohmann::json Phase(const std::string& phase) {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->second["phase"] == phase) return it->second;
    }
    return nullptr;
  }

  FakeIptables iptables_;
  FakeNodeControl control_{3, &iptables_};
  std::vector<std::pair<std::string, nlohmann::json>> events_;
};

TEST_F(MembershipFaults, ReplaceRemovesWipesAndStartsTheNodeAsANewMember) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kMemberReplace, .nodes = {2}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"remove-member 2", "wipe 2", "add-member 2", "start 2"}));
  EXPECT_EQ(Ids(), (std::set<uint64_t>{1, 3, 4}));
  EXPECT_EQ(Phase("applied")["removed_members"], nlohmann::json::parse("[[2, 2]]"));
  EXPECT_EQ(Phase("applied")["added_members"], nlohmann::json::parse("[[2, 4]]"));
  EXPECT_EQ(Phase("verified")["ok"], true) << Phase("verified").dump();
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(control_.TakeCalls(), Calls{});  // nothing to undo
  // The replaced node is replaced again under its new id, which is never given twice.
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kMemberReplace, .nodes = {2}}).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"remove-member 4", "wipe 2", "add-member 2", "start 2"}));
  EXPECT_EQ(Ids(), (std::set<uint64_t>{1, 3, 5}));
}

TEST_F(MembershipFaults, RemoveStopsTheNodeAndItsHealAddsItBack) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kMemberRemove, .nodes = {3}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"remove-member 3", "wipe 3"}));
  EXPECT_EQ(Ids(), (std::set<uint64_t>{1, 2}));
  EXPECT_EQ(*control_.RunState(3), NodeRunState::kStopped);
  EXPECT_EQ(Phase("verified")["ok"], true);
  ASSERT_TRUE(nemesis->End(*id).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"add-member 3", "start 3"}));
  EXPECT_EQ(Ids(), (std::set<uint64_t>{1, 2, 4}));
  EXPECT_FALSE(Phase("end").contains("error"));
}

TEST_F(MembershipFaults, AddKeepsTheNewMemberDownUntilTheEnd) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kMemberAdd, .nodes = {1}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"remove-member 1", "wipe 1", "add-member 1"}));
  EXPECT_EQ(Ids(), (std::set<uint64_t>{2, 3, 4}));
  EXPECT_EQ(*control_.RunState(1), NodeRunState::kStopped);
  ASSERT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"start 1"}));
  EXPECT_EQ(*control_.RunState(1), NodeRunState::kRunning);
}

TEST_F(MembershipFaults, AChangeTheDatabaseIgnoredIsNotVerified) {
  control_.ignore_membership = true;
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kMemberReplace, .nodes = {2}}).ok());
  const nlohmann::json verified = Phase("verified");
  EXPECT_EQ(verified["ok"], false);
  EXPECT_NE(verified["reason"].get<std::string>().find("member 2 is still listed"),
            std::string::npos)
      << verified.dump();
}

TEST_F(MembershipFaults, AFailedRemoveFailsTheFaultAndChangesNothing) {
  control_.fail.insert("remove-member 2");
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kMemberRemove, .nodes = {2}});
  ASSERT_FALSE(id.ok());
  EXPECT_NE(Phase("end")["error"].get<std::string>().find("remove member 2"), std::string::npos);
  EXPECT_EQ(Ids(), (std::set<uint64_t>{1, 2, 3}));
}

TEST_F(MembershipFaults, AFailedAddRestoresTheClusterAndAFailedHealIsRecorded) {
  auto nemesis = Make();
  control_.fail.insert("add-member 2");
  // Applying fails after the removal: the undo cannot add it back either, and says so.
  EXPECT_FALSE(nemesis->Start({.kind = FaultKind::kMemberReplace, .nodes = {2}}).ok());
  control_.fail.clear();
  auto id = nemesis->Start({.kind = FaultKind::kMemberRemove, .nodes = {3}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  control_.fail.insert("add-member 3");
  EXPECT_FALSE(nemesis->End(*id).ok());
  EXPECT_NE(Phase("end")["error"].get<std::string>().find("add node 3 back"), std::string::npos)
      << Phase("end").dump();
}

TEST_F(MembershipFaults, ANodeOutOfTheConfigurationIsNotTargetedAgain) {
  auto nemesis = Make();
  ASSERT_TRUE(nemesis->Start({.kind = FaultKind::kMemberRemove, .nodes = {2}}).ok());
  auto again = nemesis->Start({.kind = FaultKind::kMemberReplace, .nodes = {2}});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("out of the configuration"), std::string::npos);
  auto killed = nemesis->Start({.kind = FaultKind::kKill, .nodes = {3}});
  ASSERT_TRUE(killed.ok());
  EXPECT_FALSE(nemesis->Start({.kind = FaultKind::kMemberAdd, .nodes = {3}}).ok());
}

TEST(MembershipPlan, AtMostAMinorityOfAtLeastThreeNodes) {
  common::Rng rng(1);
  for (FaultKind kind :
       {FaultKind::kMemberRemove, FaultKind::kMemberAdd, FaultKind::kMemberReplace}) {
    EXPECT_TRUE(IsMembershipFault(kind));
    EXPECT_FALSE(IsNetworkFault(kind));
    EXPECT_TRUE(TakesTargets(kind));
    EXPECT_FALSE(Applicable(kind, 2));
    EXPECT_TRUE(Applicable(kind, 3));
    auto one = PlanFault({.kind = kind}, 3, 1, rng);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->targets.size(), 1u);
    EXPECT_FALSE(PlanFault({.kind = kind, .target = Target::kMajority}, 3, 1, rng).ok());
    EXPECT_FALSE(PlanFault({.kind = kind, .nodes = {1, 2}}, 4, 1, rng).ok());
    EXPECT_TRUE(PlanFault({.kind = kind, .nodes = {1, 2}}, 5, 1, rng).ok());
    EXPECT_FALSE(PlanFault({.kind = kind}, 2, 1, rng).ok());
    auto leader = PlanFault({.kind = kind, .target = Target::kLeader}, 4, 3, rng);
    ASSERT_TRUE(leader.ok());
    EXPECT_EQ(leader->targets, std::vector<int>{3});
  }
}

TEST(MembershipPlan, NamesParseInSchedulesAndFaultLists) {
  EXPECT_EQ(*ParseFaultKind("member-replace"), FaultKind::kMemberReplace);
  EXPECT_EQ(*ParseFaultList("member-remove,member-add"),
            (std::vector<FaultKind>{FaultKind::kMemberRemove, FaultKind::kMemberAdd}));
  auto schedule = ParseSchedule(R"([
    {"at": "1s", "fault": "member-replace", "targets": [2], "duration": "3s"},
    {"at": "5s", "fault": "member-remove", "targets": "leader", "duration": "2s"}])");
  ASSERT_TRUE(schedule.ok()) << schedule.status().message();
  EXPECT_EQ((*schedule)[0].fault.kind, FaultKind::kMemberReplace);
  EXPECT_EQ((*schedule)[0].fault.nodes, std::vector<int>{2});
  EXPECT_EQ((*schedule)[1].fault.target, Target::kLeader);
  // Replay: the executed form parses back to the same faults.
  auto again = ParseSchedule(ScheduleToJson(*schedule).dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].fault, (*schedule)[0].fault);
  auto random = RandomSchedule({.faults = {FaultKind::kMemberReplace},
                                .interval = std::chrono::seconds(2),
                                .time_limit = std::chrono::seconds(20),
                                .seed = 7,
                                .nodes = 3});
  ASSERT_TRUE(random.ok());
  ASSERT_FALSE(random->empty());
  common::Rng rng(1);
  for (const auto& entry : *random) {
    EXPECT_EQ(entry.fault.kind, FaultKind::kMemberReplace);
    EXPECT_TRUE(PlanFault(entry.fault, 3, 1, rng).ok());
  }
}

}  // namespace
}  // namespace nemesis

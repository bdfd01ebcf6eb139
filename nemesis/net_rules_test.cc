#include "nemesis/net_rules.h"

#include <gtest/gtest.h>

#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using Argv = std::vector<std::string>;
using testing::FakeIptables;
using testing::FakeNodeControl;

class NetRulesTest : public ::testing::Test {
 protected:
  Argv In(int node, Argv args) {
    Argv argv{"nsenter", "--net=/ns/" + std::to_string(node), "iptables", "-w", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  FakeIptables iptables_;
  FakeNodeControl control_{3, &iptables_};
};

TEST_F(NetRulesTest, ADirectedCutDropsAtTheReceiverAndTheSender) {
  const std::vector<Rule> rules = CutRules(*PullLink(1, 2, /*one_way=*/true), control_);
  EXPECT_EQ(rules, (std::vector<Rule>{{.node = 2, .spec = {"-s", "10.0.0.11", "-j", "DROP"}},
                                      {.node = 1, .spec = {"-d", "10.0.0.12", "-j", "DROP"}}}));
  EXPECT_EQ(IptablesArgv("-A", rules[0]),
            (Argv{"iptables", "-w", "5", "-A", "SPLITBRAIN", "-s", "10.0.0.11", "-j", "DROP"}));
}

TEST_F(NetRulesTest, ApplyingACutRunsExactlyTheseCommands) {
  NetRules rules(control_, iptables_);
  ASSERT_TRUE(rules.Apply(CutRules(*PullLink(1, 2, /*one_way=*/true), control_)).ok());
  EXPECT_EQ(iptables_.calls, (std::vector<Argv>{
                                 In(2, {"-S", "SPLITBRAIN"}),
                                 In(2, {"-N", "SPLITBRAIN"}),
                                 In(2, {"-C", "INPUT", "-j", "SPLITBRAIN"}),
                                 In(2, {"-I", "INPUT", "1", "-j", "SPLITBRAIN"}),
                                 In(2, {"-C", "OUTPUT", "-j", "SPLITBRAIN"}),
                                 In(2, {"-I", "OUTPUT", "1", "-j", "SPLITBRAIN"}),
                                 In(2, {"-A", "SPLITBRAIN", "-s", "10.0.0.11", "-j", "DROP"}),
                                 In(1, {"-S", "SPLITBRAIN"}),
                                 In(1, {"-N", "SPLITBRAIN"}),
                                 In(1, {"-C", "INPUT", "-j", "SPLITBRAIN"}),
                                 In(1, {"-I", "INPUT", "1", "-j", "SPLITBRAIN"}),
                                 In(1, {"-C", "OUTPUT", "-j", "SPLITBRAIN"}),
                                 In(1, {"-I", "OUTPUT", "1", "-j", "SPLITBRAIN"}),
                                 In(1, {"-A", "SPLITBRAIN", "-d", "10.0.0.12", "-j", "DROP"}),
                             }));
}

TEST_F(NetRulesTest, RemoveDeletesExactlyWhatApplyAdded) {
  NetRules rules(control_, iptables_);
  auto first = rules.Apply(CutRules(*IsolateNode(3, 1), control_));
  auto second = rules.Apply(CutRules(*PullLink(1, 2, false), control_));  // overlaps the first
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(rules.Remove(*first).ok());
  const auto added = iptables_.Actions("-A");
  const auto deleted = iptables_.Actions("-D");
  EXPECT_EQ(deleted, std::vector<Argv>(added.begin(), added.begin() + 8));
  // The second fault's copies are still in place.
  EXPECT_EQ(iptables_.netns["/ns/1"].rules, (std::vector<Argv>{{"-d", "10.0.0.12", "-j", "DROP"},
                                                               {"-s", "10.0.0.12", "-j", "DROP"}}));
  EXPECT_EQ(iptables_.netns["/ns/2"].rules, (std::vector<Argv>{{"-s", "10.0.0.11", "-j", "DROP"},
                                                               {"-d", "10.0.0.11", "-j", "DROP"}}));
  EXPECT_EQ(rules.Remove(*first).code(), common::StatusCode::kNotFound);
}

TEST_F(NetRulesTest, LossMatchesOnlyTheOtherNodesAddresses) {
  auto loss = LossRules({1}, 0.25, control_);
  ASSERT_TRUE(loss.ok());
  const Argv tail{"-m", "statistic", "--mode", "random", "--probability", "0.25", "-j", "DROP"};
  Argv from_2{"-s", "10.0.0.12"};
  Argv from_3{"-s", "10.0.0.13"};
  from_2.insert(from_2.end(), tail.begin(), tail.end());
  from_3.insert(from_3.end(), tail.begin(), tail.end());
  EXPECT_EQ(*loss, (std::vector<Rule>{{.node = 1, .spec = from_2}, {.node = 1, .spec = from_3}}));
  EXPECT_FALSE(LossRules({1}, 0, control_).ok());
  EXPECT_FALSE(LossRules({1}, 1.5, control_).ok());
}

TEST_F(NetRulesTest, AFailedRuleUndoesTheRulesAddedBeforeIt) {
  NetRules rules(control_, iptables_);
  iptables_.fail_on = In(1, {"-A", "SPLITBRAIN", "-d", "10.0.0.12", "-j", "DROP"});
  auto applied = rules.Apply(CutRules(*PullLink(1, 2, true), control_));
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.status().message().find("node 1"), std::string::npos);
  EXPECT_NE(applied.status().message().find("exited 4"), std::string::npos);
  EXPECT_TRUE(iptables_.netns["/ns/2"].rules.empty());
  EXPECT_TRUE(rules.active().empty());
}

TEST_F(NetRulesTest, ReapplyRebuildsTheRulesOfANodeWhoseNamespaceWasReset) {
  NetRules rules(control_, iptables_);
  ASSERT_TRUE(rules.Apply(CutRules(*IsolateNode(3, 3), control_)).ok());
  const auto before = iptables_.netns["/ns/3"];
  iptables_.Reset("/ns/3");  // a container restarted: new namespace, no rules
  ASSERT_TRUE(rules.Reapply(3).ok());
  EXPECT_EQ(iptables_.netns["/ns/3"].rules, before.rules);
  EXPECT_EQ(iptables_.netns["/ns/3"].hooks, before.hooks);
  ASSERT_TRUE(rules.Reapply(3).ok());  // idempotent: flush, then the same rules
  EXPECT_EQ(iptables_.netns["/ns/3"].rules, before.rules);
}

TEST_F(NetRulesTest, HealAllRemovesChainsHooksAndRulesEverywhere) {
  {
    NetRules rules(control_, iptables_);
    ASSERT_TRUE(rules.Apply(CutRules(*Ring(4), FakeNodeControl(4))).ok());
    ASSERT_TRUE(rules.Apply(*LossRules({1, 2}, 0.5, control_)).ok());
    ASSERT_TRUE(rules.HealAll().ok());
    EXPECT_TRUE(rules.active().empty());
    for (auto& [path, ns] : iptables_.netns) {
      EXPECT_FALSE(ns.has_chain) << path;
      EXPECT_EQ(ns.hooks["INPUT"] + ns.hooks["OUTPUT"], 0) << path;
    }
    ASSERT_TRUE(rules.Apply(CutRules(*PullLink(1, 2, true), control_)).ok());
  }  // the destructor heals too
  for (auto& [path, ns] : iptables_.netns) EXPECT_FALSE(ns.has_chain) << path;
}

}  // namespace
}  // namespace nemesis

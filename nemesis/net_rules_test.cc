#include "nemesis/net_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

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
  const Argv restore_1{"nsenter", "--net=/ns/1", "iptables-restore", "--noflush", "-w", "5"};
  const Argv restore_2{"nsenter", "--net=/ns/2", "iptables-restore", "--noflush", "-w", "5"};
  ASSERT_EQ(iptables_.calls.size(), 14u);
  EXPECT_EQ(std::vector<Argv>(iptables_.calls.begin(), iptables_.calls.begin() + 12),
            (std::vector<Argv>{
                In(1, {"-S", "SPLITBRAIN"}),
                In(1, {"-N", "SPLITBRAIN"}),
                In(1, {"-C", "INPUT", "-j", "SPLITBRAIN"}),
                In(1, {"-I", "INPUT", "1", "-j", "SPLITBRAIN"}),
                In(1, {"-C", "OUTPUT", "-j", "SPLITBRAIN"}),
                In(1, {"-I", "OUTPUT", "1", "-j", "SPLITBRAIN"}),
                In(2, {"-S", "SPLITBRAIN"}),
                In(2, {"-N", "SPLITBRAIN"}),
                In(2, {"-C", "INPUT", "-j", "SPLITBRAIN"}),
                In(2, {"-I", "INPUT", "1", "-j", "SPLITBRAIN"}),
                In(2, {"-C", "OUTPUT", "-j", "SPLITBRAIN"}),
                In(2, {"-I", "OUTPUT", "1", "-j", "SPLITBRAIN"}),
            }));
  // Then one batch per node, the nodes' batches at the same time (in either order).
  std::map<Argv, std::string> batches;
  for (size_t i = 12; i < 14; ++i) batches[iptables_.calls[i]] = iptables_.inputs[i];
  EXPECT_EQ(batches, (std::map<Argv, std::string>{
                         {restore_1, "*filter\n-A SPLITBRAIN -d 10.0.0.12 -j DROP\nCOMMIT\n"},
                         {restore_2, "*filter\n-A SPLITBRAIN -s 10.0.0.11 -j DROP\nCOMMIT\n"}}));
}

TEST_F(NetRulesTest, EachNodesShareOfAFaultIsOneBatchOnceItsChainIsPrepared) {
  NetRules rules(control_, iptables_);
  ASSERT_TRUE(rules.Prepare({1, 2, 3}).ok());
  iptables_.calls.clear();
  iptables_.inputs.clear();
  ASSERT_TRUE(rules.Apply(CutRules(*IsolateNode(3, 1), control_)).ok());
  ASSERT_EQ(iptables_.calls.size(), 3u);  // one process per node, nothing else
  size_t node_1 = 3;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(iptables_.calls[i][2], "iptables-restore");
    if (iptables_.calls[i][1] == "--net=/ns/1") node_1 = i;
  }
  ASSERT_LT(node_1, 3u);
  EXPECT_EQ(iptables_.inputs[node_1],
            "*filter\n-A SPLITBRAIN -d 10.0.0.12 -j DROP\n-A SPLITBRAIN -d 10.0.0.13 -j DROP\n"
            "-A SPLITBRAIN -s 10.0.0.12 -j DROP\n-A SPLITBRAIN -s 10.0.0.13 -j DROP\nCOMMIT\n");
}

TEST_F(NetRulesTest, MissingListsTheRulesNotInTheirChain) {
  NetRules rules(control_, iptables_);
  auto loss = LossRules({1}, 0.5, control_);
  ASSERT_TRUE(loss.ok());
  ASSERT_TRUE(rules.Apply(*loss).ok());
  auto none = rules.Missing(*loss);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  iptables_.netns["/ns/1"].rules.pop_back();  // a rule vanished behind our back
  auto missing = rules.Missing(*loss);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::vector<Rule>{loss->back()});
}

TEST_F(NetRulesTest, RemoveDeletesExactlyWhatApplyAdded) {
  NetRules rules(control_, iptables_);
  auto first = rules.Apply(CutRules(*IsolateNode(3, 1), control_));
  auto second = rules.Apply(CutRules(*PullLink(1, 2, false), control_));  // overlaps the first
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(rules.Remove(*first).ok());
  auto added = iptables_.Actions("-A");
  auto deleted = iptables_.Actions("-D");
  ASSERT_EQ(added.size(), 12u);
  // The nodes' batches run at once, so compare as sets: the first fault's 8 rules are the 8
  // of the 12 added that belong to the isolation of node 1 (every rule at node 1 but the
  // link's two, and node 2's and 3's rules about node 1).
  std::vector<Argv> first_rules;
  for (const Rule& rule : CutRules(*IsolateNode(3, 1), control_)) {
    Argv entry{"/ns/" + std::to_string(rule.node)};
    entry.insert(entry.end(), rule.spec.begin(), rule.spec.end());
    first_rules.push_back(entry);
  }
  std::sort(first_rules.begin(), first_rules.end());
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, first_rules);
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

TEST_F(NetRulesTest, AFailedBatchUndoesTheBatchesAddedBeforeIt) {
  NetRules rules(control_, iptables_);
  iptables_.fail_on_input =
      RestoreInput("-A", {{.node = 2, .spec = {"-s", "10.0.0.11", "-j", "DROP"}}});
  auto applied = rules.Apply(CutRules(*PullLink(1, 2, true), control_));
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.status().message().find("node 2"), std::string::npos);
  EXPECT_NE(applied.status().message().find("exited 4"), std::string::npos);
  EXPECT_TRUE(iptables_.netns["/ns/1"].rules.empty());  // node 1's batch was taken out again
  EXPECT_TRUE(iptables_.netns["/ns/2"].rules.empty());
  EXPECT_TRUE(rules.active().empty());
}

TEST_F(NetRulesTest, ABatchWithARuleThatCannotBeAddedLeavesNothingOfThatBatch) {
  NetRules rules(control_, iptables_);
  ASSERT_TRUE(rules.Prepare({1}).ok());
  const std::vector<Rule> batch = {{.node = 1, .spec = {"-s", "10.0.0.12", "-j", "DROP"}},
                                   {.node = 1, .spec = {"-s", "10.0.0.13", "-j", "DROP"}}};
  iptables_.fail_on_input = RestoreInput("-A", batch);
  EXPECT_FALSE(rules.Apply(batch).ok());
  EXPECT_TRUE(iptables_.netns["/ns/1"].rules.empty());
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

// Shaping faults with fakes: how they plan, parse and replay, the order in which a holder and
// its rules come and go, and what verification sees when a holder or a rule is missing.
#include <gtest/gtest.h>

#include <algorithm>

#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using testing::FakeIptables;
using testing::FakeNodeControl;

TEST(ShapingPlan, DefaultsAndLinksByKind) {
  common::Rng rng(1);
  auto delay = PlanFault({.kind = FaultKind::kDelay, .nodes = {2}}, 3, 0, rng);
  ASSERT_TRUE(delay.ok()) << delay.status().message();
  EXPECT_EQ(delay->shape, (Shape{.delay_ms = 100}));
  EXPECT_EQ(delay->cut, (Cut{{2, 1}, {2, 3}, {1, 2}, {3, 2}}));
  EXPECT_TRUE(IsShaped(*delay));

  auto one_way = PlanFault({.kind = FaultKind::kReorder, .nodes = {2}, .one_way = true}, 3, 0, rng);
  ASSERT_TRUE(one_way.ok());
  EXPECT_EQ(one_way->shape, (Shape{.delay_ms = 10, .jitter_ms = 10}));
  EXPECT_EQ(one_way->cut, (Cut{{2, 1}, {2, 3}}));

  auto all = PlanFault({.kind = FaultKind::kBandwidth}, 4, 0, rng);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->cut.size(), 12U);  // every directed link of 4 nodes
  EXPECT_EQ(all->shape.rate_kbit, 256);

  // A loss with a correlation shapes the links into its targets.
  auto bursty = PlanFault(
      {.kind = FaultKind::kLoss, .nodes = {1}, .probability = 0.3, .correlation = 0.5}, 3, 0, rng);
  ASSERT_TRUE(bursty.ok());
  EXPECT_EQ(bursty->cut, (Cut{{2, 1}, {3, 1}}));
  EXPECT_EQ(bursty->shape, (Shape{.loss = 0.3, .loss_correlation = 0.5}));
  EXPECT_FALSE(IsShaped(*PlanFault({.kind = FaultKind::kLoss}, 3, 0, rng)));
}

TEST(ShapingPlan, BadShapesAndLinksAreRefused) {
  common::Rng rng(1);
  auto negative = PlanFault({.kind = FaultKind::kDelay, .delay_ms = -5}, 3, 0, rng);
  EXPECT_EQ(negative.status().message(), "delay: delay (ms) -5 is not in [0, 60000]");
  auto self = PlanFault({.kind = FaultKind::kDelay, .cut = Cut{{2, 2}}}, 3, 0, rng);
  EXPECT_FALSE(self.ok());
  auto nothing = PlanFault({.kind = FaultKind::kDelay, .delay_ms = 0}, 3, 0, rng);
  EXPECT_FALSE(nothing.ok());
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kDelay}, 1, 0, rng).ok());
}

TEST(ShapingSchedule, ParsesAndWritesBackTheSameFaults) {
  auto parsed = ParseSchedule(R"([
    {"at":"1s","fault":"delay","duration":"2s","delay":"250ms","jitter":"20ms","cut":[[1,2]]},
    {"at":"2s","fault":"duplicate","duration":"1s","probability":0.3,"targets":"one"},
    {"at":"3s","fault":"loss","duration":"1s","probability":0.2,"correlation":0.75},
    {"at":"4s","fault":"bandwidth","duration":"1s","rate_kbit":64,"one_way":true,"targets":[3]}
  ])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 4U);
  EXPECT_EQ((*parsed)[0].fault.delay_ms, 250);
  EXPECT_EQ((*parsed)[0].fault.jitter_ms, 20);
  EXPECT_EQ((*parsed)[2].fault.correlation, 0.75);
  EXPECT_EQ((*parsed)[3].fault.rate_kbit, 64);
  auto again = ParseSchedule(ScheduleToJson(*parsed).dump());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, *parsed);
}

TEST(ShapingSchedule, OptionsOfTheWrongFaultAreRefused) {
  auto error = [](const char* text) { return ParseSchedule(text).status().message(); };
  EXPECT_NE(error(R"([{"at":"1s","fault":"kill","duration":"1s","delay":"5ms"}])")
                .find("apply only to delay, reorder, duplicate and bandwidth"),
            std::string::npos);
  EXPECT_NE(error(R"([{"at":"1s","fault":"delay","duration":"1s","correlation":0.5}])")
                .find("\"correlation\" applies only to loss"),
            std::string::npos);
  EXPECT_NE(error(R"([{"at":"1s","fault":"loss","duration":"1s","correlation":2}])")
                .find("must be a number in [0, 1]"),
            std::string::npos);
}

class ShapingNemesisTest : public ::testing::Test {
 protected:
  Nemesis& Make() {
    nemesis_ = std::make_unique<Nemesis>(
        control_, iptables_,
        NemesisOptions{.seed = 3, .record = [this](const std::string& f, nlohmann::json v) {
                         if (v["phase"] == "verified") verified_[f] = v;
                         if (v["phase"] == "applied") applied_[f] = v;
                       }});
    return *nemesis_;
  }
  size_t QueueRules() {
    size_t count = 0;
    for (auto& [path, ns] : iptables_.netns) {
      count += std::count_if(ns.rules.begin(), ns.rules.end(), [](const auto& rule) {
        return std::find(rule.begin(), rule.end(), "NFQUEUE") != rule.end();
      });
    }
    return count;
  }

  FakeIptables iptables_;
  FakeNodeControl control_{3, &iptables_};
  std::unique_ptr<Nemesis> nemesis_;
  std::map<std::string, nlohmann::json> verified_;
  std::map<std::string, nlohmann::json> applied_;
};

TEST_F(ShapingNemesisTest, HoldersStartBeforeTheRulesAndStopAfterThem) {
  Nemesis& nemesis = Make();
  auto id = nemesis.Start({.kind = FaultKind::kDelay, .cut = Cut{{1, 2}, {1, 3}}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(control_.TakeCalls(), (std::vector<std::string>{"shape 1 1"}));
  EXPECT_EQ(QueueRules(), 2U);
  EXPECT_TRUE(iptables_.Queues(FakeNodeControl::Path(1), control_.NodeIp(2), 1));
  EXPECT_EQ(applied_["delay"]["shape"], nlohmann::json({{"delay_ms", 100.0}}));
  EXPECT_EQ(verified_["delay"]["ok"], true) << verified_["delay"].dump();
  // Replay: the exact links and shape.
  auto exact = nemesis.Applied(*id);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->cut, (Cut{{1, 2}, {1, 3}}));
  EXPECT_EQ(exact->delay_ms, 100);
  ASSERT_TRUE(nemesis.End(*id).ok());
  EXPECT_EQ(QueueRules(), 0U);
  EXPECT_EQ(control_.TakeCalls(), (std::vector<std::string>{"unshape 1 1"}));
}

TEST_F(ShapingNemesisTest, ADeadHolderOrAMissingDelayIsNotVerified) {
  control_.dead_holders = {2};
  Nemesis& nemesis = Make();
  ASSERT_TRUE(nemesis.Start({.kind = FaultKind::kDelay, .nodes = {2}, .one_way = true}).ok());
  const nlohmann::json& verified = verified_["delay"];
  EXPECT_EQ(verified["ok"], false);
  EXPECT_NE(verified["reason"].get<std::string>().find("holder probe of node 2"), std::string::npos)
      << verified.dump();
  // The delay probe saw a connect as fast as an unshaped one.
  bool delay_probe_failed = false;
  for (const auto& probe : verified["probes"]) {
    if (probe["kind"] == "delay" && probe["ok"] == false) delay_probe_failed = true;
  }
  EXPECT_TRUE(delay_probe_failed) << verified.dump();
}

TEST_F(ShapingNemesisTest, AFailedHolderLeavesNothingBehind) {
  control_.fail = {"shape 3"};
  Nemesis& nemesis = Make();
  auto id = nemesis.Start({.kind = FaultKind::kDuplicate});
  EXPECT_FALSE(id.ok());
  EXPECT_EQ(QueueRules(), 0U);
  const std::vector<std::string> calls = control_.TakeCalls();
  EXPECT_EQ(calls, (std::vector<std::string>{"shape 1 1", "shape 2 1", "shape 3", "unshape 1 1",
                                             "unshape 2 1"}));
}

TEST_F(ShapingNemesisTest, ACutLaidOverADelayStillDropsAndHealAllStopsHolders) {
  Nemesis& nemesis = Make();
  ASSERT_TRUE(nemesis.Start({.kind = FaultKind::kDelay, .delay_ms = 20}).ok());
  auto cut = nemesis.Start({.kind = FaultKind::kLink, .nodes = {1, 2}});
  ASSERT_TRUE(cut.ok());
  // The link's verification is not confused by the delay's links (not "cut" by it).
  EXPECT_EQ(verified_["link"]["ok"], true) << verified_["link"].dump();
  ASSERT_TRUE(nemesis.HealAll().ok());
  const std::vector<std::string> calls = control_.TakeCalls();
  EXPECT_EQ(std::count_if(calls.begin(), calls.end(),
                          [](const std::string& c) { return c.rfind("unshape", 0) == 0; }),
            3);
  EXPECT_EQ(QueueRules(), 0U);
}

}  // namespace
}  // namespace nemesis

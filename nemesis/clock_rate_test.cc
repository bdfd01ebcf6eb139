// clock-rate: planning (a given rate, a drawn one, bounds), the schedule key, and the nemesis
// against a fake: rates of overlapping faults multiply, ending one divides it back out, the
// events and the exact replay form carry the rate.
#include <gtest/gtest.h>

#include <cmath>

#include "nemesis/fault.h"
#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "nemesis/testing_fakes.h"

namespace nemesis {
namespace {

using testing::FakeIptables;
using testing::FakeNodeControl;
using Calls = std::vector<std::string>;

TEST(ClockRate, TakesTargetsAndIsNotANetworkFault) {
  auto kind = ParseFaultKind("clock-rate");
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, FaultKind::kClockRate);
  EXPECT_TRUE(TakesTargets(FaultKind::kClockRate));
  EXPECT_FALSE(IsNetworkFault(FaultKind::kClockRate));
  EXPECT_TRUE(Applicable(FaultKind::kClockRate, 1));
}

TEST(ClockRate, PlansTheGivenRateOrDrawsTwiceOrHalfAsFast) {
  common::Rng rng(3);
  auto exact = PlanFault({.kind = FaultKind::kClockRate, .nodes = {2}, .rate = 3.5}, 3, 0, rng);
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  EXPECT_EQ(exact->targets, std::vector<int>{2});
  EXPECT_EQ(exact->rate, 3.5);
  bool faster = false;
  bool slower = false;
  for (int i = 0; i < 40; ++i) {
    auto drawn = PlanFault({.kind = FaultKind::kClockRate}, 3, 0, rng);
    ASSERT_TRUE(drawn.ok());
    EXPECT_EQ(drawn->targets.size(), 1u);
    EXPECT_TRUE(drawn->rate == 2.0 || drawn->rate == 0.5) << drawn->rate;
    faster = faster || drawn->rate == 2.0;
    slower = slower || drawn->rate == 0.5;
  }
  EXPECT_TRUE(faster && slower);
}

TEST(ClockRate, RefusesTheRealRateAndRatesOutOfBounds) {
  common::Rng rng(3);
  for (double rate : {1.0, 0.05, 11.0, -2.0}) {
    auto planned =
        PlanFault({.kind = FaultKind::kClockRate, .nodes = {1}, .rate = rate}, 3, 0, rng);
    ASSERT_FALSE(planned.ok()) << rate;
    EXPECT_NE(planned.status().message().find("clock-rate"), std::string::npos);
  }
}

TEST(ClockRate, ScheduleKeyParsesRoundTripsAndAppliesOnlyToClockRate) {
  auto schedule = ParseSchedule(
      R"([{"at":"1s","fault":"clock-rate","targets":[1,3],"rate":0.25,"duration":"4s"}])");
  ASSERT_TRUE(schedule.ok()) << schedule.status().message();
  ASSERT_EQ(schedule->size(), 1u);
  EXPECT_EQ((*schedule)[0].fault.kind, FaultKind::kClockRate);
  EXPECT_EQ((*schedule)[0].fault.rate, 0.25);
  EXPECT_EQ((*schedule)[0].fault.nodes, (std::vector<int>{1, 3}));
  auto again = ParseSchedule(ScheduleToJson(*schedule).dump());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, *schedule);

  auto error = [](std::string_view text) {
    auto parsed = ParseSchedule(text);
    return parsed.ok() ? std::string() : parsed.status().message();
  };
  EXPECT_NE(error(R"([{"at":"1s","fault":"kill","rate":2,"duration":"1s"}])")
                .find("\"rate\" applies only to clock-rate"),
            std::string::npos);
  EXPECT_NE(error(R"([{"at":"1s","fault":"clock-rate","rate":50,"duration":"1s"}])").find("rate"),
            std::string::npos);
  EXPECT_NE(error(R"([{"at":"1s","fault":"clock-rate","rate":"fast","duration":"1s"}])"), "");
}

class ClockRateNemesisTest : public ::testing::Test {
 protected:
  std::unique_ptr<Nemesis> Make() {
    return std::make_unique<Nemesis>(
        control_, iptables_,
        NemesisOptions{.seed = 1, .record = [this](const std::string& f, nlohmann::json v) {
                         events_.emplace_back(f, std::move(v));
                       }});
  }

  FakeIptables iptables_;
  FakeNodeControl control_{3, &iptables_};
  std::vector<std::pair<std::string, nlohmann::json>> events_;
};

TEST_F(ClockRateNemesisTest, OverlappingRatesMultiplyAndEndingThemRestoresTheRealRate) {
  auto nemesis = Make();
  auto fast = nemesis->Start({.kind = FaultKind::kClockRate, .nodes = {2}, .rate = 2});
  ASSERT_TRUE(fast.ok()) << fast.status().message();
  auto slow = nemesis->Start({.kind = FaultKind::kClockRate, .nodes = {2, 3}, .rate = 0.25});
  ASSERT_TRUE(slow.ok()) << slow.status().message();
  EXPECT_EQ(control_.TakeCalls(), (Calls{"rate 2 2000", "rate 2 500", "rate 3 250"}));
  ASSERT_TRUE(nemesis->End(*fast).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"rate 2 250"}));
  ASSERT_TRUE(nemesis->End(*slow).ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"rate 2 1000", "rate 3 1000"}));
  // start and applied carry the rate; like a clock step, it is verified from the status samples
  // (no "verified" event here).
  ASSERT_GE(events_.size(), 2u);
  EXPECT_EQ(events_[0].first, "clock-rate");
  EXPECT_EQ(events_[0].second["phase"], "start");
  EXPECT_EQ(events_[0].second["rate"], 2.0);
  for (const auto& [f, value] : events_) EXPECT_NE(value["phase"], "verified");
}

TEST_F(ClockRateNemesisTest, AFailedRateChangePutsBackTheRatesItAlreadySet) {
  auto nemesis = Make();
  control_.fail.insert("rate 3");
  auto id = nemesis->Start({.kind = FaultKind::kClockRate, .nodes = {1, 3}, .rate = 4});
  EXPECT_FALSE(id.ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"rate 1 4000", "rate 3", "rate 1 1000"}));
}

TEST_F(ClockRateNemesisTest, TheExactFormForReplayCarriesTheDrawnRateAndHealAllUndoesIt) {
  auto nemesis = Make();
  auto id = nemesis->Start({.kind = FaultKind::kClockRate, .target = Target::kOne});
  ASSERT_TRUE(id.ok()) << id.status().message();
  std::optional<Fault> exact = nemesis->Applied(*id);
  ASSERT_TRUE(exact && exact->rate);
  EXPECT_TRUE(*exact->rate == 2.0 || *exact->rate == 0.5);
  ASSERT_EQ(exact->nodes.size(), 1u);
  control_.TakeCalls();
  ASSERT_TRUE(nemesis->HealAll().ok());
  EXPECT_EQ(control_.TakeCalls(), (Calls{"rate " + std::to_string(exact->nodes[0]) + " 1000"}));
}

}  // namespace
}  // namespace nemesis

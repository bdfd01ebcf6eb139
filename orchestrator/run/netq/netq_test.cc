// The packet holder on a real link (two namespaces, a veth pair, the shaping fault's rule):
// each shape has the effect it claims, measured on the packets that cross. Needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "orchestrator/run/netq/netq_link.h"
#include "orchestrator/run/netq/packet_schedule.h"

namespace netq {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

class NetqLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const bool can = ::geteuid() == 0 && common::process::FindProgram("ip") &&
                     common::process::FindProgram("iptables");
    SPLITBRAIN_REQUIRE(can, "needs root, ip and iptables");
    auto link = NetqLink::Create(NETQ_BINARY, 7);
    ASSERT_TRUE(link.ok()) << link.status().message();
    link_ = std::move(link).value();
  }
  std::unique_ptr<NetqLink> link_;
};

TEST_F(NetqLinkTest, DelayIsAddedToEveryPacketAndRemovedOnUnshape) {
  ASSERT_TRUE(link_->Shape({.delay_ms = 40}).ok());
  auto shaped = link_->Stream(50, microseconds(2000), 200, milliseconds(200));
  ASSERT_TRUE(shaped.ok()) << shaped.status().message();
  ASSERT_EQ(shaped->Lost(), 0);
  const std::vector<double> delays = shaped->OneWayMs();
  EXPECT_GE(*std::min_element(delays.begin(), delays.end()), 40.0);
  EXPECT_LT(Median(delays), 60.0);
  EXPECT_EQ(shaped->Reordered(), 0);  // a fixed delay keeps the order
  auto counters = link_->Unshape();
  ASSERT_TRUE(counters.ok());
  EXPECT_NE(counters->find(R"("released":50)"), std::string::npos) << *counters;
  auto plain = link_->Stream(20, microseconds(2000), 200, milliseconds(50));
  ASSERT_TRUE(plain.ok());
  EXPECT_LT(Median(plain->OneWayMs()), 5.0);  // unshaped again: no holder, the rule bypasses
}

TEST_F(NetqLinkTest, JitterReordersPackets) {
  ASSERT_TRUE(link_->Shape({.delay_ms = 20, .jitter_ms = 20}).ok());
  auto stream = link_->Stream(200, microseconds(500), 100, milliseconds(150));
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->Lost(), 0);
  EXPECT_GT(stream->Reordered(), 20);
  const std::vector<double> delays = stream->OneWayMs();
  EXPECT_LE(*std::max_element(delays.begin(), delays.end()), 60.0);
}

TEST_F(NetqLinkTest, LossDropsAboutTheFractionAndDuplicateSendsTwice) {
  ASSERT_TRUE(link_->Shape({.loss = 0.3, .loss_correlation = 0.5}).ok());
  auto lossy = link_->Stream(1000, microseconds(200), 100, milliseconds(100));
  ASSERT_TRUE(lossy.ok());
  EXPECT_GT(lossy->Lost(), 200);
  EXPECT_LT(lossy->Lost(), 400);
  ASSERT_TRUE(link_->Shape({.duplicate = 0.5}).ok());
  auto doubled = link_->Stream(400, microseconds(200), 100, milliseconds(100));
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(doubled->Lost(), 0);
  EXPECT_GT(doubled->Duplicates(), 140);
  EXPECT_LT(doubled->Duplicates(), 260);
}

TEST_F(NetqLinkTest, BandwidthCapsWhatTheLinkCarries) {
  // 150 datagrams of 1000 bytes (1028 on the wire) offered in 0.15 s; at 800 kbit/s they take
  // about 1.54 s to cross.
  ASSERT_TRUE(link_->Shape({.rate_kbit = 800}).ok());
  auto stream = link_->Stream(150, microseconds(1000), 1000, milliseconds(1800));
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->Lost(), 0);
  const double took_s =
      static_cast<double>(stream->arrivals.back().at_ns - stream->first_sent_ns) / 1e9;
  EXPECT_GT(took_s, 1.45);
  EXPECT_LT(took_s, 1.8);
  auto counters = link_->Unshape();
  EXPECT_TRUE(counters.ok() && counters->find(R"("released":150)") != std::string::npos)
      << (counters.ok() ? *counters : counters.status().message()) << " sent " << stream->sent
      << " arrived " << stream->arrivals.size();
}

// The schedule alone, without a network: its arithmetic.
TEST(PacketSchedule, DelayJitterRateAndLossAsSpecified) {
  PacketSchedule fixed({.delay_ms = 10}, 1);
  EXPECT_EQ(fixed.Decide(1'000, 100).release_ns, 10'001'000);
  PacketSchedule rate({.rate_kbit = 8}, 1);  // 1 byte per ms
  EXPECT_EQ(rate.Decide(0, 100).release_ns, 100'000'000);
  EXPECT_EQ(rate.Decide(0, 100).release_ns, 200'000'000);  // queued behind the first
  PacketSchedule jitter({.delay_ms = 10, .jitter_ms = 5}, 1);
  for (int i = 0; i < 1000; ++i) {
    const int64_t release = jitter.Decide(0, 100).release_ns;
    ASSERT_GE(release, 5'000'000);
    ASSERT_LE(release, 15'000'000);
  }
  PacketSchedule bursty({.loss = 0.2, .loss_correlation = 0.8}, 7);
  int drops = 0;
  int runs = 0;
  bool last = false;
  for (int i = 0; i < 100'000; ++i) {
    const bool drop = bursty.Decide(i, 100).drop;
    drops += drop ? 1 : 0;
    runs += drop && !last ? 1 : 0;
    last = drop;
  }
  EXPECT_NEAR(drops / 100'000.0, 0.2, 0.02);          // the long-run rate is the loss
  EXPECT_GT(static_cast<double>(drops) / runs, 3.0);  // in bursts (1.25 without correlation)
}

}  // namespace
}  // namespace netq

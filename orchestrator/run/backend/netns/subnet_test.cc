// ChooseSubnet: the run's /24 from the host's routes and addresses (pure; no root needed).
#include "orchestrator/run/backend/netns/subnet.h"

#include <gtest/gtest.h>

namespace orchestrator::netns {
namespace {

constexpr const char* kNoAddrs = "[]";

TEST(ChooseSubnet, StartsAtTheRunIdModulo256) {
  auto subnet = ChooseSubnet("000001ff", "[]", kNoAddrs);
  ASSERT_TRUE(subnet.ok()) << subnet.status().message();
  EXPECT_EQ(*subnet, "10.214.255");
}

TEST(ChooseSubnet, SkipsARoutedSubnetAndWraps) {
  auto subnet = ChooseSubnet("000000ff", R"([{"dst":"10.214.255.0/24"}])", kNoAddrs);
  ASSERT_TRUE(subnet.ok()) << subnet.status().message();
  EXPECT_EQ(*subnet, "10.214.0");
}

TEST(ChooseSubnet, SkipsAnAddressInsideAndAWiderRoute) {
  const char* routes = R"([{"dst":"default","gateway":"192.0.2.1"},{"dst":"10.214.4.0/23"}])";
  const char* addrs = R"([{"ifname":"x","addr_info":[{"local":"10.214.6.9","prefixlen":32}]}])";
  auto subnet = ChooseSubnet("00000004", routes, addrs);
  ASSERT_TRUE(subnet.ok()) << subnet.status().message();
  EXPECT_EQ(*subnet, "10.214.7");
}

TEST(ChooseSubnet, AHostRouteAndIpv6AreHandled) {
  auto subnet =
      ChooseSubnet("00000002", R"([{"dst":"10.214.2.77"},{"dst":"fe80::/64"}])", kNoAddrs);
  ASSERT_TRUE(subnet.ok()) << subnet.status().message();
  EXPECT_EQ(*subnet, "10.214.3");
}

TEST(ChooseSubnet, ARouteOverTheWholeRangeExhaustsIt) {
  auto subnet = ChooseSubnet("00000002", R"([{"dst":"10.0.0.0/8"}])", kNoAddrs);
  EXPECT_EQ(subnet.status().code(), common::StatusCode::kResourceExhausted);
}

TEST(ChooseSubnet, BadInputIsInvalidArgument) {
  EXPECT_EQ(ChooseSubnet("0000000G", "[]", "[]").status().code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseSubnet("abc", "[]", "[]").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseSubnet("00000001", "{not json", "[]").status().code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseSubnet("00000001", "[]", "{}").status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST(IsRunId, WantsEightLowercaseHexDigits) {
  EXPECT_TRUE(IsRunId("0123abcd"));
  EXPECT_FALSE(IsRunId("0123ABCD"));
  EXPECT_FALSE(IsRunId("0123abc"));
  EXPECT_FALSE(IsRunId("0123abcde"));
}

}  // namespace
}  // namespace orchestrator::netns

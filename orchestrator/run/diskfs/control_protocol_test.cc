#include "orchestrator/run/diskfs/control_protocol.h"

#include "gtest/gtest.h"

namespace diskfs {
namespace {

using nemesis::DiskFaults;
using nemesis::DiskOp;

TEST(ControlProtocol, FaultsRoundTrip) {
  const DiskFaults faults{.eio = {DiskOp::kFsync, DiskOp::kWrite},
                          .fsync_delay = std::chrono::milliseconds(250),
                          .full = true};
  EXPECT_EQ(FormatFaults(faults), "eio=write,fsync fsync_delay_ms=250 full=1");
  auto parsed = ParseFaults(FormatFaults(faults));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, faults);
  EXPECT_EQ(FormatFaults({}), "eio=- fsync_delay_ms=0 full=0");
  EXPECT_EQ(*ParseFaults(FormatFaults({})), DiskFaults{});
}

TEST(ControlProtocol, MissingKeysMeanNoFault) {
  auto parsed = ParseFaults("full=1");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, DiskFaults{.full = true});
  EXPECT_TRUE(ParseFaults("")->none());
}

TEST(ControlProtocol, BadInputIsAnErrorNamingIt) {
  for (const char* bad : {"eio=disk", "eio=", "full=2", "fsync_delay_ms=-1", "fsync_delay_ms=1x",
                          "colour=red", "full", "full=1 full=0", "fsync_delay_ms=99999999"}) {
    auto parsed = ParseFaults(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  EXPECT_NE(ParseFaults("colour=red").status().message().find("colour"), std::string::npos);
}

TEST(ControlProtocol, SocketNamesCarryTheRunId) {
  EXPECT_EQ(SocketName("1a2b3c4d", "n2"), "splitbrain-diskfs/1a2b3c4d/n2");
}

}  // namespace
}  // namespace diskfs

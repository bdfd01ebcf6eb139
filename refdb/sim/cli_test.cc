#include "refdb/sim/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "refdb/sim/simulator.h"

namespace refdb::sim {
namespace {

common::Result<CliOptions> Parse(std::vector<std::string> args) { return ParseCli(args); }

TEST(Cli, ParsesEveryFlag) {
  const common::Result<CliOptions> cli = Parse(
      {"--seeds", "300", "--start-seed=42", "--nodes", "4", "--bug", "stale-reads", "--trace"});
  ASSERT_TRUE(cli.ok()) << cli.status().message();
  EXPECT_EQ(cli->seeds, 300u);
  EXPECT_EQ(cli->start_seed, 42u);
  EXPECT_EQ(cli->nodes, 4u);
  EXPECT_EQ(cli->bug, Bug::kStaleReads);
  EXPECT_TRUE(cli->trace);
}

TEST(Cli, AcceptsTheServersBugs) {
  auto cli = Parse({"--seeds", "1", "--bug", "apply-before-durable"});
  ASSERT_TRUE(cli.ok()) << cli.status().message();
  EXPECT_EQ(cli->bug, Bug::kApplyBeforeDurable);
  cli = Parse({"--seeds", "1", "--bug=dedup-lost-on-snapshot"});
  ASSERT_TRUE(cli.ok()) << cli.status().message();
  EXPECT_EQ(cli->bug, Bug::kDedupLostOnSnapshot);
}

TEST(Cli, RejectsBadArguments) {
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"--seeds"}).ok());
  EXPECT_FALSE(Parse({"--seeds", "ten"}).ok());
  EXPECT_FALSE(Parse({"--seeds", "1", "--nodes", "8"}).ok());
  EXPECT_FALSE(Parse({"--seeds", "1", "--bug", "typo"}).ok());
  EXPECT_FALSE(Parse({"--seeds", "1", "--frobnicate", "1"}).ok());
}

TEST(Cli, AnUnknownFlagIsNamedAsUnknownEvenWithoutAValue) {
  EXPECT_EQ(Parse({"--seeds", "2", "--bogus"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(Parse({"--bogus=1"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(Parse({"--seeds"}).status().message(), "--seeds: missing value");
}

TEST(Cli, ReplayCommandNamesSeedNodesAndBug) {
  EXPECT_EQ(ReplayCommand({.seed = 17, .nodes = 4, .bug = Bug::kHalfQuorum}),
            "refdb-sim --seeds 1 --start-seed 17 --nodes 4 --bug half-quorum");
  EXPECT_EQ(ReplayCommand({.seed = 3}), "refdb-sim --seeds 1 --start-seed 3");
}

}  // namespace
}  // namespace refdb::sim

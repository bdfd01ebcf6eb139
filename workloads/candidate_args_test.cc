#include "workloads/candidate_args.h"

#include <gtest/gtest.h>

namespace workloads {
namespace {

TEST(CandidateArgs, RoundTripsThroughItsArgv) {
  const CandidateArgs args{.candidate = 2,
                           .candidates = 3,
                           .db = CandidateDb::kEtcd,
                           .endpoints = {"10.0.0.1:7000", "10.0.0.2:7000"},
                           .lease_ms = 2000,
                           .renew_deadline_ms = 1500,
                           .retry_ms = 50,
                           .call_deadline_ms = 300,
                           .fencing = true,
                           .log = "/tmp/c2.jsonl"};
  auto parsed = ParseCandidateArgs(CandidateArgv(args));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->candidate, 2);
  EXPECT_EQ(parsed->candidates, 3);
  EXPECT_EQ(parsed->db, CandidateDb::kEtcd);
  EXPECT_EQ(parsed->endpoints, args.endpoints);
  EXPECT_EQ(parsed->lease_ms, 2000);
  EXPECT_EQ(parsed->renew_deadline_ms, 1500);
  EXPECT_EQ(parsed->retry_ms, 50);
  EXPECT_EQ(parsed->call_deadline_ms, 300);
  EXPECT_TRUE(parsed->fencing);
  EXPECT_EQ(parsed->log, "/tmp/c2.jsonl");
}

TEST(CandidateArgs, DefinitionRoundTrips) {
  auto parsed = ParseCandidateArgs(CandidateArgv({.db = CandidateDb::kDefinition,
                                                  .definition = "/dbs/zookeeper/db.json",
                                                  .endpoints = {"10.0.0.1:2181"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->db, CandidateDb::kDefinition);
  EXPECT_EQ(parsed->definition, "/dbs/zookeeper/db.json");
}

TEST(CandidateArgs, BadInputIsNamed) {
  auto error = [](const std::vector<std::string>& args) {
    auto parsed = ParseCandidateArgs(args);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.status().message();
  };
  EXPECT_NE(error({"--candidate", "1"}).find("--endpoints"), std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--candidate", "x"}).find("--candidate"),
            std::string::npos);
  EXPECT_NE(
      error({"--endpoints", "a:1", "--candidate", "3", "--candidates", "2"}).find("not in 1.."),
      std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--db", "redis"}).find("refdb, etcd or definition"),
            std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--db", "definition"}).find("--definition"),
            std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--definition", "x.json"}).find("--definition"),
            std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--lease-ms", "500"}).find("shorter"), std::string::npos);
  EXPECT_NE(error({"--endpoints", "a:1", "--bogus", "1"}).find("--bogus"), std::string::npos);
  EXPECT_NE(error({"--endpoints"}).find("needs a value"), std::string::npos);
}

}  // namespace
}  // namespace workloads

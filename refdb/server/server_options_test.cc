#include "refdb/server/server_options.h"

#include <gtest/gtest.h>

namespace refdb::server {
namespace {

common::Result<ServerOptions> Parse(std::vector<std::string> args) { return ParseFlags(args); }

TEST(ServerOptions, ParsesRequiredFlagsAndDefaults) {
  auto o = Parse({"--id", "2", "--listen", "127.0.0.2:7000", "--peers",
                  "1=127.0.0.1:7000,2=127.0.0.2:7000,3=127.0.0.3:7000", "--data", "/d"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->id, 2u);
  EXPECT_EQ(o->peers.size(), 2u);  // itself removed
  EXPECT_EQ(o->AddressOf(3), "127.0.0.3:7000");
  EXPECT_EQ(o->AddressOf(2), "127.0.0.2:7000");
  EXPECT_EQ(o->RaftConfig().peers, (std::vector<raft::NodeId>{1, 2, 3}));
  EXPECT_EQ(o->tick_ms, 10);
  EXPECT_EQ(o->session_timeout_s, 60u);
  EXPECT_TRUE(o->RaftConfig().pre_vote);
  EXPECT_TRUE(o->RaftConfig().check_quorum);
}

TEST(ServerOptions, JoinStartsWithoutBootstrapVoters) {
  auto o = Parse({"--id", "7", "--listen", "127.0.0.3:7000", "--join", "--peers",
                  "1=127.0.0.1:7000,2=127.0.0.2:7000", "--data", "/d"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->join);
  EXPECT_TRUE(o->RaftConfig().peers.empty());  // never a candidate until the log says so
  EXPECT_EQ(o->AddressOf(2), "127.0.0.2:7000");
  EXPECT_FALSE(Parse({"--id", "1", "--listen", "a:1", "--data", "/d"})->join);
}

TEST(ServerOptions, AcceptsEqualsFormAndBugs) {
  auto o = Parse({"--id=1", "--listen=a:1", "--data=/d", "--bug", "no-fsync", "--bug=stale-reads",
                  "--tick-ms=5"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->bug_no_fsync);
  EXPECT_TRUE(o->RaftConfig().bug_stale_reads);
  EXPECT_EQ(o->tick_ms, 5);
}

TEST(ServerOptions, AcceptsServerBugs) {
  auto o = Parse({"--id=1", "--listen=a:1", "--data=/d", "--bug", "apply-before-durable",
                  "--bug=dedup-lost-on-snapshot"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->bug_apply_before_durable);
  EXPECT_TRUE(o->bug_dedup_lost_on_snapshot);
  EXPECT_FALSE(o->bug_no_fsync);
}

TEST(ServerOptions, SessionTimeoutInSecondsZeroForEver) {
  auto o = Parse({"--id=1", "--listen=a:1", "--data=/d", "--session-timeout", "0"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->session_timeout_s, 0u);
  EXPECT_NE(Parse({"--id=1", "--listen=a:1", "--data=/d", "--session-timeout", "-1"})
                .status()
                .message()
                .find("--session-timeout"),
            std::string::npos);
  EXPECT_FALSE(
      Parse({"--id=1", "--listen=a:1", "--data=/d", "--session-timeout=99999999999"}).ok());
}

TEST(ServerOptions, TlsFlagsGoTogether) {
  auto plain = Parse({"--id=1", "--listen=a:1", "--data=/d"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls.enabled());
  auto tls = Parse({"--id=1", "--listen=a:1", "--data=/d", "--tls-ca", "ca.pem", "--tls-cert=n.pem",
                    "--tls-key", "n.key"});
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  EXPECT_TRUE(tls->tls.enabled());
  EXPECT_EQ(tls->tls.ca, "ca.pem");
  EXPECT_EQ(tls->tls.cert, "n.pem");
  EXPECT_EQ(tls->tls.key, "n.key");
  auto partial = Parse({"--id=1", "--listen=a:1", "--data=/d", "--tls-cert", "n.pem"});
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.status().message().find("--tls-ca, --tls-cert and --tls-key go together"),
            std::string::npos);
}

TEST(ServerOptions, RejectsBadFlagsWithTheirName) {
  EXPECT_NE(Parse({"--listen", "a:1", "--data", "/d"}).status().message().find("--id"),
            std::string::npos);
  EXPECT_NE(Parse({"--id", "x"}).status().message().find("--id"), std::string::npos);
  EXPECT_NE(Parse({"--id", "1", "--bug", "nope"}).status().message().find("nope"),
            std::string::npos);
  EXPECT_NE(Parse({"--frobnicate", "1"}).status().message().find("--frobnicate"),
            std::string::npos);
  EXPECT_NE(Parse({"--id", "1", "--listen", "a:1", "--data", "/d", "--peers", "1=b:1"})
                .status()
                .message()
                .find("--listen"),
            std::string::npos);
  EXPECT_FALSE(Parse({"--id"}).ok());
  EXPECT_FALSE(Parse({"--id", "1", "--listen", "a", "--data", "d", "--peers", "2"}).ok());
}

}  // namespace
}  // namespace refdb::server

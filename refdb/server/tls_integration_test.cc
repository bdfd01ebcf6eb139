// refdb with --tls-*: a real 3-node cluster whose peers talk mutual TLS elects a leader and
// replicates; clients need a certificate from the cluster's CA; a "peer" without one, or with
// one from another CA, cannot deliver a message (its handshake fails), while the same message
// with a valid certificate moves the node's term (so the refusal is what stops it). Bad TLS
// files stop a node at start with an error naming the flag.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "peer.grpc.pb.h"
#include "refdb/client/client.h"
#include "refdb/server/testing/local_cluster.h"

namespace refdb {
namespace {

using std::chrono::milliseconds;
using testing::LocalCluster;

constexpr milliseconds kElectionDeadline{10000};

// One batch of a single heartbeat claiming leadership of term `term`, sent as peer `from`
// over a fresh channel with `credentials`. The gRPC status of the Stream call.
grpc::Status SendHeartbeat(const std::string& address,
                           const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                           uint64_t from, uint64_t to, uint64_t term) {
  auto stub = peerpb::Peer::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  peerpb::Ack ack;
  auto writer = stub->Stream(&context, &ack);
  peerpb::MessageBatch batch;
  peerpb::Message* m = batch.add_messages();
  m->set_type(peerpb::MSG_HEARTBEAT);
  m->set_from(from);
  m->set_to(to);
  m->set_term(term);
  writer->Write(batch);
  writer->WritesDone();
  return writer->Finish();
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const common::TlsFiles& files,
                                                      bool with_certificate) {
  auto pem = common::ReadTlsFiles(files);
  EXPECT_TRUE(pem.ok()) << pem.status().message();
  if (!pem.ok()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options{.pem_root_certs = pem->ca};
  if (with_certificate) {
    options.pem_private_key = pem->key;
    options.pem_cert_chain = pem->cert;
  }
  return grpc::SslCredentials(options);
}

class TlsIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(common::process::FindProgram("openssl").has_value(),
                       "no openssl program (Debian package openssl)");
    auto cluster = LocalCluster::Start({.binary = REFDB_BINARY, .nodes = 3, .tls = true});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(cluster).value();
    auto leader = cluster_->WaitForLeader(kElectionDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().message();
    leader_ = *leader;
    follower_ = leader_ == 3 ? 2 : 3;
  }

  std::unique_ptr<client::Client> NewClient(std::optional<common::TlsPem> tls) {
    auto c = client::Client::Create({.endpoints = cluster_->endpoints(),
                                     .call_deadline = milliseconds(1000),
                                     .max_attempts = 3,
                                     .tls = std::move(tls)});
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  // Another CA's certificate for the follower's own address (so only the CA is wrong).
  common::certs::CertDir OtherCa() {
    const std::string address = cluster_->address(follower_);
    auto other = common::certs::CertDir::Create(
        {.parent = std::filesystem::temp_directory_path(),
         .prefix = "refdb-other-ca-",
         .identities = {{.name = "n1", .addresses = {address.substr(0, address.rfind(':'))}}}});
    EXPECT_TRUE(other.ok()) << other.status().message();
    return std::move(other).value();
  }

  uint64_t TermOf(int node) {
    auto status = cluster_->Status(node);
    EXPECT_TRUE(status.ok()) << status.status().message();
    return status.ok() ? status->term() : 0;
  }

  std::unique_ptr<LocalCluster> cluster_;
  int leader_ = 0;
  int follower_ = 0;
};

TEST_F(TlsIntegration, PeersReplicateAndClientsWithACertificateReadAndWrite) {
  auto pem = common::ReadTlsFiles(cluster_->certs()->FilesFor("client"));
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  auto c = NewClient(*pem);
  for (int i = 0; i < 20; ++i) {
    auto put = c->Put("k" + std::to_string(i), "v" + std::to_string(i));
    ASSERT_EQ(put.outcome, client::Outcome::kOk) << put.error.message();
  }
  auto get = c->Get("k19");
  ASSERT_EQ(get.outcome, client::Outcome::kOk) << get.error.message();
  EXPECT_EQ(get.value.value, "v19");
  auto status = cluster_->Status(leader_);
  ASSERT_TRUE(status.ok());
  // Every node applied the writes: replication crossed the peers' mutual TLS.
  ASSERT_TRUE(cluster_->WaitForApplied(status->commit_index(), milliseconds(10000)).ok());
}

TEST_F(TlsIntegration, ClientsWithoutTlsOrWithAnotherCasCertificateAreRefused) {
  auto plain = NewClient(std::nullopt);
  auto put = plain->Put("k", "v");
  EXPECT_NE(put.outcome, client::Outcome::kOk);
  auto other = OtherCa();
  auto other_pem = common::ReadTlsFiles(other.FilesFor("n1"));
  ASSERT_TRUE(other_pem.ok());
  // Trusting the cluster's CA but presenting another CA's certificate.
  other_pem->ca = common::ReadTlsFiles(cluster_->certs()->FilesFor("client"))->ca;
  auto foreign = NewClient(*other_pem);
  put = foreign->Put("k", "v");
  EXPECT_NE(put.outcome, client::Outcome::kOk);
  auto get =
      NewClient(common::ReadTlsFiles(cluster_->certs()->FilesFor("client")).value())->Get("k");
  ASSERT_EQ(get.outcome, client::Outcome::kOk) << get.error.message();
  EXPECT_FALSE(get.value.found);
}

TEST_F(TlsIntegration, PeersWithoutAValidCertificateAreRefusedAndChangeNothing) {
  const std::string address = cluster_->address(follower_);
  const common::TlsFiles ours = cluster_->certs()->FilesFor("n" + std::to_string(leader_));
  const uint64_t term = TermOf(follower_);
  ASSERT_GT(term, 0U);
  const uint64_t bumped = term + 1000;
  // No certificate at all (the server's is still verified against our CA).
  grpc::Status s = SendHeartbeat(address, Credentials(ours, false), leader_, follower_, bumped);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // A certificate for the right address from another CA, which trusts our CA.
  auto other = OtherCa();
  common::TlsFiles foreign = other.FilesFor("n1");
  foreign.ca = ours.ca;
  s = SendHeartbeat(address, Credentials(foreign, true), leader_, follower_, bumped);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // Plaintext.
  s = SendHeartbeat(address, grpc::InsecureChannelCredentials(), leader_, follower_, bumped);
  EXPECT_FALSE(s.ok());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LT(TermOf(follower_), bumped) << "a refused peer's message reached the node";
  // Control: the same message with a valid certificate is delivered and moves the term.
  s = SendHeartbeat(address, Credentials(ours, true), leader_, follower_, bumped);
  EXPECT_TRUE(s.ok()) << s.error_message();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (TermOf(follower_) < bumped && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_GE(TermOf(follower_), bumped);
}

TEST(TlsFlags, BadFilesStopTheNodeWithAnErrorNamingTheFlag) {
  SPLITBRAIN_REQUIRE(common::process::FindProgram("openssl").has_value(),
                     "no openssl program (Debian package openssl)");
  auto certs = common::certs::CertDir::Create({.parent = std::filesystem::temp_directory_path(),
                                               .prefix = "refdb-bad-tls-",
                                               .identities = {{.name = "a"}, {.name = "b"}}});
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  auto other = common::certs::CertDir::Create({.parent = std::filesystem::temp_directory_path(),
                                               .prefix = "refdb-bad-tls-",
                                               .identities = {{.name = "a"}}});
  ASSERT_TRUE(other.ok()) << other.status().message();
  const common::TlsFiles a = certs->FilesFor("a");
  const std::string garbage = (certs->dir() / "garbage.pem").string();
  std::ofstream(garbage) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  struct Case {
    common::TlsFiles files;
    std::string expected;
  };
  const Case cases[] = {
      {{.ca = a.ca, .cert = a.cert, .key = "/nonexistent.key"}, "--tls-key: cannot read"},
      {{.ca = a.ca, .cert = garbage, .key = a.key}, "--tls-cert: " + garbage + " is not a"},
      {{.ca = a.ca, .cert = a.cert, .key = certs->FilesFor("b").key}, "is not the key of"},
      {{.ca = a.ca, .cert = other->FilesFor("a").cert, .key = other->FilesFor("a").key},
       "is not signed by the CA"},
      {{.ca = a.ca, .cert = a.cert, .key = a.cert}, "--tls-key: "},
  };
  for (const Case& c : cases) {
    auto ran = common::process::Run(
        {.argv = {REFDB_BINARY, "--id", "1", "--listen", "127.0.0.1:0", "--data",
                  (certs->dir() / "data").string(), "--tls-ca", c.files.ca, "--tls-cert",
                  c.files.cert, "--tls-key", c.files.key},
         .deadline = std::chrono::seconds(10)});
    ASSERT_TRUE(ran.ok()) << ran.status().message();
    EXPECT_EQ(ran->status.code.value_or(-1), 3) << ran->err;
    EXPECT_NE(ran->err.find(c.expected), std::string::npos) << ran->err;
  }
  auto missing =
      common::process::Run({.argv = {REFDB_BINARY, "--id", "1", "--listen", "127.0.0.1:0", "--data",
                                     "/tmp/x", "--tls-ca", a.ca}});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status.code.value_or(-1), 254);
  EXPECT_NE(missing->err.find("go together"), std::string::npos) << missing->err;
}

}  // namespace
}  // namespace refdb

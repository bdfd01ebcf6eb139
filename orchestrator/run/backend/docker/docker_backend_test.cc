// The docker backend against the real daemon: clusters of real refdb containers. Skips when no
// Docker daemon answers. Every test uses a fresh random run id and removes what it made; every
// wait polls a condition until a deadline.
#include "orchestrator/run/backend/docker/docker_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/testing/prerequisite.h"
#include "orchestrator/run/backend/cleanup.h"
#include "orchestrator/run/backend/docker/docker_client.h"
#include "refdb/client/client.h"

namespace orchestrator::docker {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{30000};
constexpr int kPort = 7000;

std::string RandomRunId() {
  std::random_device device;
  char id[9];
  std::snprintf(id, sizeof(id), "%08x", static_cast<unsigned>(device()));
  return id;
}

// Polls `condition` every 50 ms until it holds or `deadline` passes.
template <typename Condition>
bool WaitFor(Condition condition, milliseconds deadline = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return condition();
}

class DockerBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(DockerAvailable(), "no Docker daemon at " << kDefaultDockerSocket);
    run_id_ = RandomRunId();
    std::string pattern = "/tmp/sb-docker-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    run_dir_ = pattern;
    auto backend = MakeDockerBackend();
    ASSERT_TRUE(backend.ok()) << backend.status().message();
    backend_ = std::move(backend).value();
    auto client = DockerClient::Create();
    ASSERT_TRUE(client.ok());
    docker_ = std::move(client).value();
  }

  void TearDown() override {
    backend_.reset();
    std::error_code ignored;
    if (!run_dir_.empty()) std::filesystem::remove_all(run_dir_, ignored);
  }

  BackendOptions Options(int nodes) const {
    return {
        .run_id = run_id_, .nodes = nodes, .run_dir = RunDir(run_dir_), .binaries = {REFDB_BINARY}};
  }

  std::string Endpoint(int node) const {
    return backend_->NodeIp(node) + ":" + std::to_string(kPort);
  }

  std::vector<std::string> RefdbArgv(int node, int nodes) const {
    std::string peers;
    for (int i = 1; i <= nodes; ++i) {
      peers += (i > 1 ? "," : "") + std::to_string(i) + "=" + Endpoint(i);
    }
    return {REFDB_BINARY, "--id",         std::to_string(node),
            "--listen",   Endpoint(node), "--peers",
            peers,        "--data",       backend_->NodeDataDir(node)};
  }

  // Up, then create and start `nodes` refdb nodes, and a client knowing all of them.
  void StartCluster(int nodes) {
    nodes_ = nodes;
    ASSERT_TRUE(backend_->Up(Options(nodes)).ok());
    std::vector<std::string> endpoints;
    for (int i = 1; i <= nodes; ++i) {
      const auto created = backend_->CreateNode(i, RefdbArgv(i, nodes));
      ASSERT_TRUE(created.ok()) << created.message();
      const auto started = backend_->StartNode(i);
      ASSERT_TRUE(started.ok()) << started.message();
      endpoints.push_back(Endpoint(i));
    }
    auto client = refdb::client::Client::Create({.endpoints = endpoints,
                                                 .call_deadline = milliseconds(500),
                                                 .max_attempts = 20,
                                                 .backoff_initial = milliseconds(50),
                                                 .backoff_max = milliseconds(300)});
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(client).value();
  }

  std::optional<refdb::statuspb::StatusResponse> NodeStatus(int node) {
    auto status = client_->Status(Endpoint(node));
    if (!status.ok()) return std::nullopt;
    return status.value;
  }

  // Every given node answers and names the same leader; returns it (0: none within deadline).
  uint64_t WaitForLeader(const std::vector<int>& nodes) {
    uint64_t leader = 0;
    const bool agreed = WaitFor([&] {
      leader = 0;
      for (const int node : nodes) {
        const auto status = NodeStatus(node);
        if (!status || status->leader_id() == 0) return false;
        if (leader != 0 && status->leader_id() != leader) return false;
        leader = status->leader_id();
      }
      return true;
    });
    return agreed ? leader : 0;
  }

  std::vector<int> AllNodes() const {
    std::vector<int> nodes;
    for (int i = 1; i <= nodes_; ++i) nodes.push_back(i);
    return nodes;
  }

  // Names of the containers and networks carrying this run's label.
  std::vector<std::string> LabelledObjects() {
    const std::string filters =
        UrlEncode(json{{"label", {std::string(kRunLabel) + "=" + run_id_}}}.dump());
    std::vector<std::string> names;
    for (const std::string& path :
         {"/containers/json?all=1&filters=" + filters, "/networks?filters=" + filters}) {
      auto body = docker_->Get(path);
      EXPECT_TRUE(body.ok()) << body.status().message();
      if (!body.ok()) continue;
      for (const json& item : json::parse(*body)) {
        names.push_back(item.contains("Names") ? item["Names"][0].get<std::string>()
                                               : item["Name"].get<std::string>());
      }
    }
    return names;
  }

  std::string ContainerIp(int node) {
    const std::string name = "sb-" + run_id_ + "-n" + std::to_string(node);
    auto body = docker_->Get("/containers/" + name + "/json");
    EXPECT_TRUE(body.ok()) << body.status().message();
    if (!body.ok()) return "";
    const json inspect = json::parse(*body);
    return inspect["NetworkSettings"]["Networks"]["sb-" + run_id_]["IPAddress"].get<std::string>();
  }

  std::filesystem::path NodeDir(int node) const {
    return run_dir_ / "nodes" / ("n" + std::to_string(node));
  }

  std::string run_id_;
  std::filesystem::path run_dir_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<DockerClient> docker_;  // the test's own view of the daemon
  std::unique_ptr<refdb::client::Client> client_;
  int nodes_ = 0;
};

TEST_F(DockerBackendTest, ThreeRefdbNodesElectALeader) {
  StartCluster(3);
  EXPECT_NE(WaitForLeader(AllNodes()), 0u);
  for (const int node : AllNodes()) {
    EXPECT_TRUE(backend_->IsRunning(node));
    EXPECT_EQ(ContainerIp(node), backend_->NodeIp(node));
    const auto netns = backend_->NetnsPath(node);
    ASSERT_TRUE(netns.ok()) << netns.status().message();
    EXPECT_TRUE(std::filesystem::exists(*netns)) << *netns;
  }
  ASSERT_TRUE(backend_->CollectLogs().ok());
  for (const int node : AllNodes())
    EXPECT_TRUE(std::filesystem::exists(NodeDir(node) / "node.log"));
}

TEST_F(DockerBackendTest, KilledNodeRestartsWithItsAddressAndData) {
  StartCluster(3);
  const uint64_t leader = WaitForLeader(AllNodes());
  ASSERT_NE(leader, 0u);
  ASSERT_TRUE(client_->Put("k", "v1").ok());
  const int follower = leader == 1 ? 2 : 1;

  ASSERT_TRUE(backend_->KillNode(follower).ok());
  EXPECT_FALSE(backend_->IsRunning(follower));
  EXPECT_FALSE(backend_->NetnsPath(follower).ok());
  EXPECT_FALSE(std::filesystem::is_empty(NodeDir(follower) / "data"));
  ASSERT_TRUE(client_->Put("k", "v2").ok());  // the other two still form a majority

  ASSERT_TRUE(backend_->StartNode(follower).ok());
  EXPECT_TRUE(backend_->IsRunning(follower));
  EXPECT_EQ(ContainerIp(follower), backend_->NodeIp(follower));
  EXPECT_NE(WaitForLeader(AllNodes()), 0u);  // it rejoined

  // Data: kill every node and restart them; the writes are still there.
  for (const int node : AllNodes()) ASSERT_TRUE(backend_->KillNode(node).ok());
  for (const int node : AllNodes()) ASSERT_TRUE(backend_->StartNode(node).ok());
  ASSERT_NE(WaitForLeader(AllNodes()), 0u);
  const auto read = client_->Get("k");
  ASSERT_TRUE(read.ok()) << read.error.message();
  EXPECT_TRUE(read.value.found);
  EXPECT_EQ(read.value.value, "v2");
}

TEST_F(DockerBackendTest, PausedNodeStopsAnsweringAndResumeBringsItBack) {
  StartCluster(3);
  ASSERT_NE(WaitForLeader(AllNodes()), 0u);
  EXPECT_FALSE(backend_->IsPaused(2));
  ASSERT_TRUE(backend_->PauseNode(2).ok());
  EXPECT_TRUE(backend_->IsPaused(2));
  EXPECT_FALSE(NodeStatus(2).has_value());
  EXPECT_TRUE(backend_->IsRunning(2));  // frozen, not stopped
  ASSERT_TRUE(backend_->ResumeNode(2).ok());
  EXPECT_TRUE(WaitFor([&] { return NodeStatus(2).has_value(); }));
  EXPECT_FALSE(backend_->IsPaused(2));
}

TEST_F(DockerBackendTest, KillingAPausedNodeKillsIt) {
  StartCluster(3);
  ASSERT_NE(WaitForLeader(AllNodes()), 0u);
  ASSERT_TRUE(backend_->PauseNode(3).ok());
  EXPECT_FALSE(backend_->PauseNode(3).ok());  // already paused: Docker's 409 is passed on
  ASSERT_TRUE(backend_->KillNode(3).ok());
  EXPECT_FALSE(backend_->IsRunning(3));
  ASSERT_TRUE(backend_->KillNode(3).ok());  // already dead: fine
  ASSERT_TRUE(backend_->StartNode(3).ok());
  EXPECT_NE(WaitForLeader(AllNodes()), 0u);
}

TEST_F(DockerBackendTest, StoppedNodeIsNotRunningAndStartsAgain) {
  StartCluster(3);
  ASSERT_NE(WaitForLeader(AllNodes()), 0u);
  ASSERT_TRUE(backend_->StopNode(3).ok());
  EXPECT_FALSE(backend_->IsRunning(3));
  ASSERT_TRUE(backend_->StopNode(3).ok());  // already stopped: fine
  ASSERT_TRUE(backend_->StartNode(3).ok());
  EXPECT_NE(WaitForLeader(AllNodes()), 0u);
}

TEST_F(DockerBackendTest, DownLeavesNothingLabelledAndIsIdempotent) {
  StartCluster(3);
  EXPECT_EQ(LabelledObjects().size(), 4u);  // 3 containers and the network
  ASSERT_TRUE(backend_->Down().ok());
  EXPECT_TRUE(LabelledObjects().empty());
  EXPECT_TRUE(backend_->Down().ok());
  EXPECT_FALSE(backend_->IsRunning(1));
}

TEST_F(DockerBackendTest, CleanupRemovesWhatALeakedBackendLeft) {
  StartCluster(2);
  // Leak the backend, as a SIGKILLed orchestrator would: no destructor, no Down. The pointer
  // lives in static storage so leak checkers see it as reachable.
  [[maybe_unused]] static Backend* leaked = nullptr;
  leaked = backend_.release();
  ASSERT_EQ(LabelledObjects().size(), 3u);

  const auto none = CleanupDocker([](const std::string&) { return false; });
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(LabelledObjects().size(), 3u);

  const std::string run_id = run_id_;
  auto removed = CleanupDocker([&](const std::string& id) { return id == run_id; });
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  std::sort(removed->begin(), removed->end());
  EXPECT_EQ(*removed,
            (std::vector<std::string>{"container sb-" + run_id + "-n1",
                                      "container sb-" + run_id + "-n2", "network sb-" + run_id}));
  EXPECT_TRUE(LabelledObjects().empty());
}

TEST_F(DockerBackendTest, BadCallsGetSpecificErrors) {
  ASSERT_EQ(backend_->StartNode(1).code(), common::StatusCode::kInvalidArgument);  // not up
  BackendOptions bad = Options(3);
  bad.run_id = "NOT-HEX!";
  EXPECT_EQ(backend_->Up(bad).code(), common::StatusCode::kInvalidArgument);
  ASSERT_TRUE(backend_->Up(Options(2)).ok());
  EXPECT_EQ(backend_->CreateNode(3, RefdbArgv(3, 3)).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->CreateNode(1, {"/usr/bin/unknown"}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->KillNode(1).code(), common::StatusCode::kInvalidArgument);  // not created

  const auto missing = docker_->Post("/containers/sb-" + run_id_ + "-n9/start");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), common::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("HTTP 404"), std::string::npos);
  EXPECT_NE(missing.status().message().find("No such container"), std::string::npos)
      << missing.status().message();
}

TEST(DockerClient, UnreachableSocketNamesTheFix) {
  EXPECT_FALSE(DockerAvailable("/nonexistent/docker.sock"));
  const auto backend = MakeDockerBackend({.socket_path = "/nonexistent/docker.sock"});
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), common::StatusCode::kUnavailable);
  const std::string& message = backend.status().message();
  EXPECT_NE(message.find("cannot reach the Docker daemon at /nonexistent/docker.sock"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("run ci/setup.sh"), std::string::npos) << message;
  EXPECT_NE(message.find("--backend netns"), std::string::npos) << message;
}

}  // namespace
}  // namespace orchestrator::docker

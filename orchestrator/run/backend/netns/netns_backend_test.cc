// NetnsBackend and CleanupNetns against real namespaces and real refdb processes (3 nodes).
// Every test skips itself without root or `ip`.
#include "orchestrator/run/backend/netns/netns_backend.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <thread>

#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "orchestrator/run/backend/cleanup.h"
#include "refdb/client/client.h"

namespace orchestrator {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kNodes = 3;
constexpr auto kWaitLimit = std::chrono::seconds(15);

std::string RandomRunId() {
  std::random_device device;
  char text[9];
  std::snprintf(text, sizeof(text), "%08x", static_cast<unsigned>(device()));
  return text;
}

// Every namespace and link whose name carries `run_id`.
std::vector<std::string> ObjectsOf(const std::string& run_id) {
  std::vector<std::string> found;
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"ip", "-o", "netns", "list"}, {"ip", "-o", "link", "show"}}) {
    auto result = common::process::RunChecked(argv);
    EXPECT_TRUE(result.ok()) << result.status().message();
    if (!result.ok()) continue;
    std::istringstream lines(*result);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(run_id) != std::string::npos) found.push_back(line);
    }
  }
  return found;
}

std::vector<pid_t> PidsIn(const std::string& netns_name) {
  auto result = common::process::RunChecked({"ip", "netns", "pids", netns_name});
  EXPECT_TRUE(result.ok()) << result.status().message();
  std::vector<pid_t> pids;
  std::istringstream in(result.ok() ? *result : "");
  for (pid_t pid = 0; in >> pid;) pids.push_back(pid);
  return pids;
}

bool ProcessExists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// Polls `done` every 20 ms until it holds or kWaitLimit passes.
template <typename Predicate>
bool WaitFor(Predicate done) {
  const auto deadline = steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

class NetnsCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and `ip`");
    run_id_ = RandomRunId();
    std::string pattern = (std::filesystem::temp_directory_path() / "netns_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    run_dir_ = pattern;
    backend_ = std::make_unique<NetnsBackend>();
  }

  void TearDown() override {
    if (backend_) {
      common::Status down = backend_->Down();
      EXPECT_TRUE(down.ok()) << down.message();
    }
    std::error_code ec;
    if (!run_dir_.empty()) std::filesystem::remove_all(run_dir_, ec);
  }

  BackendOptions Options() const {
    return {.run_id = run_id_,
            .nodes = kNodes,
            .run_dir = RunDir(run_dir_),
            .binaries = {REFDB_BINARY}};
  }

  std::string Endpoint(int node) const { return backend_->NodeIp(node) + ":7000"; }

  // Up, then every node created and started as a refdb server.
  void StartCluster() {
    common::Status up = backend_->Up(Options());
    ASSERT_TRUE(up.ok()) << up.message();
    std::string peers;
    for (int i = 1; i <= kNodes; ++i) {
      peers += (i > 1 ? "," : "") + std::to_string(i) + "=" + Endpoint(i);
    }
    for (int i = 1; i <= kNodes; ++i) {
      common::Status created =
          backend_->CreateNode(i, {REFDB_BINARY, "--id", std::to_string(i), "--listen", Endpoint(i),
                                   "--peers", peers, "--data", backend_->NodeDataDir(i)});
      ASSERT_TRUE(created.ok()) << created.message();
      common::Status started = backend_->StartNode(i);
      ASSERT_TRUE(started.ok()) << started.message();
    }
  }

  // A client of the whole cluster, for writes.
  std::unique_ptr<refdb::client::Client> ClusterClient() {
    std::vector<std::string> endpoints;
    for (int i = 1; i <= kNodes; ++i) endpoints.push_back(Endpoint(i));
    auto client = refdb::client::Client::Create(
        {.endpoints = endpoints, .call_deadline = milliseconds(300), .max_attempts = 3});
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client.value()) : nullptr;
  }

  // A fresh client each time: refdb's client keeps a channel whose connection was refused (a
  // node not listening yet, or down) in gRPC's reconnect backoff for seconds.
  std::optional<refdb::statuspb::StatusResponse> StatusOf(int node) {
    auto client = refdb::client::Client::Create(
        {.endpoints = {Endpoint(node)}, .call_deadline = milliseconds(300), .max_attempts = 1});
    if (!client.ok()) return std::nullopt;
    auto status = (*client)->Status(Endpoint(node));
    if (!status.ok()) return std::nullopt;
    return status.value;
  }

  // The id of a leader that every answering node of a majority names; 0 on timeout.
  uint64_t WaitForLeader() {
    uint64_t leader = 0;
    WaitFor([&] {
      std::map<uint64_t, int> votes;
      for (int i = 1; i <= kNodes; ++i) {
        auto status = StatusOf(i);
        if (status && status->leader_id() != 0) ++votes[status->leader_id()];
      }
      for (const auto& [id, count] : votes) {
        if (count > kNodes / 2) leader = id;
      }
      return leader != 0;
    });
    return leader;
  }

  std::string run_id_;
  std::filesystem::path run_dir_;
  std::unique_ptr<NetnsBackend> backend_;
};

TEST_F(NetnsCluster, ThreeRefdbNodesElectALeader) {
  StartCluster();
  EXPECT_NE(WaitForLeader(), 0u);
  for (int i = 1; i <= kNodes; ++i) {
    EXPECT_TRUE(backend_->IsRunning(i));
    auto path = backend_->NetnsPath(i);
    ASSERT_TRUE(path.ok());
    EXPECT_TRUE(std::filesystem::exists(*path)) << *path;
    EXPECT_TRUE(
        std::filesystem::exists(run_dir_ / "nodes" / ("n" + std::to_string(i)) / "node.log"));
  }
  auto put = ClusterClient()->Put("k", "v");
  EXPECT_TRUE(put.ok()) << put.error.message();
  EXPECT_TRUE(backend_->CollectLogs().ok());
}

TEST_F(NetnsCluster, AKilledNodeRestartsWithItsDataAndRejoins) {
  StartCluster();
  ASSERT_NE(WaitForLeader(), 0u);
  ASSERT_TRUE(ClusterClient()->Put("k", "v").ok());
  const int victim = 2;
  ASSERT_TRUE(WaitFor([&] {
    auto status = StatusOf(victim);
    return status && status->applied_index() >= 2;
  }));
  const uint64_t last_log_index = StatusOf(victim)->last_log_index();

  ASSERT_TRUE(backend_->KillNode(victim).ok());
  EXPECT_FALSE(backend_->IsRunning(victim));
  EXPECT_FALSE(StatusOf(victim).has_value());
  ASSERT_TRUE(backend_->StartNode(victim).ok());
  EXPECT_TRUE(backend_->IsRunning(victim));

  std::optional<refdb::statuspb::StatusResponse> status;
  ASSERT_TRUE(WaitFor([&] { return (status = StatusOf(victim)).has_value(); }));
  EXPECT_GE(status->last_log_index(), last_log_index);  // its log survived the kill
  EXPECT_TRUE(WaitFor([&] {
    status = StatusOf(victim);
    return status && status->leader_id() != 0 && status->applied_index() >= 2;
  }));
}

TEST_F(NetnsCluster, APausedNodeStopsAnsweringUntilResumed) {
  StartCluster();
  ASSERT_NE(WaitForLeader(), 0u);
  EXPECT_FALSE(backend_->IsPaused(1));
  ASSERT_TRUE(backend_->PauseNode(1).ok());
  // Frozen when PauseNode returns (the nemesis probes it right after): no waiting here.
  EXPECT_TRUE(backend_->IsPaused(1));
  EXPECT_TRUE(backend_->IsRunning(1));
  EXPECT_FALSE(StatusOf(1).has_value());
  ASSERT_TRUE(backend_->ResumeNode(1).ok());
  EXPECT_TRUE(WaitFor([&] { return StatusOf(1).has_value(); }));
  EXPECT_FALSE(backend_->IsPaused(1));
}

TEST_F(NetnsCluster, StopEndsTheNodeAndStartRelaunchesIt) {
  StartCluster();
  ASSERT_NE(WaitForLeader(), 0u);
  ASSERT_TRUE(backend_->PauseNode(3).ok());  // a paused node still gets its SIGTERM
  ASSERT_TRUE(backend_->StopNode(3).ok());
  EXPECT_FALSE(backend_->IsRunning(3));
  ASSERT_TRUE(backend_->StartNode(3).ok());
  EXPECT_TRUE(WaitFor([&] { return StatusOf(3).has_value(); }));
}

// A lease candidate's namespace is on the cluster network (a node answers a ping from it), and
// Down removes it with the rest.
TEST_F(NetnsCluster, ACandidateBoxReachesTheNodesAndGoesWithDown) {
  StartCluster();
  auto box = backend_->AddCandidateBox(2);
  ASSERT_TRUE(box.ok()) << box.status().message();
  EXPECT_EQ(box->netns_path, "/var/run/netns/sb-" + run_id_ + "-c2");
  EXPECT_EQ(box->ip.substr(box->ip.rfind('.')), ".222");
  auto ping = common::process::Run({.argv = {"nsenter", "--net=" + box->netns_path, "ping", "-c",
                                             "1", "-W", "2", backend_->NodeIp(1)},
                                    .merge_output = true});
  ASSERT_TRUE(ping.ok()) << ping.status().message();
  EXPECT_TRUE(ping->status.ok()) << ping->out;
  EXPECT_FALSE(backend_->AddCandidateBox(31).ok());
  ASSERT_TRUE(backend_->Down().ok());
  EXPECT_TRUE(ObjectsOf(run_id_).empty());
}

TEST_F(NetnsCluster, DownLeavesNoNamespaceLinkOrProcessAndIsIdempotent) {
  StartCluster();
  ASSERT_NE(WaitForLeader(), 0u);
  std::vector<pid_t> pids;
  for (int i = 1; i <= kNodes; ++i) {
    for (pid_t pid : PidsIn(backend_->NodeNetns(i))) pids.push_back(pid);
  }
  EXPECT_EQ(pids.size(), static_cast<size_t>(kNodes));
  EXPECT_FALSE(ObjectsOf(run_id_).empty());

  ASSERT_TRUE(backend_->Down().ok());
  EXPECT_EQ(ObjectsOf(run_id_), std::vector<std::string>{});
  for (pid_t pid : pids) EXPECT_FALSE(ProcessExists(pid)) << pid;
  EXPECT_TRUE(backend_->Down().ok());
  EXPECT_FALSE(backend_->IsRunning(1));
  EXPECT_EQ(backend_->StartNode(1).code(), common::StatusCode::kUnavailable);
}

TEST_F(NetnsCluster, AFailureHalfWayThroughUpLeavesNothingBehind) {
  // A namespace that already has node 3's name: Up fails after the switch and nodes 1 and 2.
  const std::string clash = "sb-" + run_id_ + "-n3";
  auto made = common::process::RunChecked({"ip", "netns", "add", clash});
  ASSERT_TRUE(made.ok()) << made.status().message();
  common::Status up = backend_->Up(Options());
  EXPECT_FALSE(up.ok());
  EXPECT_NE(up.message().find(clash), std::string::npos) << up.message();
  const std::vector<std::string> left = ObjectsOf(run_id_);
  auto removed = common::process::RunChecked({"ip", "netns", "del", clash});
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  ASSERT_EQ(left.size(), 1u) << ::testing::PrintToString(
      left);  // only the clashing namespace, which Up did not make
  EXPECT_NE(left[0].find(clash), std::string::npos) << left[0];
  EXPECT_EQ(backend_->StartNode(1).code(), common::StatusCode::kUnavailable);
}

TEST_F(NetnsCluster, BadOptionsAreRejectedBeforeAnythingIsMade) {
  BackendOptions options = Options();
  options.run_id = "XYZ";
  EXPECT_EQ(backend_->Up(options).code(), common::StatusCode::kInvalidArgument);
  options = Options();
  options.nodes = 0;
  EXPECT_EQ(backend_->Up(options).code(), common::StatusCode::kInvalidArgument);
  options = Options();
  options.binaries = {run_dir_ / "no-such-binary"};
  EXPECT_EQ(backend_->Up(options).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->CreateNode(1, {"x"}).code(), common::StatusCode::kUnavailable);
  EXPECT_EQ(ObjectsOf(run_id_), std::vector<std::string>{});
}

TEST_F(NetnsCluster, ANodeThatCannotStartIsAnErrorNotACrash) {
  ASSERT_TRUE(backend_->Up(Options()).ok());
  const std::string missing = (run_dir_ / "no-such-program").string();
  ASSERT_TRUE(backend_->CreateNode(1, {missing, "--id", "1"}).ok());
  common::Status started = backend_->StartNode(1);
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find(missing), std::string::npos) << started.message();
  EXPECT_FALSE(backend_->IsRunning(1));
  EXPECT_EQ(backend_->StartNode(2).code(), common::StatusCode::kInvalidArgument);  // not created
  EXPECT_EQ(backend_->KillNode(kNodes + 1).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->PauseNode(1).code(), common::StatusCode::kUnavailable);  // nothing runs
  EXPECT_TRUE(backend_->KillNode(1).ok());  // killing what is not running is a no-op
}

// What a SIGKILLed orchestrator leaves: the backend is never destroyed (kept reachable here so
// leak checkers stay quiet) and its nodes keep running.
std::vector<std::unique_ptr<NetnsBackend>>& Leaked() {
  static auto* leaked = new std::vector<std::unique_ptr<NetnsBackend>>();
  return *leaked;
}

TEST_F(NetnsCluster, CleanupRemovesALeakedRun) {
  StartCluster();
  ASSERT_NE(WaitForLeader(), 0u);
  std::vector<pid_t> pids;
  for (int i = 1; i <= kNodes; ++i) {
    for (pid_t pid : PidsIn(backend_->NodeNetns(i))) pids.push_back(pid);
  }
  ASSERT_EQ(pids.size(), static_cast<size_t>(kNodes));
  const std::string switch_netns = backend_->SwitchNetns();
  Leaked().push_back(std::move(backend_));

  int asked = 0;  // how often the filter was asked about this run
  auto none = CleanupNetns([&](const std::string& id) {
    asked += id == run_id_ ? 1 : 0;
    return false;
  });
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(ObjectsOf(run_id_).size(), static_cast<size_t>(kNodes + 2));  // all still there

  auto removed = CleanupNetns([&](const std::string& id) { return id == run_id_; });
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  auto has = [&](const std::string& line) {
    return std::find(removed->begin(), removed->end(), line) != removed->end();
  };
  EXPECT_TRUE(has("netns " + switch_netns));
  EXPECT_TRUE(has("netns sb-" + run_id_ + "-n1"));
  EXPECT_TRUE(has("link sb" + run_id_ + "h"));
  EXPECT_EQ(removed->size(), static_cast<size_t>(2 * kNodes + 2));  // processes, netns, link
  EXPECT_EQ(ObjectsOf(run_id_), std::vector<std::string>{});
  for (pid_t pid : pids) {  // our children: reap them to see they died
    EXPECT_TRUE(WaitFor([pid] { return ::waitpid(pid, nullptr, WNOHANG) == pid; })) << pid;
  }
}

}  // namespace
}  // namespace orchestrator

// The nemesis on a real cluster: three refdb processes on the netns backend, faults applied
// through NemesisAdapter with real iptables rules inside the node namespaces. Every test skips
// itself without root or `ip`.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "common/testing/prerequisite.h"
#include "nemesis/command_runner.h"
#include "nemesis/nemesis.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run/nemesis_adapter.h"
#include "orchestrator/run/node_clock.h"
#include "refdb/client/client.h"

namespace orchestrator {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kNodes = 3;
constexpr auto kWaitLimit = std::chrono::seconds(20);

std::string RandomRunId() {
  std::random_device device;
  char text[9];
  std::snprintf(text, sizeof(text), "%08x", static_cast<unsigned>(device()));
  return text;
}

// Polls `done` every 50 ms until it holds or kWaitLimit passes.
template <typename Predicate>
bool WaitFor(Predicate done) {
  const auto deadline = steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

class NemesisCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and `ip`");
    std::string pattern = (std::filesystem::temp_directory_path() / "nemesis_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    run_dir_ = pattern;
    auto backend = MakeNetnsBackend();
    ASSERT_TRUE(backend.ok()) << backend.status().message();
    backend_ = std::move(backend).value();
    StartCluster();
    adapter_ = std::make_unique<NemesisAdapter>(*backend_, kNodes, [this] { return Leader(); });
    adapter_->set_probe_port(7000);  // refdb's port: the cut probes connect to it
    nemesis_ = std::make_unique<nemesis::Nemesis>(
        *adapter_, runner_,
        nemesis::NemesisOptions{
            .seed = 1, .record = [this](const std::string& f, nlohmann::json value) {
              std::string event = f + " " + value["phase"].get<std::string>();
              // A verified event says whether the real probes saw the fault.
              if (value.contains("ok")) {
                event += value["ok"].get<bool>()
                             ? " ok"
                             : " NOT ok: " + value.value("reason", std::string());
              }
              events_.push_back(event);
            }});
    adapter_->set_after_start([this](int node) { return nemesis_->net_rules().Reapply(node); });
    if (has_clock_) adapter_->enable_clock(RunDir(run_dir_));
  }

  void TearDown() override {
    nemesis_.reset();  // heals before the cluster goes
    adapter_.reset();
    if (backend_) {
      common::Status down = backend_->Down();
      EXPECT_TRUE(down.ok()) << down.message();
    }
    std::error_code ec;
    if (!run_dir_.empty()) std::filesystem::remove_all(run_dir_, ec);
  }

  std::string Endpoint(int node) const { return backend_->NodeIp(node) + ":7000"; }

  void StartCluster() {
    // Under libfaketime where the machine has it, so the clock fault can move node clocks.
    auto libfaketime = FindLibfaketime();
    common::Status up = backend_->Up({.run_id = RandomRunId(),
                                      .nodes = kNodes,
                                      .run_dir = RunDir(run_dir_),
                                      .binaries = {REFDB_BINARY}});
    ASSERT_TRUE(up.ok()) << up.message();
    std::string peers;
    for (int i = 1; i <= kNodes; ++i) {
      peers += (i > 1 ? "," : "") + std::to_string(i) + "=" + Endpoint(i);
    }
    for (int i = 1; i <= kNodes; ++i) {
      std::vector<std::string> env;
      if (libfaketime.ok()) {
        ASSERT_TRUE(
            WriteClockOffset(run_dir_ / "nodes" / ("n" + std::to_string(i)) / "ctl", 0).ok());
        env = ClockEnvironment(*libfaketime, backend_->NodeCtlDir(i));
        has_clock_ = true;
      }
      ASSERT_TRUE(
          backend_
              ->CreateNode(i,
                           {REFDB_BINARY, "--id", std::to_string(i), "--listen", Endpoint(i),
                            "--peers", peers, "--data", backend_->NodeDataDir(i)},
                           env)
              .ok());
      ASSERT_TRUE(backend_->StartNode(i).ok());
    }
  }

  // A fresh client each time, so no channel sits in gRPC's reconnect backoff.
  std::optional<refdb::statuspb::StatusResponse> StatusOf(int node) {
    auto client = refdb::client::Client::Create(
        {.endpoints = {Endpoint(node)}, .call_deadline = milliseconds(300), .max_attempts = 1});
    if (!client.ok()) return std::nullopt;
    auto status = (*client)->Status(Endpoint(node));
    if (!status.ok()) return std::nullopt;
    return status.value;
  }

  // The leader a majority of nodes name, and the highest term seen.
  LeaderTerm Leader() {
    std::map<uint64_t, int> votes;
    LeaderTerm seen;
    for (int i = 1; i <= kNodes; ++i) {
      auto status = StatusOf(i);
      if (!status) continue;
      if (status->leader_id() != 0) ++votes[status->leader_id()];
      seen.term = std::max<uint64_t>(seen.term, status->term());
    }
    for (const auto& [id, count] : votes) {
      if (count > kNodes / 2) seen.leader = static_cast<int>(id);
    }
    return seen;
  }

  int WaitForLeader() {
    int leader = 0;
    WaitFor([&] { return (leader = Leader().leader) != 0; });
    return leader;
  }

  std::string IptablesRules(int node) {
    auto path = backend_->NetnsPath(node);
    EXPECT_TRUE(path.ok());
    auto rules = nemesis::RunChecked(runner_, {"nsenter", "--net=" + *path, "iptables", "-S"});
    EXPECT_TRUE(rules.ok()) << rules.status().message();
    return rules.ok() ? *rules : "";
  }

  std::filesystem::path run_dir_;
  std::unique_ptr<Backend> backend_;
  nemesis::SpawnRunner runner_;
  std::unique_ptr<NemesisAdapter> adapter_;
  std::unique_ptr<nemesis::Nemesis> nemesis_;
  std::vector<std::string> events_;
  bool has_clock_ = false;  // the nodes run under libfaketime
};

// Node `node`'s wall clock minus ours, in seconds, from its status answer; nullopt when it does
// not answer.
std::optional<double> ClockOffsetOf(const std::optional<refdb::statuspb::StatusResponse>& status) {
  if (!status) return std::nullopt;
  const auto ours = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  return static_cast<double>(status->wall_time_ns() - ours) / 1e9;
}

TEST_F(NemesisCluster, ClockFaultMovesOnlyTheTargetsWallClockAndTheClusterKeepsServing) {
  ASSERT_TRUE(has_clock_) << "libfaketime is missing (apt-get install libfaketime; ci/setup.sh "
                             "installs it)";
  ASSERT_NE(WaitForLeader(), 0);
  auto id = nemesis_->Start({.kind = nemesis::FaultKind::kClock, .nodes = {2}, .offset_s = 120});
  ASSERT_TRUE(id.ok()) << id.status().message();
  // libfaketime re-reads the offset within a second.
  EXPECT_TRUE(WaitFor([&] {
    auto offset = ClockOffsetOf(StatusOf(2));
    return offset && *offset > 115 && *offset < 125;
  }));
  auto other = ClockOffsetOf(StatusOf(1));
  ASSERT_TRUE(other.has_value());
  EXPECT_LT(std::abs(*other), 5);
  auto client = refdb::client::Client::Create(
      {.endpoints = {Endpoint(1), Endpoint(2), Endpoint(3)}, .call_deadline = milliseconds(1000)});
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(WaitFor([&] { return (*client)->Put("clock", "skewed").ok(); }));
  ASSERT_TRUE(nemesis_->End(*id).ok());
  EXPECT_TRUE(WaitFor([&] {
    auto offset = ClockOffsetOf(StatusOf(2));
    return offset && std::abs(*offset) < 5;
  }));
  // A clock step has no probe here: the status samples show it (checker/fault_check.h).
  EXPECT_EQ(events_, (std::vector<std::string>{"clock start", "clock applied", "clock healing",
                                               "clock end"}));
}

TEST_F(NemesisCluster, IsolatingTheLeaderElectsAnotherAndHealingReconnects) {
  const int old_leader = WaitForLeader();
  ASSERT_NE(old_leader, 0);
  auto id = nemesis_->Start({.kind = nemesis::FaultKind::kPartitionLeader});
  ASSERT_TRUE(id.ok()) << id.status().message();
  // The two others agree on a new leader among themselves.
  EXPECT_TRUE(WaitFor([&] {
    std::map<uint64_t, int> votes;
    for (int i = 1; i <= kNodes; ++i) {
      auto status = StatusOf(i);
      if (i != old_leader && status && status->leader_id() != 0 &&
          status->leader_id() != static_cast<uint64_t>(old_leader)) {
        ++votes[status->leader_id()];
      }
    }
    return !votes.empty() && votes.begin()->second == kNodes - 1;
  }));
  ASSERT_TRUE(nemesis_->End(*id).ok());
  EXPECT_EQ(IptablesRules(old_leader).find("-A SPLITBRAIN"), std::string::npos);
  // Healed: every node, the old leader included, follows the same leader again.
  EXPECT_TRUE(WaitFor([&] {
    std::map<uint64_t, int> votes;
    for (int i = 1; i <= kNodes; ++i) {
      auto status = StatusOf(i);
      if (status && status->leader_id() != 0) ++votes[status->leader_id()];
    }
    return votes.size() == 1 && votes.begin()->second == kNodes;
  }));
  // The real probes: the leader's links do not connect, the two others' link does.
  EXPECT_EQ(events_,
            (std::vector<std::string>{"partition-leader start", "partition-leader applied",
                                      "partition-leader verified ok", "partition-leader healing",
                                      "partition-leader end"}));
}

TEST_F(NemesisCluster, PauseAndKillThroughTheNemesisAndBack) {
  ASSERT_NE(WaitForLeader(), 0);
  auto pause = nemesis_->Start({.kind = nemesis::FaultKind::kPause, .nodes = {2}});
  ASSERT_TRUE(pause.ok()) << pause.status().message();
  EXPECT_FALSE(StatusOf(2).has_value());
  ASSERT_TRUE(nemesis_->End(*pause).ok());
  EXPECT_TRUE(WaitFor([&] { return StatusOf(2).has_value(); }));

  auto kill = nemesis_->Start({.kind = nemesis::FaultKind::kKill, .nodes = {3}});
  ASSERT_TRUE(kill.ok()) << kill.status().message();
  EXPECT_FALSE(backend_->IsRunning(3));
  EXPECT_FALSE(StatusOf(3).has_value());
  ASSERT_TRUE(nemesis_->End(*kill).ok());
  EXPECT_TRUE(backend_->IsRunning(3));
  EXPECT_TRUE(WaitFor([&] {
    auto status = StatusOf(3);
    return status && status->leader_id() != 0;
  }));
}

TEST_F(NemesisCluster, TotalLossBetweenNodesSparesTheHostAndHeals) {
  ASSERT_NE(WaitForLeader(), 0);
  auto loss = nemesis_->Start(
      {.kind = nemesis::FaultKind::kLoss, .target = nemesis::Target::kAll, .probability = 1});
  ASSERT_TRUE(loss.ok()) << loss.status().message();
  const std::string rules = IptablesRules(1);
  EXPECT_NE(rules.find("-A SPLITBRAIN -s " + backend_->NodeIp(2) +
                       "/32 -m statistic --mode random --probability 1"),
            std::string::npos)
      << rules;
  // Nodes cannot hear each other, yet this process (the host) still reaches every node.
  for (int i = 1; i <= kNodes; ++i) EXPECT_TRUE(StatusOf(i).has_value()) << "node " << i;
  ASSERT_TRUE(nemesis_->End(*loss).ok());
  for (int i = 1; i <= kNodes; ++i) {
    EXPECT_EQ(IptablesRules(i).find("-A SPLITBRAIN"), std::string::npos) << "node " << i;
  }
  EXPECT_NE(WaitForLeader(), 0);
}

TEST_F(NemesisCluster, HealAllLeavesNoSplitbrainRuleAnywhere) {
  ASSERT_NE(WaitForLeader(), 0);
  ASSERT_TRUE(nemesis_->Start({.kind = nemesis::FaultKind::kPartitionHalves}).ok());
  ASSERT_TRUE(nemesis_->Start({.kind = nemesis::FaultKind::kLink, .nodes = {1, 2}}).ok());
  ASSERT_TRUE(nemesis_->Start({.kind = nemesis::FaultKind::kKill, .nodes = {3}}).ok());
  EXPECT_NE(IptablesRules(1).find("SPLITBRAIN"), std::string::npos);
  ASSERT_TRUE(nemesis_->HealAll().ok());
  for (int i = 1; i <= kNodes; ++i) {
    EXPECT_EQ(IptablesRules(i).find("SPLITBRAIN"), std::string::npos) << "node " << i;
  }
  EXPECT_TRUE(backend_->IsRunning(3));
  EXPECT_NE(WaitForLeader(), 0);
}

}  // namespace
}  // namespace orchestrator

// Simulation: the state of one simulated run (simulator.h is the public entry point).
// simulation.cc holds the tick loop, the checks and the phases; faults.cc the fault and client
// schedule (weighted random choices conditioned on the cluster's state: restart only what is
// down, crash only what is up). Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"
#include "refdb/sim/clients.h"
#include "refdb/sim/safety_checker.h"
#include "refdb/sim/sim_network.h"
#include "refdb/sim/sim_server.h"
#include "refdb/sim/simulator.h"
#include "refdb/sim/swarm.h"

namespace refdb::sim {

class Simulation final : public ServerListener {
 public:
  explicit Simulation(const SimOptions& options);
  SimResult Run();

  // ServerListener.
  void OnPersisted(NodeId id, const raft::LogStore& store,
                   const std::vector<raft::Entry>& entries) override;
  void OnApplied(NodeId id, const raft::Entry& entry, const server::KvStateMachine& state) override;
  void OnCoreError(NodeId id, const common::Status& status) override;

 private:
  // simulation.cc
  void StartCluster();
  void RunTick(bool is_safety_phase);
  void Deliver(const raft::Message& m);
  // Runs one iteration of node `id`'s driver with `inputs`, then the safety checks.
  void StepNode(NodeId id, std::deque<server::Input> inputs);
  void Fail(const std::string& what);
  void Trace(const std::string& line);
  bool tracing() const { return options_.trace; }
  SimServer& server(NodeId id) { return *servers_[id - 1]; }
  NodeId Leader() const;  // the live leader of the highest term, kNoNode if none
  std::vector<NodeId> LiveNodes() const;
  void RunLiveness();
  std::optional<std::string> Unconverged() const;
  void CheckHistory();

  // faults.cc
  void InjectFaults();
  void ChangePartition();
  void MaybeStrikeNewLeader();
  void MaybeStrikeCommittingLeader();
  void Isolate(NodeId id, const std::string& why);
  void CrashSomeNode();
  void Crash(NodeId id);
  void OnCrashed(NodeId id);
  void Restart(NodeId id);
  void TransferLeadership();
  void StartClientOps();
  void StartClientOp(size_t client);
  void RetryClientOp(size_t client);
  NodeId PickClientNode();  // the believed leader, or any live node
  void Submit(NodeId node, const ClientOp& op);
  NodeId PickNode(const std::vector<NodeId>& nodes);

  SimOptions options_;
  common::Rng rng_;
  Swarm swarm_;
  std::vector<std::unique_ptr<SimServer>> servers_;  // servers_[id - 1]
  SimNetwork network_;
  SafetyChecker safety_;
  Clients clients_;
  std::set<NodeId> down_;
  std::vector<raft::Message> outbox_;
  std::vector<uint64_t> last_applied_;  // [id - 1]: the index node id applied last
  uint64_t now_ = 0;
  uint64_t leader_term_seen_ = 0;  // the highest term whose leader the schedule has seen
  uint64_t strike_tick_ = 0;       // when to isolate or crash strike_target_, 0: never
  NodeId strike_target_ = raft::kNoNode;
  NodeId commit_leader_ = raft::kNoNode;  // the leader whose commit index the schedule watches
  uint64_t commit_seen_ = 0;
  SimResult result_;
};

}  // namespace refdb::sim

// The fault and client schedule of a Simulation: weighted random choices conditioned on the
// cluster's state, every one drawn from the run's Rng.
#include <utility>

#include "refdb/sim/simulation.h"

namespace refdb::sim {

NodeId Simulation::PickNode(const std::vector<NodeId>& nodes) {
  return nodes[rng_.Uniform(nodes.size())];
}

void Simulation::InjectFaults() {
  MaybeStrikeNewLeader();
  MaybeStrikeCommittingLeader();
  if (result_.violation) return;
  if (rng_.Chance(swarm_.partition_per_mille, 1000)) ChangePartition();
  if (!network_.cuts().empty() && rng_.Chance(swarm_.heal_per_mille, 1000)) {
    ++result_.events;
    network_.set_cuts({});
    if (tracing()) Trace("heal");
  }
  if (rng_.Chance(swarm_.crash_per_mille, 1000)) CrashSomeNode();
  if (!down_.empty() && rng_.Chance(swarm_.restart_per_mille, 1000)) {
    const std::vector<NodeId> down(down_.begin(), down_.end());
    Restart(PickNode(down));
  }
  if (!result_.violation && rng_.Chance(swarm_.transfer_per_mille, 1000)) TransferLeadership();
}

void Simulation::ChangePartition() {
  ++result_.events;
  const size_t n = swarm_.nodes;
  const uint64_t roll = rng_.Uniform(100);
  LinkCuts cuts;
  std::string shape;
  if (roll < 35) {
    cuts = PartitionHalves(n, rng_);
    shape = "halves";
  } else if (roll < 60) {
    const NodeId leader = Leader();
    cuts = PartitionIsolate(n, leader != raft::kNoNode ? leader : rng_.Range(1, n));
    shape = "isolate-leader";
  } else if (roll < 80) {
    cuts = PartitionIsolate(n, rng_.Range(1, n));
    shape = "isolate-one";
  } else {
    cuts = PartitionMajoritiesRing(n, rng_);
    shape = "majorities-ring";
  }
  network_.set_cuts(cuts);
  if (tracing()) Trace("partition " + shape + ": cut " + cuts.Describe());
}

// A leader struck within a few ticks of its election leaves entries of its term on few nodes:
// the raw material of Figure 8 and of lost-commit bugs.
void Simulation::MaybeStrikeNewLeader() {
  const NodeId leader = Leader();
  if (leader != raft::kNoNode && shell(leader).node().term() > leader_term_seen_) {
    leader_term_seen_ = shell(leader).node().term();
    if (rng_.Chance(swarm_.strike_leader_percent, 100)) {
      strike_tick_ = now_ + rng_.Uniform(swarm_.strike_delay_ticks_max);
      strike_target_ = leader;
    }
  }
  if (strike_tick_ != now_ || down_.count(strike_target_)) return;
  strike_tick_ = 0;
  if (!rng_.Chance(swarm_.strike_isolate_percent, 100)) {
    Crash(strike_target_);
    return;
  }
  Isolate(strike_target_, "isolate-new-leader");
}

// A leader isolated in the tick its commit index advanced loses the AppendEntries it just sent:
// followers hold its log only up to what it counted as committed (Figure 8's window).
void Simulation::MaybeStrikeCommittingLeader() {
  const NodeId leader = Leader();
  if (leader == raft::kNoNode) return;
  const uint64_t commit = shell(leader).node().commit_index();
  const bool advanced = leader == commit_leader_ && commit > commit_seen_;
  commit_leader_ = leader;
  commit_seen_ = commit;
  if (advanced && rng_.Chance(swarm_.strike_commit_percent, 100)) {
    Isolate(leader, "isolate-committing-leader");
  }
}

void Simulation::Isolate(NodeId id, const std::string& why) {
  ++result_.events;
  network_.set_cuts(PartitionIsolate(swarm_.nodes, id));
  if (tracing()) Trace("partition " + why + ": node " + std::to_string(id));
}

void Simulation::CrashSomeNode() {
  const std::vector<NodeId> live = LiveNodes();
  if (live.size() <= 1) return;
  const NodeId leader = Leader();
  const NodeId victim = leader != raft::kNoNode && rng_.Chance(1, 3) ? leader : PickNode(live);
  if (rng_.Chance(swarm_.crash_in_ready_percent, 100)) {
    shell(victim).CrashDuringNextReady();
    if (tracing()) Trace("node " + std::to_string(victim) + " will crash between persist and send");
    return;
  }
  Crash(victim);
}

void Simulation::Crash(NodeId id) {
  ++result_.events;
  shell(id).Crash();
  OnCrashed(id);
}

void Simulation::OnCrashed(NodeId id) {
  if (tracing()) Trace("crash node " + std::to_string(id));
  down_.insert(id);
  const size_t before = clients_.history().events.size();
  clients_.OnCrash(id, now_);
  if (tracing() && clients_.history().events.size() != before) Trace("clients of the node: info");
}

void Simulation::Restart(NodeId id) {
  ++result_.events;
  if (tracing()) Trace("restart node " + std::to_string(id));
  const common::Status status = shell(id).Start(rng_.Next());
  if (!status.ok()) {
    Fail("restart: " + status.message());
    return;
  }
  down_.erase(id);
  safety_.OnRestart(id, shell(id).node().commit_index());
  AfterStep(id, common::Status::Ok());
}

void Simulation::TransferLeadership() {
  const NodeId leader = Leader();
  if (leader == raft::kNoNode) return;
  ++result_.events;
  const NodeId target = static_cast<NodeId>(rng_.Range(1, static_cast<int64_t>(swarm_.nodes)));
  if (tracing())
    Trace("transfer leadership " + std::to_string(leader) + " -> " + std::to_string(target));
  const common::Status status = shell(leader).node().TransferLeadership(target);
  AfterStep(leader, status);
}

void Simulation::StartClientOps() {
  for (size_t c = 0; c < clients_.count() && !result_.violation; ++c) {
    if (clients_.is_idle(c) && rng_.Chance(swarm_.client_percent, 100)) StartClientOp(c);
  }
}

// Writes go to the node the client believes leads (usually the current leader); reads to the
// leader or any live node (a follower forwards a ReadIndex to its leader).
void Simulation::StartClientOp(size_t client) {
  const std::vector<NodeId> live = LiveNodes();
  if (live.empty()) return;
  const NodeId leader = Leader();
  const bool hinted = leader != raft::kNoNode && rng_.Chance(swarm_.leader_hint_percent, 100);
  const NodeId node = hinted ? leader : PickNode(live);
  ++result_.events;
  const ClientOp op = clients_.Start(client, node, now_, rng_);
  if (tracing()) Trace(clients_.DescribeLast() + " at node " + std::to_string(node));
  raft::Node& target = shell(node).node();
  const common::Status status =
      op.is_read ? target.ReadIndex(op.read_context) : target.Propose(EncodeCommand(op.command));
  if (status.ok() && !op.is_read) {
    clients_.Proposed(client, target.last_index(), target.term());
  } else if (!status.ok() && status.code() != common::StatusCode::kInternal) {
    clients_.Refused(client, now_);
    if (tracing()) Trace(clients_.DescribeLast() + ": " + status.message());
  }
  AfterStep(node, status);
}

}  // namespace refdb::sim

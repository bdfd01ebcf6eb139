// The fault and client schedule of a Simulation: weighted random choices conditioned on the
// cluster's state, every one drawn from the run's Rng.
#include <memory>
#include <optional>
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
    cuts = PartitionIsolate(
        n, leader != raft::kNoNode ? leader : rng_.Range(1, static_cast<int64_t>(n)));
    shape = "isolate-leader";
  } else if (roll < 80) {
    cuts = PartitionIsolate(n, rng_.Range(1, static_cast<int64_t>(n)));
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
  if (leader != raft::kNoNode && server(leader).node().term() > leader_term_seen_) {
    leader_term_seen_ = server(leader).node().term();
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
  const uint64_t commit = server(leader).node().commit_index();
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
    server(victim).CrashDuringNextReady();
    if (tracing()) Trace("node " + std::to_string(victim) + " will crash between persist and send");
    return;
  }
  Crash(victim);
}

// The disk loses what was not fsynced; sometimes the last unsynced write is torn first.
void Simulation::Crash(NodeId id) {
  ++result_.events;
  std::optional<size_t> tear;
  if (rng_.Chance(swarm_.tear_percent, 100)) tear = rng_.Uniform(64);
  if (tracing() && tear) Trace("node " + std::to_string(id) + " tears its last write");
  server(id).Crash(tear);
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
  const common::Status status = server(id).Start(rng_.Next());
  if (!status.ok()) {
    Fail("restart: " + status.message());
    return;
  }
  down_.erase(id);
  safety_.OnRestart(id, server(id).node().commit_index());
  StepNode(id, {});
}

void Simulation::TransferLeadership() {
  const NodeId leader = Leader();
  if (leader == raft::kNoNode) return;
  ++result_.events;
  const auto target = static_cast<NodeId>(rng_.Range(1, static_cast<int64_t>(swarm_.nodes)));
  if (tracing())
    Trace("transfer leadership " + std::to_string(leader) + " -> " + std::to_string(target));
  std::deque<server::Input> inputs;
  inputs.emplace_back(server::PeerInput{
      {.type = raft::MsgType::kTransferLeader, .from = leader, .transferee = target}});
  StepNode(leader, std::move(inputs));
}

void Simulation::StartClientOps() {
  for (size_t c = 0; c < clients_.count() && !result_.violation; ++c) {
    if (clients_.wants_retry(c)) {
      RetryClientOp(c);
    } else if (clients_.is_idle(c) && rng_.Chance(swarm_.client_percent, 100)) {
      StartClientOp(c);
    }
  }
}

// Writes go to the node the client believes leads (usually the current leader); reads to the
// leader or any live node (a follower forwards a ReadIndex to its leader).
NodeId Simulation::PickClientNode() {
  const std::vector<NodeId> live = LiveNodes();
  if (live.empty()) return raft::kNoNode;
  const NodeId leader = Leader();
  const bool hinted = leader != raft::kNoNode && rng_.Chance(swarm_.leader_hint_percent, 100);
  return hinted ? leader : PickNode(live);
}

void Simulation::StartClientOp(size_t client) {
  const NodeId node = PickClientNode();
  if (node == raft::kNoNode) return;
  ++result_.events;
  const ClientOp op = clients_.Start(client, node, now_, rng_);
  if (tracing()) Trace(clients_.DescribeLast() + " at node " + std::to_string(node));
  Submit(node, op);
}

// The same write (same WriteId) again, after an attempt whose outcome is unknown.
void Simulation::RetryClientOp(size_t client) {
  const NodeId node = PickClientNode();
  if (node == raft::kNoNode) return;
  ++result_.events;
  const ClientOp op = clients_.Retry(client, node, now_);
  if (tracing()) {
    Trace("c" + std::to_string(client) + " retries op " + std::to_string(op.op_id) + " (attempt " +
          std::to_string(op.attempt) + ") at node " + std::to_string(node));
  }
  Submit(node, op);
}

// The server's own input path: a WriteInput or ReadInput whose Reply calls back into the
// Clients (on this thread, inside the node's Step).
void Simulation::Submit(NodeId node, const ClientOp& op) {
  std::deque<server::Input> inputs;
  if (op.is_read) {
    auto reply = std::make_shared<server::Reply<server::ReadReply>>(
        [this, op](std::optional<server::ReadReply> r) {
          if (!r) return;
          const size_t before = clients_.history().events.size();
          clients_.OnReadReply(op, *r, now_);
          if (tracing() && clients_.history().events.size() != before) {
            Trace(clients_.DescribeLast());
          }
        });
    inputs.emplace_back(server::ReadInput{.key = op.key, .reply = std::move(reply)});
  } else {
    auto reply = std::make_shared<server::Reply<server::WriteReply>>(
        [this, op, node](std::optional<server::WriteReply> r) {
          if (!r) return;
          const size_t before = clients_.history().events.size();
          clients_.OnWriteReply(op, *r, last_applied_[node - 1], now_);
          if (tracing() && clients_.history().events.size() != before) {
            Trace(clients_.DescribeLast() + (r->message.empty() ? "" : ": " + r->message));
          }
        });
    inputs.emplace_back(server::WriteInput{.command = op.command, .reply = std::move(reply)});
  }
  StepNode(node, std::move(inputs));
}

}  // namespace refdb::sim

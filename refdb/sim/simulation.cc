#include "refdb/sim/simulation.h"

#include <utility>

#include "checker/linearizability.h"
#include "common/check.h"

namespace refdb::sim {

Simulation::Simulation(const SimOptions& options)
    : options_(options),
      rng_(options.seed),
      swarm_(DrawSwarm(rng_, options.nodes, options.bug)),
      safety_(swarm_.nodes),
      clients_(swarm_.clients) {
  result_.seed = options.seed;
  result_.nodes = swarm_.nodes;
}

SimResult Simulation::Run() {
  if (tracing()) {
    Trace("seed " + std::to_string(options_.seed) + " bug " + std::string(BugName(options_.bug)) +
          " " + swarm_.Describe());
  }
  StartCluster();
  network_.set_faults(swarm_.message_faults);
  for (now_ = 1; now_ <= options_.safety_ticks && !result_.violation; ++now_) RunTick(true);
  if (!result_.violation) RunLiveness();
  if (!result_.violation) CheckHistory();
  result_.ticks = now_;
  result_.operations = (clients_.history().events.size() + clients_.pending_count()) / 2;
  result_.leaders = safety_.leaders_elected();
  return std::move(result_);
}

void Simulation::StartCluster() {
  last_applied_.assign(swarm_.nodes, 0);
  for (NodeId id = 1; id <= swarm_.nodes; ++id) {
    server::ServerOptions o{.id = id,
                            .listen_address = "sim:" + std::to_string(id),
                            .data_dir = "/data",
                            .election_ticks = swarm_.election_timeout_ticks,
                            .heartbeat_ticks = swarm_.heartbeat_timeout_ticks,
                            .snapshot_threshold_entries = swarm_.compact_threshold != 0
                                                              ? swarm_.compact_threshold
                                                              : UINT64_MAX / 2,
                            .max_entries_per_append = swarm_.max_entries_per_append};
    for (NodeId peer = 1; peer <= swarm_.nodes; ++peer) {
      if (peer != id) o.peers[peer] = "sim:" + std::to_string(peer);
    }
    EnableBug(options_.bug, o);
    servers_.push_back(std::make_unique<SimServer>(o, *this));
  }
  for (NodeId id = 1; id <= swarm_.nodes; ++id) {
    const common::Status status = server(id).Start(rng_.Next());
    CHECK(status.ok()) << status.message();
  }
}

void Simulation::RunTick(bool is_safety_phase) {
  for (const raft::Message& m : network_.TakeDue(now_)) {
    if (result_.violation) return;
    if (!down_.count(m.to)) Deliver(m);
  }
  for (NodeId id = 1; id <= swarm_.nodes && !result_.violation; ++id) {
    if (down_.count(id)) continue;
    ++result_.events;
    StepNode(id, {});  // the driver's tick is due: virtual time advanced one tick
  }
  if (result_.violation) return;
  const size_t before = clients_.history().events.size();
  clients_.ExpireDeadlines(now_);
  if (tracing() && clients_.history().events.size() != before) Trace("client deadline: info");
  if (!is_safety_phase) return;
  StartClientOps();
  if (!result_.violation) InjectFaults();
}

void Simulation::Deliver(const raft::Message& m) {
  ++result_.events;
  if (tracing()) Trace(raft::Describe(m));
  std::deque<server::Input> inputs;
  inputs.emplace_back(server::PeerInput{m});
  StepNode(m.to, std::move(inputs));
}

// One driver iteration, what it sent onto the network, then the cluster-wide safety checks.
void Simulation::StepNode(NodeId id, std::deque<server::Input> inputs) {
  SimServer& s = server(id);
  const bool is_up = s.Step(std::move(inputs), now_, outbox_);
  for (raft::Message& m : outbox_) network_.Send(std::move(m), now_, rng_);
  outbox_.clear();
  if (!is_up) {
    OnCrashed(id);
    return;
  }
  if (result_.violation) return;
  if (Violation v = safety_.AfterStep(s.node())) Fail(*v);
}

void Simulation::Fail(const std::string& what) {
  if (result_.violation) return;
  result_.violation = what + " (tick " + std::to_string(now_) + ")";
  if (tracing()) Trace("VIOLATION " + what);
}

void Simulation::Trace(const std::string& line) {
  result_.trace += "t" + std::to_string(now_) + " " + line + "\n";
}

void Simulation::OnPersisted(NodeId id, const raft::LogStore& store,
                             const std::vector<raft::Entry>& entries) {
  if (Violation v = safety_.OnPersisted(id, store, entries)) Fail(*v);
}

void Simulation::OnApplied(NodeId id, const raft::Entry& entry,
                           const server::KvStateMachine& state) {
  last_applied_[id - 1] = entry.index;
  if (Violation v = safety_.OnApplied(id, entry, {state.digest(), state.revision()})) Fail(*v);
}

void Simulation::OnCoreError(NodeId /*id*/, const common::Status& status) {
  Fail("the core reported: " + status.message());
}

NodeId Simulation::Leader() const {
  NodeId leader = raft::kNoNode;
  uint64_t term = 0;
  for (const std::unique_ptr<SimServer>& s : servers_) {
    if (s->is_up() && s->node().is_leader() && s->node().term() > term) {
      leader = s->node().id();
      term = s->node().term();
    }
  }
  return leader;
}

std::vector<NodeId> Simulation::LiveNodes() const {
  std::vector<NodeId> live;
  for (NodeId id = 1; id <= swarm_.nodes; ++id) {
    if (!down_.count(id)) live.push_back(id);
  }
  return live;
}

void Simulation::RunLiveness() {
  if (tracing()) Trace("liveness: heal, stop message faults, restart every crashed node");
  network_.set_cuts({});
  network_.set_faults({});
  const std::set<NodeId> down = down_;
  for (NodeId id : down) {
    if (!result_.violation) Restart(id);
  }
  const uint64_t deadline = now_ + options_.liveness_ticks;
  for (; now_ <= deadline && !result_.violation; ++now_) {
    if (!Unconverged()) return;
    RunTick(false);
  }
  if (result_.violation) return;
  if (std::optional<std::string> why = Unconverged()) {
    Fail("liveness: after " + std::to_string(options_.liveness_ticks) + " healed ticks, " + *why);
  }
}

std::optional<std::string> Simulation::Unconverged() const {
  if (Leader() == raft::kNoNode) return "no leader";
  for (const std::unique_ptr<SimServer>& s : servers_) {
    if (s->is_up() && s->applied_index() < clients_.max_acked_index()) {
      return "node " + std::to_string(s->node().id()) + " applied only up to " +
             std::to_string(s->applied_index()) + " but a write was acknowledged at index " +
             std::to_string(clients_.max_acked_index());
    }
  }
  return std::nullopt;
}

void Simulation::CheckHistory() {
  common::Result<std::vector<checker::Operation>> ops = checker::PairOperations(clients_.history());
  if (!ops.ok()) {
    Fail("history: " + ops.status().message());
    return;
  }
  common::Result<checker::CheckResult> check = checker::CheckLinearizability(
      *ops, {.model = checker::ModelKind::kKv, .time_limit_s = 10, .counterexample = true});
  if (!check.ok()) {
    Fail("linearizability check: " + check.status().message());
    return;
  }
  result_.linearizability = std::string(checker::VerdictName(check->verdict));
  if (check->verdict == checker::Verdict::kUnknown) result_.linearizability += ": " + check->reason;
  if (tracing()) Trace("linearizability: " + result_.linearizability);
  if (check->verdict != checker::Verdict::kInvalid) return;
  std::string what = "linearizability: " + check->reason;
  if (check->counterexample) {
    what += "; cannot place " + check->counterexample->failed_op.description + " (process " +
            std::to_string(check->counterexample->failed_op.process) + ")";
  }
  Fail(what);
}

}  // namespace refdb::sim

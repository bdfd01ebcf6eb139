#include "nemesis/nemesis.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <thread>
#include <utility>

namespace nemesis {
namespace {

enum class Category { kCandidate, kPause, kKill, kClock, kNetwork };

Category CategoryOf(FaultKind kind) {
  if (IsCandidateFault(kind)) return Category::kCandidate;
  if (kind == FaultKind::kPause) return Category::kPause;
  if (kind == FaultKind::kKill) return Category::kKill;
  if (kind == FaultKind::kClock || kind == FaultKind::kClockRate) return Category::kClock;
  return Category::kNetwork;
}

void KeepFirst(common::Status& first, const common::Status& status) {
  if (first.ok() && !status.ok()) first = status;
}

}  // namespace

Nemesis::Nemesis(NodeControl& control, CommandRunner& runner, NemesisOptions options)
    : control_(control),
      rules_(control, runner),
      record_(std::move(options.record)),
      leader_wait_(options.leader_wait),
      candidates_(options.candidates),
      rng_(options.seed) {}

Nemesis::~Nemesis() {
  common::Status healed = HealAll();
  if (!healed.ok()) std::cerr << "nemesis: heal all: " << healed.message() << "\n";
}

common::Result<Plan> Nemesis::PlanNow(const Fault& fault, int& leader, uint64_t& term) {
  const bool on_candidates = IsCandidateFault(fault.kind);
  auto plan = [&]() REQUIRES(mutex_) {
    leader = on_candidates ? candidates_.LeaseHolder() : control_.CurrentLeader();
    term = on_candidates ? 0 : control_.CurrentTerm();
    const int n = on_candidates ? candidates_.candidates() : control_.nodes();
    return PlanFault(fault, n, leader, rng_);
  };
  auto planned = plan();
  // A fault aimed at the leader while none is known (an election under way): wait a little for
  // one. Planning fails before it draws from the Rng, so a retry draws the same numbers.
  const auto deadline = std::chrono::steady_clock::now() + leader_wait_;
  while (!planned.ok() && planned.status().code() == common::StatusCode::kUnavailable &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    planned = plan();
  }
  return planned;
}

common::Result<int> Nemesis::Start(const Fault& fault) {
  common::MutexLock lock(mutex_);
  int leader = 0;
  uint64_t term = 0;
  auto planned = PlanNow(fault, leader, term);
  const int id = next_id_++;
  Active active{.fault = fault, .plan = planned.ok() ? *planned : Plan{.kind = fault.kind}};
  active.queue = id;
  // A network fault's chains are put in place before the start (an empty chain changes no
  // traffic), so that applying it is one iptables-restore per node.
  common::Status ready = planned.status();
  if (ready.ok()) {
    auto rules = RulesFor(active.plan, active.queue);
    if (rules.ok()) {
      active.rules = std::move(*rules);
      std::set<int> nodes;
      for (const Rule& rule : active.rules) nodes.insert(rule.node);
      ready = rules_.Prepare(std::vector<int>(nodes.begin(), nodes.end()));
    } else {
      ready = rules.status();
    }
  }
  // The start is recorded before the fault is applied: a kill through Docker's API takes a
  // few hundred ms to return, and the node is down early in that call, so measuring a
  // failover from after it would understate it. A fault that cannot even be planned is
  // recorded too (a start and an end with the error), so a run sees every fault it planned.
  Record(active, id, "start", {{"leader", leader}, {"term", term}});
  common::Status applied = ready.ok() ? Apply(active) : ready;
  if (!applied.ok()) {
    applied = applied.WithContext(std::string(FaultName(fault.kind)));
    Record(active, id, "end", {{"error", applied.message()}});
    return applied;
  }
  Record(active, id, "applied");
  // A clock step shows in the status samples about a second later, so the checks verify it.
  if (CategoryOf(active.plan.kind) != Category::kClock) {
    Record(active, id, "verified", Verify(active));
  }
  active_.emplace(id, std::move(active));
  return id;
}

common::Status Nemesis::End(int id) {
  common::MutexLock lock(mutex_);
  auto found = active_.find(id);
  if (found == active_.end()) {
    return common::Status::NotFound("fault " + std::to_string(id) + " is not active");
  }
  const Active active = std::move(found->second);
  active_.erase(found);
  Record(active, id, "healing");
  common::Status undone = Undo(active);
  Record(active, id, "end");
  return undone.WithContext("end " + std::string(FaultName(active.plan.kind)));
}

common::Status Nemesis::HealAll() {
  common::MutexLock lock(mutex_);
  common::Status first;
  // Candidates first, then resume paused nodes, restart killed ones, reset clocks, then lift
  // the network faults.
  for (Category category : {Category::kCandidate, Category::kPause, Category::kKill,
                            Category::kClock, Category::kNetwork}) {
    for (auto it = active_.begin(); it != active_.end();) {
      if (CategoryOf(it->second.plan.kind) != category) {
        ++it;
        continue;
      }
      Record(it->second, it->first, "healing");
      KeepFirst(first, Undo(it->second));
      Record(it->second, it->first, "end");
      it = active_.erase(it);
    }
  }
  KeepFirst(first, rules_.HealAll());
  return first.WithContext("heal all");
}

std::vector<int> Nemesis::active_ids() const {
  common::MutexLock lock(mutex_);
  std::vector<int> ids;
  for (const auto& [id, active] : active_) ids.push_back(id);
  return ids;
}

common::Result<std::vector<Rule>> Nemesis::RulesFor(const Plan& plan, int queue) const {
  switch (CategoryOf(plan.kind)) {
    case Category::kNetwork:
      if (IsShaped(plan)) return ShapeRules(plan.cut, queue, control_);
      if (plan.kind == FaultKind::kLoss) return LossRules(plan.targets, plan.probability, control_);
      return CutRules(plan.cut, control_);
    default:
      return std::vector<Rule>{};
  }
}

common::Status Nemesis::Apply(Active& active) {
  switch (active.plan.kind) {
    case FaultKind::kKill:
      return KillAll(active.plan.targets);
    case FaultKind::kPause:
      return PauseAll(active.plan.targets);
    case FaultKind::kClock:
      return ShiftClocks(active.plan.targets, active.plan.offset_s);
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
      return candidates_.Apply(active.plan);
    default: {
      if (IsShaped(active.plan)) return ApplyShaping(active);
      ASSIGN_OR_RETURN(active.rules_id, rules_.Apply(active.rules));
      return common::Status::Ok();
    }
  }
}

nlohmann::json Nemesis::Verify(const Active& active) {
  nlohmann::json probes = nlohmann::json::array();
  std::string reason;
  auto add = [&](std::string_view kind, int node, int peer, bool ok, const std::string& seen) {
    nlohmann::json probe = {{"kind", kind}, {"node", node}, {"ok", ok}};
    if (peer > 0) probe["peer"] = peer;
    if (!ok) {
      probe["seen"] = seen;
      if (reason.empty()) {
        reason = std::string(kind) + " probe of node " + std::to_string(node) +
                 (peer > 0 ? " to node " + std::to_string(peer) : std::string()) + ": " + seen;
      }
    }
    probes.push_back(std::move(probe));
  };
  const Plan& plan = active.plan;
  switch (plan.kind) {
    case FaultKind::kKill:
    case FaultKind::kPause: {
      const bool kill = plan.kind == FaultKind::kKill;
      for (int node : plan.targets) {
        if (!kill && kills_[node] > 0) continue;  // down for a kill: nothing runs to freeze
        auto state = control_.RunState(node);
        const NodeRunState want = kill ? NodeRunState::kStopped : NodeRunState::kPaused;
        const bool ok = state.ok() && *state == want;
        std::string seen = !state.ok()                        ? state.status().message()
                           : *state == NodeRunState::kRunning ? "still running"
                           : *state == NodeRunState::kPaused  ? "paused, not stopped"
                                                              : "stopped, not paused";
        add(kill ? "stopped" : "paused", node, 0, ok, seen);
      }
      break;
    }
    case FaultKind::kClock:
    case FaultKind::kClockRate:
      break;  // seen in the status samples (clock_offset_ms), about a second later
    case FaultKind::kLoss: {
      if (IsShaped(plan)) {
        VerifyShaping(active, add);
        break;
      }
      auto missing = rules_.Missing(active.rules);
      if (!missing.ok()) {
        add("rules", plan.targets.empty() ? 0 : plan.targets.front(), 0, false,
            missing.status().message());
        break;
      }
      for (int node : plan.targets) {
        const auto lacks = std::count_if(missing->begin(), missing->end(),
                                         [node](const Rule& rule) { return rule.node == node; });
        add("rules", node, 0, lacks == 0,
            std::to_string(lacks) + " of its loss rules are not in its chain");
      }
      break;
    }
    default:
      IsShaped(plan) ? VerifyShaping(active, add) : VerifyCut(active, add);
      break;
  }
  nlohmann::json verified = {{"ok", reason.empty()}, {"probes", std::move(probes)}};
  if (!reason.empty()) verified["reason"] = reason;
  return verified;
}

void Nemesis::VerifyCut(const Active& active, const AddProbe& add) {
  // Every link cut by any fault in force now, this one included, and the nodes a probe cannot
  // start from or reach (a killed container has no namespace) or may lose packets to.
  Cut cut = active.plan.cut;
  std::set<int> lossy;
  Cut shaped;  // slow or lossy by design: no "open" probe crosses them
  for (const auto& [id, other] : active_) {
    if (IsShaped(other.plan)) {
      shaped.insert(other.plan.cut.begin(), other.plan.cut.end());
      continue;
    }
    cut.insert(other.plan.cut.begin(), other.plan.cut.end());
    if (other.plan.kind == FaultKind::kLoss)
      lossy.insert(other.plan.targets.begin(), other.plan.targets.end());
  }
  auto down = [this](int node)
                  REQUIRES(mutex_) { return kills_.contains(node) && kills_.at(node) > 0; };
  struct Probe {
    bool blocked;  // must not connect
    int from;
    int to;
    int tries;
    std::future<common::Result<bool>> reached;
  };
  std::vector<Probe> probes;
  for (const Link& link : active.plan.cut) {
    if (!down(link.from)) probes.push_back({true, link.from, link.to, 1, {}});
  }
  const int n = control_.nodes();
  for (int a = 1; a <= n; ++a) {
    for (int b = a + 1; b <= n; ++b) {
      if (down(a) || down(b) || !CanReach(cut, a, b) || !CanReach(cut, b, a)) continue;
      if (shaped.contains({.from = a, .to = b}) || shaped.contains({.from = b, .to = a})) continue;
      // A lossy node may drop a probe's packets: a few tries before calling the link cut.
      probes.push_back({false, a, b, lossy.contains(a) || lossy.contains(b) ? 3 : 1, {}});
    }
  }
  // All at once: a probe through a cut waits out its deadline, and there is one per link.
  for (Probe& probe : probes) {
    probe.reached = std::async(std::launch::async, [this, &probe]() -> common::Result<bool> {
      common::Result<bool> reached = false;
      for (int i = 0; i < probe.tries; ++i) {
        reached = control_.CanConnect(probe.from, probe.to);
        if (!reached.ok() || *reached) break;
      }
      return reached;
    });
  }
  for (Probe& probe : probes) {
    const common::Result<bool> reached = probe.reached.get();
    if (probe.blocked) {
      add("blocked", probe.from, probe.to, reached.ok() && !*reached,
          reached.ok() ? "connected through the cut" : reached.status().message());
    } else {
      add("open", probe.from, probe.to, reached.ok() && *reached,
          reached.ok() ? "no answer: the fault cut more than it should"
                       : reached.status().message());
    }
  }
}

common::Status Nemesis::KillAll(const std::vector<int>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (kills_[nodes[i]]++ > 0) continue;  // already down for another fault
    common::Status killed = control_.Kill(nodes[i]);
    if (killed.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {  // undo this fault's part, the failed node included
      if (--kills_[nodes[j]] == 0 && j < i) KeepFirst(killed, Restart(nodes[j]));
    }
    return killed.WithContext("kill node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::PauseAll(const std::vector<int>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pauses_[nodes[i]]++ > 0) continue;
    common::Status paused = control_.Pause(nodes[i]);
    if (paused.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {
      if (--pauses_[nodes[j]] == 0 && j < i) KeepFirst(paused, control_.Resume(nodes[j]));
    }
    return paused.WithContext("pause node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::Restart(int node) {
  RETURN_IF_ERROR(control_.Start(node).WithContext("start node " + std::to_string(node)));
  return rules_.Reapply(node);
}

common::Status Nemesis::Undo(const Active& active) {
  common::Status first;
  switch (active.plan.kind) {
    case FaultKind::kKill:
      for (int node : active.plan.targets) {
        if (--kills_[node] == 0) KeepFirst(first, Restart(node));
      }
      return first;
    case FaultKind::kPause:
      for (int node : active.plan.targets) {
        if (--pauses_[node] == 0) {
          KeepFirst(first,
                    control_.Resume(node).WithContext("resume node " + std::to_string(node)));
        }
      }
      return first;
    case FaultKind::kClock:
    case FaultKind::kClockRate:
      return UndoClocks(active);
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
      return candidates_.Undo(active.plan);
    default:
      if (IsShaped(active.plan)) return UndoShaping(active);
      return rules_.Remove(active.rules_id);
  }
}

}  // namespace nemesis

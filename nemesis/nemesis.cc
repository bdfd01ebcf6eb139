#include "nemesis/nemesis.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <iostream>
#include <set>
#include <thread>
#include <utility>

namespace nemesis {
namespace {

enum class Category { kPause, kKill, kDisk, kClock, kNetwork };

Category CategoryOf(FaultKind kind) {
  if (kind == FaultKind::kPause) return Category::kPause;
  if (kind == FaultKind::kKill || kind == FaultKind::kDiskLoseUnsynced) return Category::kKill;
  if (IsDiskFault(kind)) return Category::kDisk;
  if (kind == FaultKind::kClock) return Category::kClock;
  return Category::kNetwork;
}

void KeepFirst(common::Status& first, const common::Status& status) {
  if (first.ok() && !status.ok()) first = status;
}

nlohmann::json CutJson(const Cut& cut) {
  nlohmann::json links = nlohmann::json::array();
  for (const Link& link : cut) links.push_back({link.from, link.to});
  return links;
}

}  // namespace

Nemesis::Nemesis(NodeControl& control, CommandRunner& runner, NemesisOptions options)
    : control_(control),
      rules_(control, runner),
      record_(std::move(options.record)),
      leader_wait_(options.leader_wait),
      rng_(options.seed) {}

Nemesis::~Nemesis() {
  common::Status healed = HealAll();
  if (!healed.ok()) std::cerr << "nemesis: heal all: " << healed.message() << "\n";
}

common::Result<int> Nemesis::Start(const Fault& fault) {
  common::MutexLock lock(mutex_);
  int leader = control_.CurrentLeader();
  uint64_t term = control_.CurrentTerm();
  auto planned = PlanFault(fault, control_.nodes(), leader, rng_);
  // A fault aimed at the leader while none is known (an election under way): wait a little for
  // one. Planning fails before it draws from the Rng, so a retry draws the same numbers.
  const auto deadline = std::chrono::steady_clock::now() + leader_wait_;
  while (!planned.ok() && planned.status().code() == common::StatusCode::kUnavailable &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    leader = control_.CurrentLeader();
    term = control_.CurrentTerm();
    planned = PlanFault(fault, control_.nodes(), leader, rng_);
  }
  const int id = next_id_++;
  Active active{.fault = fault, .plan = planned.ok() ? *planned : Plan{.kind = fault.kind}};
  // A network fault's chains are put in place before the start (an empty chain changes no
  // traffic), so that applying it is one iptables-restore per node.
  common::Status ready = planned.status();
  if (ready.ok()) {
    auto rules = RulesFor(active.plan);
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
  if (active.plan.kind != FaultKind::kClock) Record(active, id, "verified", Verify(active));
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
  // Resume paused nodes first, then restart killed ones, clear disk faults, reset clocks, then
  // lift the network faults.
  for (Category category :
       {Category::kPause, Category::kKill, Category::kDisk, Category::kClock, Category::kNetwork}) {
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

std::optional<Fault> Nemesis::Applied(int id) const {
  common::MutexLock lock(mutex_);
  auto found = active_.find(id);
  if (found == active_.end()) return std::nullopt;
  const Active& active = found->second;
  Fault exact{.kind = active.plan.kind,
              .one_way = active.fault.one_way,
              .probability = active.fault.probability,
              .disk_op = active.fault.disk_op,
              .fsync_delay = active.fault.fsync_delay};
  if (active.plan.kind == FaultKind::kClock) exact.offset_s = active.plan.offset_s;
  if (TakesTargets(active.plan.kind)) {
    exact.nodes = active.plan.targets;
  } else {
    exact.cut = active.plan.cut;
  }
  return exact;
}

std::vector<int> Nemesis::active_ids() const {
  common::MutexLock lock(mutex_);
  std::vector<int> ids;
  for (const auto& [id, active] : active_) ids.push_back(id);
  return ids;
}

common::Result<std::vector<Rule>> Nemesis::RulesFor(const Plan& plan) const {
  switch (CategoryOf(plan.kind)) {
    case Category::kNetwork:
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
    case FaultKind::kDiskLoseUnsynced:
      return LoseUnsynced(active.plan.targets);
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      return SetDisks(active.plan.targets, nullptr, &active.plan);
    default: {
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
    case FaultKind::kDiskLoseUnsynced:  // its crash answered when it was applied
    case FaultKind::kPause: {
      const bool kill = plan.kind != FaultKind::kPause;
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
      break;  // seen in the status samples (clock_offset_ms), about a second later
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      VerifyDisk(active, add);
      break;
    case FaultKind::kLoss: {
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
      VerifyCut(active, add);
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
  for (const auto& [id, other] : active_) {
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

common::Status Nemesis::Undo(const Active& active) {
  common::Status first;
  switch (active.plan.kind) {
    case FaultKind::kKill:
    case FaultKind::kDiskLoseUnsynced:
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
      for (int node : active.plan.targets) {
        double& offset = clock_offsets_[node];
        offset -= active.plan.offset_s;
        // Back to the real clock exactly once nothing else moves it (no rounding residue).
        if (std::abs(offset) < 1e-9) offset = 0;
        KeepFirst(first, control_.SetClockOffset(node, offset)
                             .WithContext("reset the clock of node " + std::to_string(node)));
      }
      return first;
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      return UndoDisk(active);
    default:
      return rules_.Remove(active.rules_id);
  }
}

void Nemesis::Record(const Active& active, int id, std::string_view phase,
                     const nlohmann::json& extra) {
  if (!record_) return;
  nlohmann::json value = {{"phase", std::string(phase)}, {"id", id}};
  if (phase == "start" || phase == "applied") {
    value["targets"] = active.plan.targets;
    if (active.plan.kind == FaultKind::kLoss) {
      value["loss"] = active.plan.probability;
    } else if (active.plan.kind == FaultKind::kClock) {
      value["offset_s"] = active.plan.offset_s;
    } else if (active.plan.kind == FaultKind::kDiskError) {
      value["op"] = DiskOpName(active.plan.disk_op);
    } else if (active.plan.kind == FaultKind::kDiskSlow) {
      value["fsync_delay_ms"] = active.plan.fsync_delay.count();
    } else if (CategoryOf(active.plan.kind) == Category::kNetwork) {
      value["cut"] = CutJson(active.plan.cut);
    }
  }
  if (extra.is_object()) value.update(extra);
  record_(std::string(FaultName(active.plan.kind)), std::move(value));
}

}  // namespace nemesis

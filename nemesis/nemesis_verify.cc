// Nemesis::Verify: the probes of the "verified" event (nemesis.h), in a file of their own.
#include <algorithm>
#include <future>
#include <set>

#include "nemesis/nemesis.h"

namespace nemesis {

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
    case FaultKind::kPause:
      VerifyProcesses(active, add);
      break;
    case FaultKind::kClock:
    case FaultKind::kClockRate:
      break;  // seen in the status samples (clock_offset_ms), about a second later
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      VerifyDisk(active, add);
      break;
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
      candidates_.Verify(plan, add);
      break;
    case FaultKind::kMemberRemove:
    case FaultKind::kMemberAdd:
    case FaultKind::kMemberReplace:
      VerifyMembership(active, add);
      break;
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

void Nemesis::VerifyProcesses(const Active& active, const AddProbe& add) {
  const bool kill = active.plan.kind != FaultKind::kPause;
  for (int node : active.plan.targets) {
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

}  // namespace nemesis

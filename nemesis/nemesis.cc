#include "nemesis/nemesis.h"

#include <cmath>
#include <iostream>
#include <utility>

namespace nemesis {
namespace {

enum class Category { kPause, kKill, kClock, kNetwork };

Category CategoryOf(FaultKind kind) {
  if (kind == FaultKind::kPause) return Category::kPause;
  if (kind == FaultKind::kKill) return Category::kKill;
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
      rng_(options.seed) {}

Nemesis::~Nemesis() {
  common::Status healed = HealAll();
  if (!healed.ok()) std::cerr << "nemesis: heal all: " << healed.message() << "\n";
}

common::Result<int> Nemesis::Start(const Fault& fault) {
  std::lock_guard lock(mutex_);
  const int leader = control_.CurrentLeader();
  const uint64_t term = control_.CurrentTerm();
  ASSIGN_OR_RETURN(Plan plan, PlanFault(fault, control_.nodes(), leader, rng_));
  Active active{.fault = fault, .plan = std::move(plan)};
  // The start is recorded before the fault is applied: a kill through Docker's API takes a
  // few hundred ms to return, and the node is down early in that call, so measuring a
  // failover from after it would understate it.
  const int id = next_id_++;
  Record(active, id, "start", leader, term);
  common::Status applied = Apply(active.plan, active.rules_id);
  if (!applied.ok()) {
    applied = applied.WithContext(std::string(FaultName(fault.kind)));
    Record(active, id, "end", 0, 0, applied.message());
    return applied;
  }
  Record(active, id, "applied", 0, 0);
  active_.emplace(id, std::move(active));
  return id;
}

common::Status Nemesis::End(int id) {
  std::lock_guard lock(mutex_);
  auto found = active_.find(id);
  if (found == active_.end()) {
    return common::Status::NotFound("fault " + std::to_string(id) + " is not active");
  }
  const Active active = std::move(found->second);
  active_.erase(found);
  common::Status undone = Undo(active);
  Record(active, id, "end", 0, 0);
  return undone.WithContext("end " + std::string(FaultName(active.plan.kind)));
}

common::Status Nemesis::HealAll() {
  std::lock_guard lock(mutex_);
  common::Status first;
  // Resume paused nodes first, then restart killed ones, reset clocks, then lift the network
  // faults.
  for (Category category :
       {Category::kPause, Category::kKill, Category::kClock, Category::kNetwork}) {
    for (auto it = active_.begin(); it != active_.end();) {
      if (CategoryOf(it->second.plan.kind) != category) {
        ++it;
        continue;
      }
      KeepFirst(first, Undo(it->second));
      Record(it->second, it->first, "end", 0, 0);
      it = active_.erase(it);
    }
  }
  KeepFirst(first, rules_.HealAll());
  return first.WithContext("heal all");
}

std::optional<Fault> Nemesis::Applied(int id) const {
  std::lock_guard lock(mutex_);
  auto found = active_.find(id);
  if (found == active_.end()) return std::nullopt;
  const Active& active = found->second;
  Fault exact{.kind = active.plan.kind,
              .one_way = active.fault.one_way,
              .probability = active.fault.probability};
  if (active.plan.kind == FaultKind::kClock) exact.offset_s = active.plan.offset_s;
  if (TakesTargets(active.plan.kind)) {
    exact.nodes = active.plan.targets;
  } else {
    exact.cut = active.plan.cut;
  }
  return exact;
}

std::vector<int> Nemesis::active_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<int> ids;
  for (const auto& [id, active] : active_) ids.push_back(id);
  return ids;
}

common::Status Nemesis::Apply(const Plan& plan, int& rules_id) {
  switch (plan.kind) {
    case FaultKind::kKill:
      return KillAll(plan.targets);
    case FaultKind::kPause:
      return PauseAll(plan.targets);
    case FaultKind::kClock:
      return ShiftClocks(plan.targets, plan.offset_s);
    case FaultKind::kLoss: {
      ASSIGN_OR_RETURN(std::vector<Rule> rules,
                       LossRules(plan.targets, plan.probability, control_));
      ASSIGN_OR_RETURN(rules_id, rules_.Apply(rules));
      return common::Status::Ok();
    }
    default: {
      ASSIGN_OR_RETURN(rules_id, rules_.Apply(CutRules(plan.cut, control_)));
      return common::Status::Ok();
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

common::Status Nemesis::ShiftClocks(const std::vector<int>& nodes, double offset_s) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const double before = clock_offsets_[nodes[i]];
    common::Status set = control_.SetClockOffset(nodes[i], before + offset_s);
    if (set.ok()) {
      clock_offsets_[nodes[i]] = before + offset_s;
      continue;
    }
    for (size_t j = 0; j < i; ++j) {  // undo this fault's part
      clock_offsets_[nodes[j]] -= offset_s;
      KeepFirst(set, control_.SetClockOffset(nodes[j], clock_offsets_[nodes[j]]));
    }
    return set.WithContext("set the clock of node " + std::to_string(nodes[i]));
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
      for (int node : active.plan.targets) {
        double& offset = clock_offsets_[node];
        offset -= active.plan.offset_s;
        // Back to the real clock exactly once nothing else moves it (no rounding residue).
        if (std::abs(offset) < 1e-9) offset = 0;
        KeepFirst(first, control_.SetClockOffset(node, offset)
                             .WithContext("reset the clock of node " + std::to_string(node)));
      }
      return first;
    default:
      return rules_.Remove(active.rules_id);
  }
}

void Nemesis::Record(const Active& active, int id, std::string_view phase, int leader,
                     uint64_t term, const std::string& error) {
  if (!record_) return;
  nlohmann::json value = {
      {"phase", std::string(phase)}, {"id", id}, {"targets", active.plan.targets}};
  if (!error.empty()) value["error"] = error;
  if (active.plan.kind == FaultKind::kLoss) {
    value["loss"] = active.plan.probability;
  } else if (active.plan.kind == FaultKind::kClock) {
    value["offset_s"] = active.plan.offset_s;
  } else if (CategoryOf(active.plan.kind) == Category::kNetwork) {
    value["cut"] = CutJson(active.plan.cut);
  }
  if (phase == "start") {
    value["leader"] = leader;
    value["term"] = term;
  }
  record_(std::string(FaultName(active.plan.kind)), std::move(value));
}

}  // namespace nemesis

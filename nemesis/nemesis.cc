#include "nemesis/nemesis.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <thread>
#include <utility>

namespace nemesis {
namespace {

enum class Category { kCandidate, kPause, kKill, kMembership, kDisk, kClock, kNetwork };

Category CategoryOf(FaultKind kind) {
  if (IsCandidateFault(kind)) return Category::kCandidate;
  if (IsMembershipFault(kind)) return Category::kMembership;
  if (kind == FaultKind::kPause) return Category::kPause;
  if (kind == FaultKind::kKill || kind == FaultKind::kDiskLoseUnsynced) return Category::kKill;
  if (IsDiskFault(kind)) return Category::kDisk;
  if (kind == FaultKind::kClock || kind == FaultKind::kClockRate) return Category::kClock;
  return Category::kNetwork;
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
  // A membership fault whose heal failed left the cluster smaller: the run cannot be valid.
  const bool report = !undone.ok() && IsMembershipFault(active.plan.kind);
  Record(active, id, "end", report ? nlohmann::json{{"error", undone.message()}} : nullptr);
  return undone.WithContext("end " + std::string(FaultName(active.plan.kind)));
}

common::Status Nemesis::HealAll() {
  common::MutexLock lock(mutex_);
  common::Status first;
  // Candidates first, then resume paused nodes, restart killed ones, clear disk faults, reset
  // clocks, then lift the network faults.
  for (Category category :
       {Category::kCandidate, Category::kPause, Category::kKill, Category::kMembership,
        Category::kDisk, Category::kClock, Category::kNetwork}) {
    for (auto it = active_.begin(); it != active_.end();) {
      if (CategoryOf(it->second.plan.kind) != category) {
        ++it;
        continue;
      }
      Record(it->second, it->first, "healing");
      const common::Status undone = Undo(it->second);
      KeepFirst(first, undone);
      const bool report = !undone.ok() && IsMembershipFault(it->second.plan.kind);
      Record(it->second, it->first, "end",
             report ? nlohmann::json{{"error", undone.message()}} : nullptr);
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
    case FaultKind::kClockRate:
      return ScaleClocks(active.plan.targets, active.plan.rate);
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
      return candidates_.Apply(active.plan);
    case FaultKind::kDiskLoseUnsynced:
      return LoseUnsynced(active.plan.targets);
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      return SetDisks(active.plan.targets, nullptr, &active.plan);
    case FaultKind::kMemberRemove:
    case FaultKind::kMemberAdd:
    case FaultKind::kMemberReplace:
      return ApplyMembership(active);
    default: {
      if (IsShaped(active.plan)) return ApplyShaping(active);
      ASSIGN_OR_RETURN(active.rules_id, rules_.Apply(active.rules));
      return common::Status::Ok();
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
    case FaultKind::kClockRate:
      return UndoClocks(active);
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
      return candidates_.Undo(active.plan);
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      return UndoDisk(active);
    case FaultKind::kMemberRemove:
    case FaultKind::kMemberAdd:
    case FaultKind::kMemberReplace:
      return UndoMembership(active);
    default:
      if (IsShaped(active.plan)) return UndoShaping(active);
      return rules_.Remove(active.rules_id);
  }
}

}  // namespace nemesis

#include "orchestrator/run/plan.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "orchestrator/run/auto_nemesis.h"
#include "orchestrator/run/databases.h"
#include "orchestrator/store/store_coverage.h"

namespace orchestrator {

using common::Result;
using common::Status;

namespace {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// --nemesis auto: weighted toward the coverage cells the store's runs left empty.
Result<nemesis::Schedule> AutoSchedule(const RunSpec& spec) {
  const StoreCoverage store = ReadStoreCoverage(spec.store);
  auto schedule =
      nemesis::RandomSchedule({.choices = AutoNemesisChoices(store.coverage, spec.nodes),
                               .interval = Millis(spec.nemesis_interval_s),
                               .time_limit = Millis(spec.time_limit_s),
                               .seed = *spec.seed,
                               .nodes = spec.nodes});
  if (!schedule.ok()) return schedule.status().WithContext("--nemesis auto");
  return schedule;
}

// The fault schedule of a run: --schedule FILE, or a random mix of --nemesis faults drawn from
// the seed; empty without either.
Result<nemesis::Schedule> BuildSchedule(const RunSpec& spec) {
  if (!spec.schedule.empty()) {
    auto schedule = nemesis::LoadSchedule(spec.schedule);
    if (!schedule.ok()) return schedule.status().WithContext("--schedule");
    return schedule;
  }
  if (spec.nemesis_auto) return AutoSchedule(spec);
  if (spec.nemesis.empty()) return nemesis::Schedule{};
  std::vector<nemesis::FaultKind> kinds;
  for (const std::string& name : spec.nemesis) {
    auto kind = nemesis::ParseFaultList(name);
    if (!kind.ok()) return kind.status().WithContext("--nemesis");
    kinds.insert(kinds.end(), kind->begin(), kind->end());
  }
  for (nemesis::FaultKind kind : kinds) {
    if (!nemesis::Applicable(kind, spec.nodes)) {
      return Status::InvalidArgument("--nemesis: " + std::string(nemesis::FaultName(kind)) +
                                     " cannot run on " + std::to_string(spec.nodes) + " nodes");
    }
  }
  auto schedule = nemesis::RandomSchedule({.faults = kinds,
                                           .interval = Millis(spec.nemesis_interval_s),
                                           .time_limit = Millis(spec.time_limit_s),
                                           .seed = *spec.seed,
                                           .nodes = spec.nodes});
  if (!schedule.ok()) return schedule.status().WithContext("--nemesis");
  return schedule;
}

// Every --db-bug must be one of the database's bug switches.
Status CheckBugSwitches(const RunSpec& spec, const workloads::Db& db) {
  const std::vector<std::string> known = db.traits().bug_switches;
  for (const std::string& bug : spec.db_bugs) {
    if (std::find(known.begin(), known.end(), bug) != known.end()) continue;
    if (known.empty()) {
      return Status::InvalidArgument("--db-bug: " + db.name() +
                                     " has no bug switches (given: " + bug + ")");
    }
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("--db-bug: \"" + bug + "\" is not one of " + std::move(list));
  }
  return Status::Ok();
}

// The kinds of the schedule's faults and, for a random schedule, every kind --nemesis names.
std::vector<nemesis::FaultKind> AskedKinds(const RunSpec& spec, const nemesis::Schedule& schedule) {
  std::vector<nemesis::FaultKind> kinds;
  for (const nemesis::ScheduleEntry& entry : schedule) kinds.push_back(entry.fault.kind);
  if (!spec.schedule.empty()) return kinds;
  for (const std::string& name : spec.nemesis) {
    auto listed = nemesis::ParseFaultList(name);  // BuildSchedule has checked each
    if (listed.ok()) kinds.insert(kinds.end(), listed->begin(), listed->end());
  }
  return kinds;
}

// --tls: the database must speak it, and the election workload's candidates (programs of
// their own) do not carry certificates.
Status CheckTls(const RunSpec& spec, const workloads::Db& db) {
  if (!spec.tls) return Status::Ok();
  if (!db.traits().supports_tls) {
    return Status::InvalidArgument("--tls: " + db.name() + " does not support TLS (refdb does)");
  }
  if (spec.workload == workloads::WorkloadKind::kElection) {
    return Status::InvalidArgument("--tls: the election workload's candidates do not use TLS");
  }
  return Status::Ok();
}

}  // namespace

Result<RunPlan> PlanRun(RunSpec spec) {
  if (!spec.seed.has_value()) return Status::InvalidArgument("the run has no seed");
  ASSIGN_OR_RETURN(nemesis::Schedule schedule, BuildSchedule(spec));
  const bool moves_clocks =
      std::any_of(schedule.begin(), schedule.end(), [](const nemesis::ScheduleEntry& entry) {
        return entry.fault.kind == nemesis::FaultKind::kClock ||
               entry.fault.kind == nemesis::FaultKind::kClockRate;
      });
  // What the run may need is what the schedule holds; what it is refused for is also every kind
  // --nemesis names, drawn or not (a seed that draws no clock fault is no reason to accept one).
  const std::vector<nemesis::FaultKind> asked = AskedKinds(spec, schedule);
  const auto has = [&schedule](auto predicate) {
    return std::any_of(schedule.begin(), schedule.end(),
                       [&](const nemesis::ScheduleEntry& e) { return predicate(e.fault.kind); });
  };
  const auto asks = [&asked](auto predicate) {
    return std::any_of(asked.begin(), asked.end(), predicate);
  };
  if (asks(nemesis::IsMembershipFault)) {  // NemesisAdapter has no membership calls yet
    return Status::InvalidArgument(
        "the membership faults (member-remove, member-add, member-replace) are not run by the "
        "harness yet: the nemesis and refdb support them, the node control does not");
  }
  if (spec.workload != workloads::WorkloadKind::kElection && asks(nemesis::IsCandidateFault)) {
    return Status::InvalidArgument(
        "the candidate faults (pause-candidate, clock-candidate, partition-candidate) act on "
        "the lease candidates of --workload election");
  }
  if (spec.fencing && spec.workload != workloads::WorkloadKind::kElection) {
    return Status::InvalidArgument("--fencing: only the election workload's leaders write fenced");
  }
  if (spec.stop_on_invalid && spec.workload == workloads::WorkloadKind::kSet) {
    return Status::InvalidArgument(
        "--stop-on-invalid: the set workload is checked after the run (its final reads), not "
        "for linearizability while it goes");
  }
  const bool moves_candidate_clocks =
      has([](nemesis::FaultKind kind) { return kind == nemesis::FaultKind::kClockCandidate; });
  const bool has_disk_faults = has(nemesis::IsDiskFault);
  ASSIGN_OR_RETURN(std::unique_ptr<workloads::Db> db, MakeDbAdapter(spec));
  RETURN_IF_ERROR(CheckBugSwitches(spec, *db));
  RETURN_IF_ERROR(CheckTls(spec, *db));
  const bool shapes = asks(nemesis::IsShapingKind) ||
                      std::any_of(schedule.begin(), schedule.end(), [](const auto& entry) {
                        return entry.fault.correlation.has_value();
                      });
  if (shapes && access(NetqBinary().c_str(), X_OK) != 0) {
    std::string message = "shaping faults need splitbrain-netq (";
    message += NetqBinary().string();
    message += "), which is missing: build it (ci/build.sh)";
    return Status::NotFound(message);
  }
  const bool asks_clocks = asks([](nemesis::FaultKind kind) {
    return kind == nemesis::FaultKind::kClock || kind == nemesis::FaultKind::kClockRate;
  });
  if (asks_clocks && !db->traits().clock_movable) {
    return Status::InvalidArgument(
        "the clock fault cannot move " + db->name() +
        "'s clock (libfaketime moves only programs that read the time through libc: not Go "
        "programs such as etcd, nor programs a definition runs); leave clock out for --db " +
        db->name());
  }
  return RunPlan{.spec = std::move(spec),
                 .db = std::move(db),
                 .schedule = std::move(schedule),
                 .moves_clocks = moves_clocks,
                 .moves_candidate_clocks = moves_candidate_clocks,
                 .has_disk_faults = has_disk_faults};
}

}  // namespace orchestrator

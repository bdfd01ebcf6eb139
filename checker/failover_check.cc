#include "checker/failover_check.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "checker/connectivity.h"
#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Percentile;
using text::Seconds;

// {"min","median","p99","max","count"} of the values; null figures when there are none.
Json Distribution(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  if (values.empty()) {
    return {
        {"count", 0}, {"min", nullptr}, {"median", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  }
  return {{"count", values.size()},
          {"min", values.front()},
          {"median", Percentile(values, 50)},
          {"p99", Percentile(values, 99)},
          {"max", values.back()}};
}

}  // namespace

bool RemovesLeader(const Fault& fault, int64_t leader, int64_t nodes) {
  if (leader <= 0) return false;
  if (fault.StopsNodes()) {
    return std::find(fault.targets.begin(), fault.targets.end(), leader) != fault.targets.end();
  }
  if (fault.cut.empty()) return false;
  const std::set<std::pair<int64_t, int64_t>> cut(fault.cut.begin(), fault.cut.end());
  int64_t reachable = 1;  // the leader itself
  for (int64_t node = 1; node <= nodes; ++node) {
    if (node != leader && !cut.contains({leader, node}) && !cut.contains({node, leader})) {
      ++reachable;
    }
  }
  return reachable * 2 <= nodes;
}

namespace {

// The pieces of a history the failover check measures against.
struct FailoverInput {
  const std::vector<StatusSample>& samples;
  std::vector<Operation> writes;  // acknowledged writes, in invocation order
  std::vector<NoMajorityInterval> no_majority;
  int64_t origin_ns = 0;
  int64_t end_ns = 0;
  int64_t nodes = 0;
  bool has_terms = true;
};

// One fault that removed the leader, and what followed.
struct Failover {
  const Fault* fault = nullptr;
  int64_t leader = 0;
  int64_t term = 0;
  const NoMajorityInterval* no_majority = nullptr;  // null: a majority remained (leader-lost)
  std::optional<int64_t> new_leader_ns;             // durations from the fault's effect
  int64_t new_leader = 0;
  int64_t new_term = 0;
  bool is_leader_kept = false;
  std::optional<int64_t> first_write_ns;
  std::optional<int64_t> unavailable_ns;
  std::optional<int64_t> heal_ns;             // no-majority: when the restoring heal ended
  std::optional<int64_t> recovery_leader_ns;  // durations from heal_ns
  std::optional<int64_t> recovery_write_ns;
};

// The leader and term at the fault start: the fault's own, else the last leader sample before it.
std::pair<int64_t, int64_t> LeaderAtStart(const FailoverInput& in, const Fault& fault) {
  const StatusSample* last_leader = nullptr;
  int64_t max_term = 0;
  for (const StatusSample& s : in.samples) {
    if (s.index >= fault.start_index) break;
    if (!s.is_answered) continue;
    max_term = std::max(max_term, s.term);
    if (s.role == "leader") last_leader = &s;
  }
  int64_t leader = fault.leader;
  int64_t term = fault.term;
  if (leader == 0 && last_leader != nullptr) leader = last_leader->node;
  if (term == 0) term = last_leader != nullptr ? last_leader->term : max_term;
  return {leader, term};
}

void MeasureNewLeader(const FailoverInput& in, Failover& f) {
  const Fault& fault = *f.fault;
  for (const StatusSample& s : in.samples) {
    if (s.index <= fault.start_index || !s.is_answered || s.role != "leader") continue;
    if (in.has_terms ? s.term > f.term : s.node != f.leader) {
      // An election may finish while a cut is still being installed: that is no delay.
      f.new_leader_ns = std::max<int64_t>(0, s.time_ns - fault.EffectNs());
      f.new_leader = s.node;
      f.new_term = s.term;
      return;
    }
    if (fault.end_index.has_value() && s.index > *fault.end_index && s.node == f.leader &&
        (s.term == f.term || !in.has_terms)) {
      f.is_leader_kept = true;  // healed before the cluster elected anyone else
      return;
    }
  }
}

void MeasureWrites(const FailoverInput& in, Failover& f) {
  const Fault& fault = *f.fault;
  std::optional<int64_t> first_ns;
  std::optional<int64_t> last_before_ns;
  const int64_t in_place_index = fault.applied_index.value_or(fault.start_index);
  for (const Operation& op : in.writes) {
    if (op.call > in_place_index) {
      if (!first_ns.has_value() || op.ret_time_ns < *first_ns) first_ns = op.ret_time_ns;
    } else if (op.ret < fault.start_index) {
      last_before_ns = std::max(last_before_ns.value_or(op.ret_time_ns), op.ret_time_ns);
    }
  }
  if (!first_ns.has_value()) return;
  f.first_write_ns = *first_ns - fault.EffectNs();
  f.unavailable_ns = *first_ns - last_before_ns.value_or(fault.start_ns);
}

// Recovery after the heal that restored a majority: any leader, and the first write invoked after.
void MeasureRecovery(const FailoverInput& in, Failover& f) {
  const NoMajorityInterval& interval = *f.no_majority;
  if (!interval.heal_end_index.has_value()) return;
  const int64_t heal_index = *interval.heal_end_index;
  f.heal_ns = interval.heal_end_ns;
  for (const StatusSample& s : in.samples) {
    if (s.index > heal_index && s.is_answered && s.role == "leader") {
      f.recovery_leader_ns = s.time_ns - *f.heal_ns;
      break;
    }
  }
  for (const Operation& op : in.writes) {
    if (op.call <= heal_index) continue;
    const int64_t took_ns = op.ret_time_ns - *f.heal_ns;
    f.recovery_write_ns = std::min(f.recovery_write_ns.value_or(took_ns), took_ns);
  }
}

FailoverInput ReadFailoverInput(const RunHistory& run) {
  FailoverInput in{
      .samples = run.samples, .origin_ns = run.origin_ns, .end_ns = run.end_ns, .nodes = run.nodes};
  for (const Operation& op : run.operations) {
    if (IsAcknowledgedWrite(op)) in.writes.push_back(op);
  }
  in.no_majority = NoMajorityIntervals(run.faults, in.nodes);
  return in;
}

Json OptionalSeconds(const std::optional<int64_t>& ns) {
  return ns.has_value() ? Json(Seconds(*ns)) : Json(nullptr);
}

Json FailoverJson(const FailoverInput& in, const Failover& f) {
  const Fault& fault = *f.fault;
  auto at = [&in](const std::optional<int64_t>& ns) {
    return ns.has_value() ? Json(Seconds(*ns - in.origin_ns)) : Json(nullptr);
  };
  return {{"id", fault.id},
          {"fault", fault.name},
          {"kind", f.no_majority == nullptr ? "leader-lost" : "no-majority"},
          {"start_s", Seconds(fault.start_ns - in.origin_ns)},
          {"effect_s", Seconds(fault.EffectNs() - in.origin_ns)},
          {"end_s", at(fault.end_ns)},
          {"leader", f.leader},
          {"term", f.term},
          {"new_leader_s", OptionalSeconds(f.new_leader_ns)},
          {"new_leader", f.new_leader_ns.has_value() ? Json(f.new_leader) : Json(nullptr)},
          {"new_term", f.new_leader_ns.has_value() ? Json(f.new_term) : Json(nullptr)},
          {"leader_kept", f.is_leader_kept},
          {"first_write_s", OptionalSeconds(f.first_write_ns)},
          {"unavailable_s", OptionalSeconds(f.unavailable_ns)},
          {"heal_s", at(f.heal_ns)},
          {"recovery_leader_s", OptionalSeconds(f.recovery_leader_ns)},
          {"recovery_write_s", OptionalSeconds(f.recovery_write_ns)}};
}

// Why one measure breaks the bound, or nothing. `what`: "new leader", "acknowledged write".
std::optional<std::string> Violation(const std::optional<int64_t>& measured_ns,
                                     int64_t remaining_ns, double bound_s, const char* what) {
  if (measured_ns.has_value()) {
    if (Seconds(*measured_ns) <= bound_s) return std::nullopt;
    return std::string(what) + " after " + Fixed(Seconds(*measured_ns), 3) + " s";
  }
  if (Seconds(remaining_ns) <= bound_s) return std::nullopt;
  return std::string("no ") + what + " in the " + Fixed(Seconds(remaining_ns), 3) +
         " s the history continued";
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) text += (i > 0 ? ", " : "") + parts[i];
  return text;
}

std::string FaultText(const FailoverInput& in, const Failover& f) {
  const Fault& fault = *f.fault;
  return "fault " + std::to_string(fault.id) + " (" + fault.name + " of leader " +
         std::to_string(f.leader) + " at " + Fixed(Seconds(fault.start_ns - in.origin_ns), 3) +
         " s";
}

// Leader-lost: the failover bound from the fault's effect.
std::vector<std::string> FailoverViolations(const FailoverInput& in, const Failover& f,
                                            double bound_s) {
  const int64_t remaining_ns = in.end_ns - f.fault->EffectNs();
  std::vector<std::string> found;
  if (!f.is_leader_kept) {
    if (auto v = Violation(f.new_leader_ns, remaining_ns, bound_s, "new leader")) {
      found.push_back(*v);
    }
  }
  if (auto v = Violation(f.first_write_ns, remaining_ns, bound_s, "acknowledged write")) {
    found.push_back(*v);
  }
  if (found.empty()) return found;
  return {FaultText(in, f) + "): " + Joined(found) + ", over the " + Fixed(bound_s, 1) +
          " s bound"};
}

// No-majority: the recovery bound from the end of the heal that restored a majority.
std::vector<std::string> RecoveryViolations(const FailoverInput& in, const Failover& f,
                                            double bound_s) {
  if (!f.heal_ns.has_value()) return {};
  const int64_t remaining_ns = in.end_ns - *f.heal_ns;
  std::vector<std::string> found;
  if (auto v = Violation(f.recovery_leader_ns, remaining_ns, bound_s, "leader")) {
    found.push_back(*v);
  }
  if (auto v = Violation(f.recovery_write_ns, remaining_ns, bound_s, "acknowledged write")) {
    found.push_back(*v);
  }
  if (found.empty()) return found;
  return {FaultText(in, f) + ", no majority): recovery after heal at " +
          Fixed(Seconds(*f.heal_ns - in.origin_ns), 3) + " s: " + Joined(found) + ", over the " +
          Fixed(bound_s, 1) + " s recovery bound"};
}

std::string MedianMax(const Json& distribution) {
  if (distribution["count"] == 0) return "n/a";
  return "median " + Fixed(distribution["median"].get<double>(), 3) + " s, max " +
         Fixed(distribution["max"].get<double>(), 3) + " s";
}

std::string Plural(size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string ValidSummary(const Json& details) {
  const auto leader_lost = details["leader_lost"].get<size_t>();
  const auto no_majority = details["no_majority"].get<size_t>();
  const std::string failover = "new leader " + MedianMax(details["new_leader_s"]) +
                               "; first acknowledged write " + MedianMax(details["first_write_s"]);
  const std::string bound = Fixed(details["bound_s"].get<double>(), 1) + " s";
  std::string summary = Plural(leader_lost + no_majority, "fault") + " removed the leader";
  if (no_majority == 0) {
    return summary + ": " + failover + "; unavailability " + MedianMax(details["unavailable_s"]) +
           " (bound " + bound + ")";
  }
  summary += " (" + std::to_string(leader_lost) + " with a majority left";
  if (leader_lost > 0) summary += ": " + failover;
  return summary + "; " + std::to_string(no_majority) +
         " without a majority: recovery after heal: leader " +
         MedianMax(details["recovery_leader_s"]) + ", first acknowledged write " +
         MedianMax(details["recovery_write_s"]) + ") (bound " + bound + ", recovery bound " +
         Fixed(details["recovery_bound_s"].get<double>(), 1) + " s)";
}

// The figures of every fault that removed the leader, measured by its kind.
struct Figures {
  std::vector<double> new_leader_s, first_write_s, unavailable_s;
  std::vector<double> recovery_leader_s, recovery_write_s;
};

void Measure(const FailoverInput& in, Failover& f, Figures& figures) {
  auto add = [](std::vector<double>& to, const std::optional<int64_t>& ns) {
    if (ns.has_value()) to.push_back(Seconds(*ns));
  };
  f.no_majority = IntervalAt(in.no_majority, f.fault->InForceIndex());
  if (f.no_majority != nullptr) {
    MeasureRecovery(in, f);
    add(figures.recovery_leader_s, f.recovery_leader_ns);
    add(figures.recovery_write_s, f.recovery_write_ns);
    return;
  }
  MeasureNewLeader(in, f);
  MeasureWrites(in, f);
  add(figures.new_leader_s, f.new_leader_ns);
  add(figures.first_write_s, f.first_write_ns);
  add(figures.unavailable_s, f.unavailable_ns);
}

void AddDistributions(Figures figures, Json& details) {
  details["new_leader_s"] = Distribution(std::move(figures.new_leader_s));
  details["first_write_s"] = Distribution(std::move(figures.first_write_s));
  details["unavailable_s"] = Distribution(std::move(figures.unavailable_s));
  details["recovery_leader_s"] = Distribution(std::move(figures.recovery_leader_s));
  details["recovery_write_s"] = Distribution(std::move(figures.recovery_write_s));
}

void Increment(Json& counter) { counter = counter.get<int64_t>() + 1; }

}  // namespace

RunCheckResult CheckFailover(const RunHistory& run, const FailoverOptions& options) {
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  if (!run.operations_status.ok()) return UnknownRunCheck(run.operations_status.message());
  FailoverInput in = ReadFailoverInput(run);
  in.has_terms = options.has_terms;
  Json details = {{"bound_s", options.max_failover_s},
                  {"recovery_bound_s", options.max_recovery_s},
                  {"nodes", in.nodes},
                  {"faults", run.faults.size()},
                  {"faults_failed", 0},
                  {"faults_leader_unknown", 0},
                  {"leader_lost", 0},
                  {"no_majority", 0},
                  {"events", Json::array()},
                  {"violations", Json::array()}};
  Figures figures;
  for (const Fault& fault : run.faults) {
    if (fault.IsFailed()) {
      Increment(details["faults_failed"]);  // never in force: it removed nobody
      continue;
    }
    Failover f{.fault = &fault};
    std::tie(f.leader, f.term) = LeaderAtStart(in, fault);
    if (f.leader == 0 && (fault.StopsNodes() || !fault.cut.empty())) {
      Increment(details["faults_leader_unknown"]);
    }
    if (!RemovesLeader(fault, f.leader, in.nodes)) continue;
    Measure(in, f, figures);
    Increment(details[f.no_majority == nullptr ? "leader_lost" : "no_majority"]);
    details["events"].push_back(FailoverJson(in, f));
    auto violations = f.no_majority == nullptr ? FailoverViolations(in, f, options.max_failover_s)
                                               : RecoveryViolations(in, f, options.max_recovery_s);
    for (std::string& v : violations) details["violations"].push_back(std::move(v));
  }
  AddDistributions(std::move(figures), details);
  const Json& violations = details["violations"];
  if (!violations.empty()) {
    std::string summary = violations[0].get<std::string>();
    if (violations.size() > 1) {
      summary += " (" + std::to_string(violations.size() - 1) + " more in details)";
    }
    return {Verdict::kInvalid, std::move(summary), std::move(details)};
  }
  if (details["events"].empty()) {
    return {Verdict::kValid, "no fault removed the leader", std::move(details)};
  }
  std::string summary = ValidSummary(details);
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

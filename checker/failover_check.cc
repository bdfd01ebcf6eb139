#include "checker/failover_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "checker/connectivity.h"
#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

std::optional<int64_t> IntField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// "SOURCE:LINE" for a line of the history's file.
std::string LineWhere(const History& history, int64_t line) {
  return (history.source.empty() ? std::string("history") : history.source) + ":" +
         std::to_string(line);
}

// The history's clock origin and end: the first event's time and the latest time of any event.
std::pair<int64_t, int64_t> TimeSpan(const History& history) {
  if (history.events.empty()) return {0, 0};
  int64_t end = 0;
  for (const Event& event : history.events) end = std::max(end, event.time_ns);
  return {history.events.front().time_ns, end};
}

Result<StatusSample> ParseSample(const History& history, const Event& event) {
  const std::string where = EventWhere(history, event);
  const Json& value = event.value;
  StatusSample sample{.index = event.index, .time_ns = event.time_ns, .line = event.line};
  auto node = IntField(value, "node");
  if (!node.has_value() || *node < 1) {
    return Status::InvalidArgument(where + ": status sample without a positive integer \"node\"");
  }
  sample.node = *node;
  if (value.contains("error")) return sample;
  sample.is_answered = true;
  auto role = value.find("role");
  if (role == value.end() || !role->is_string()) {
    return Status::InvalidArgument(where + ": status sample without a string \"role\"");
  }
  sample.role = role->get<std::string>();
  auto term = IntField(value, "term");
  if (!term.has_value()) {
    return Status::InvalidArgument(where + ": status sample without an integer \"term\"");
  }
  sample.term = *term;
  if (value.contains("applied")) {
    sample.applied = IntField(value, "applied");
    if (!sample.applied.has_value()) {
      return Status::InvalidArgument(where + ": status sample whose \"applied\" is not an integer");
    }
  }
  if (auto digest = value.find("digest"); digest != value.end()) sample.digest = *digest;
  if (auto offset = value.find("clock_offset_ms"); offset != value.end() && !offset->is_null()) {
    if (!offset->is_number()) {
      return Status::InvalidArgument(where +
                                     ": status sample whose \"clock_offset_ms\" is not a "
                                     "number: " +
                                     offset->dump());
    }
    sample.clock_offset_ms = offset->get<double>();
  }
  return sample;
}

// Reads an optional array of node numbers (each >= 1) into `out`.
Status ParseTargets(const Json& value, const std::string& where, std::vector<int64_t>& out) {
  auto it = value.find("targets");
  if (it == value.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::InvalidArgument(where + ": \"targets\" is not an array");
  for (const Json& target : *it) {
    if (!target.is_number_integer() || target.get<int64_t>() < 1) {
      return Status::InvalidArgument(where +
                                     ": a target is not a positive node number: " + target.dump());
    }
    out.push_back(target.get<int64_t>());
  }
  return Status::Ok();
}

// Reads an optional array of [from, to] node pairs into `out`.
Status ParseCut(const Json& value, const std::string& where,
                std::vector<std::pair<int64_t, int64_t>>& out) {
  auto it = value.find("cut");
  if (it == value.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::InvalidArgument(where + ": \"cut\" is not an array");
  for (const Json& link : *it) {
    const bool is_pair = link.is_array() && link.size() == 2 && link[0].is_number_integer() &&
                         link[1].is_number_integer() && link[0].get<int64_t>() >= 1 &&
                         link[1].get<int64_t>() >= 1;
    if (!is_pair) {
      return Status::InvalidArgument(where +
                                     ": a cut link is not a pair of node numbers: " + link.dump());
    }
    out.emplace_back(link[0].get<int64_t>(), link[1].get<int64_t>());
  }
  return Status::Ok();
}

Result<Fault> ParseFaultStart(const std::string& where, const Event& event, int64_t id) {
  Fault fault{.id = id,
              .name = event.f,
              .start_index = event.index,
              .start_ns = event.time_ns,
              .line = event.line};
  RETURN_IF_ERROR(ParseTargets(event.value, where, fault.targets));
  RETURN_IF_ERROR(ParseCut(event.value, where, fault.cut));
  for (auto [field, out] : {std::pair{"leader", &fault.leader}, std::pair{"term", &fault.term}}) {
    auto it = event.value.find(field);
    if (it == event.value.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return Status::InvalidArgument(where + ": \"" + field +
                                     "\" is not a non-negative integer: " + it->dump());
    }
    *out = it->get<int64_t>();
  }
  if (auto it = event.value.find("offset_s"); it != event.value.end() && !it->is_null()) {
    if (!it->is_number()) {
      return Status::InvalidArgument(where + ": \"offset_s\" is not a number: " + it->dump());
    }
    fault.offset_s = it->get<double>();
  }
  return fault;
}

// Records the "verified" event of `fault` (the first one; a repeat is ignored).
Status ParseVerified(const std::string& where, const Json& value, Fault& fault) {
  if (fault.verified.has_value()) return Status::Ok();
  auto ok = value.find("ok");
  if (ok == value.end() || !ok->is_boolean()) {
    return Status::InvalidArgument(where + R"(: "verified" without a boolean "ok")");
  }
  fault.verified = ok->get<bool>();
  if (auto reason = value.find("reason"); reason != value.end() && !reason->is_null()) {
    fault.verify_reason = reason->is_string() ? reason->get<std::string>() : reason->dump();
  }
  if (auto probes = value.find("probes"); probes != value.end()) fault.verify_probes = *probes;
  return Status::Ok();
}

// Records the end of `fault` (the first one; heal-all may end what already ended).
Status ParseEnd(const std::string& where, const Event& event, Fault& fault) {
  if (fault.end_index.has_value()) return Status::Ok();
  fault.end_index = event.index;
  fault.end_ns = event.time_ns;
  auto error = event.value.find("error");
  if (error == event.value.end() || error->is_null()) return Status::Ok();
  if (!error->is_string()) {
    return Status::InvalidArgument(where +
                                   ": the end's \"error\" is not a string: " + error->dump());
  }
  fault.error = error->get<std::string>();
  if (fault.error.empty()) fault.error = "(no reason given)";
  return Status::Ok();
}

// Records a phase after the start of `fault`: applied, verified, healing or end.
Status ParsePhase(const std::string& where, const Event& event, const std::string& phase,
                  Fault& fault) {
  if (phase == "verified") return ParseVerified(where, event.value, fault);
  if (phase == "end") return ParseEnd(where, event, fault);
  const bool is_applied = phase == "applied";
  std::optional<int64_t>& index = is_applied ? fault.applied_index : fault.healing_index;
  std::optional<int64_t>& ns = is_applied ? fault.applied_ns : fault.healing_ns;
  if (!index.has_value()) {
    index = event.index;
    ns = event.time_ns;
  }
  return Status::Ok();
}

bool IsFaultEvent(const Event& event) {
  return !event.process.is_client() && event.process.name == "nemesis" && event.value.is_object() &&
         event.value.contains("phase");
}

// Percentile by nearest rank of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

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

Result<std::vector<StatusSample>> ReadStatusSamples(const History& history) {
  std::vector<StatusSample> samples;
  for (const Event& event : history.events) {
    if (event.process.is_client() || event.f != "status") continue;
    ASSIGN_OR_RETURN(StatusSample sample, ParseSample(history, event));
    samples.push_back(std::move(sample));
  }
  return samples;
}

Result<std::vector<Fault>> ReadFaults(const History& history) {
  static const std::set<std::string> kPhases = {"start", "applied", "verified", "healing", "end"};
  std::vector<Fault> faults;
  std::map<int64_t, size_t> by_id;
  for (const Event& event : history.events) {
    if (!IsFaultEvent(event)) continue;
    const std::string where = EventWhere(history, event);
    const Json& phase_json = event.value["phase"];
    auto id = IntField(event.value, "id");
    if (!id.has_value())
      return Status::InvalidArgument(where + ": fault without an integer \"id\"");
    if (!phase_json.is_string() || !kPhases.contains(phase_json.get<std::string>())) {
      return Status::InvalidArgument(where + ": fault phase is " + phase_json.dump() +
                                     R"(, not "start", "applied", "verified", "healing" or "end")");
    }
    const std::string phase = phase_json.get<std::string>();
    auto it = by_id.find(*id);
    if (phase == "start") {
      if (it != by_id.end()) {
        return Status::InvalidArgument(where + ": fault " + std::to_string(*id) +
                                       " starts again (it started on line " +
                                       std::to_string(faults[it->second].line) + ")");
      }
      ASSIGN_OR_RETURN(Fault fault, ParseFaultStart(where, event, *id));
      by_id[*id] = faults.size();
      faults.push_back(std::move(fault));
      continue;
    }
    if (it == by_id.end()) {
      if (phase == "end") {
        return Status::InvalidArgument(where + ": end of fault " + std::to_string(*id) +
                                       ", which never started");
      }
      std::string message = where + ": fault " + std::to_string(*id) + " ";
      message += phase;
      message += ", but it never started";
      return Status::InvalidArgument(message);
    }
    RETURN_IF_ERROR(ParsePhase(where, event, phase, faults[it->second]));
  }
  return faults;
}

int64_t Fault::EffectIndex() const {
  if (name == "kill" || name == "pause") return start_index;
  return applied_index.value_or(start_index);
}

int64_t Fault::EffectNs() const {
  if (name == "kill" || name == "pause") return start_ns;
  return applied_ns.value_or(start_ns);
}

std::optional<int64_t> Fault::InForceUntilIndex() const {
  return healing_index.has_value() ? healing_index : end_index;
}

std::optional<int64_t> Fault::InForceUntilNs() const {
  return healing_ns.has_value() ? healing_ns : end_ns;
}

int64_t ClusterSize(const std::vector<StatusSample>& samples, const std::vector<Fault>& faults) {
  int64_t nodes = 0;
  for (const StatusSample& sample : samples) nodes = std::max(nodes, sample.node);
  for (const Fault& fault : faults) {
    nodes = std::max(nodes, fault.leader);
    for (int64_t target : fault.targets) nodes = std::max(nodes, target);
    for (auto [from, to] : fault.cut) nodes = std::max({nodes, from, to});
  }
  return nodes;
}

bool IsAcknowledgedWrite(const Operation& op) {
  if (op.is_unknown) return false;
  if (op.f == "write" || op.f == "add") return true;
  return op.f == "cas" && !(op.output.is_boolean() && !op.output.get<bool>());
}

bool RemovesLeader(const Fault& fault, int64_t leader, int64_t nodes) {
  if (leader <= 0) return false;
  if (fault.name == "kill" || fault.name == "pause") {
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
  std::vector<StatusSample> samples;
  std::vector<Fault> faults;
  std::vector<Operation> writes;  // acknowledged writes, in invocation order
  std::vector<NoMajorityInterval> no_majority;
  int64_t origin_ns = 0;
  int64_t end_ns = 0;
  int64_t nodes = 0;
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
    if (s.term > f.term) {
      // An election may finish while a cut is still being installed: that is no delay.
      f.new_leader_ns = std::max<int64_t>(0, s.time_ns - fault.EffectNs());
      f.new_leader = s.node;
      f.new_term = s.term;
      return;
    }
    if (fault.end_index.has_value() && s.index > *fault.end_index && s.node == f.leader &&
        s.term == f.term) {
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

Result<FailoverInput> ReadFailoverInput(const History& history) {
  FailoverInput in;
  ASSIGN_OR_RETURN(in.samples, ReadStatusSamples(history));
  ASSIGN_OR_RETURN(in.faults, ReadFaults(history));
  ASSIGN_OR_RETURN(std::vector<Operation> ops, PairOperations(history));
  for (Operation& op : ops) {
    if (IsAcknowledgedWrite(op)) in.writes.push_back(std::move(op));
  }
  std::tie(in.origin_ns, in.end_ns) = TimeSpan(history);
  in.nodes = ClusterSize(in.samples, in.faults);
  in.no_majority = NoMajorityIntervals(in.faults, in.nodes);
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

RunCheckResult CheckFailover(const History& history, const FailoverOptions& options) {
  auto input = ReadFailoverInput(history);
  if (!input.ok()) return UnknownRunCheck(input.status().message());
  const FailoverInput& in = *input;
  Json details = {{"bound_s", options.max_failover_s},
                  {"recovery_bound_s", options.max_recovery_s},
                  {"nodes", in.nodes},
                  {"faults", in.faults.size()},
                  {"faults_failed", 0},
                  {"faults_leader_unknown", 0},
                  {"leader_lost", 0},
                  {"no_majority", 0},
                  {"events", Json::array()},
                  {"violations", Json::array()}};
  Figures figures;
  for (const Fault& fault : in.faults) {
    if (fault.IsFailed()) {
      Increment(details["faults_failed"]);  // never in force: it removed nobody
      continue;
    }
    Failover f{.fault = &fault};
    std::tie(f.leader, f.term) = LeaderAtStart(in, fault);
    if (f.leader == 0 && (fault.name == "kill" || fault.name == "pause" || !fault.cut.empty())) {
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

namespace {

// The answered samples convergence compares: each node's latest in the window, by node.
struct ConvergenceWindow {
  std::map<int64_t, const StatusSample*> latest;
  int64_t start_ns = 0;
};

ConvergenceWindow LatestAfterHeal(const std::vector<StatusSample>& samples,
                                  const std::vector<Fault>& faults, int64_t end_ns) {
  int64_t last_end_index = -1;
  for (const Fault& fault : faults) {
    last_end_index = std::max(last_end_index, fault.end_index.value_or(-1));
  }
  ConvergenceWindow window{.start_ns = end_ns - 1'000'000'000};
  for (const StatusSample& s : samples) {
    if (s.index <= last_end_index || s.time_ns < window.start_ns || !s.is_answered) continue;
    window.latest[s.node] = &s;
  }
  return window;
}

std::string NodeValues(const std::map<int64_t, const StatusSample*>& latest) {
  std::string text;
  for (const auto& [node, s] : latest) {
    if (!text.empty()) text += ", ";
    text += "node " + std::to_string(node) + " applied " + std::to_string(*s->applied);
    if (!s->digest.is_null()) text += " digest " + s->digest.dump();
  }
  return text;
}

// "1,2,3"
std::string NodeList(const Json& nodes) {
  std::string text;
  for (const Json& node : nodes) text += (text.empty() ? "" : ",") + node.dump();
  return text;
}

// "3 nodes report applied index 50 and equal digests" for the nodes that answered; with
// `name_nodes`, "nodes 1,2 report ...".
std::string AgreementText(const ConvergenceWindow& window, int64_t applied, bool has_digests,
                          bool name_nodes) {
  const size_t count = window.latest.size();
  std::string who = std::to_string(count) + " node" + (count == 1 ? "" : "s");
  if (name_nodes) {
    Json answered = Json::array();
    for (const auto& [node, sample] : window.latest) answered.push_back(node);
    who = (count == 1 ? "node " : "nodes ") + NodeList(answered);
  }
  return who + (count == 1 ? " reports" : " report") + " applied index " + std::to_string(applied) +
         (has_digests ? " and equal digests" : "");
}

// The faults' error, or nothing when every fault ended (the cluster was healed).
std::optional<std::string> UnhealedFault(const History& history, const std::vector<Fault>& faults) {
  for (const Fault& fault : faults) {
    if (fault.end_index.has_value()) continue;
    return "fault " + std::to_string(fault.id) + " (" + fault.name + ", " +
           LineWhere(history, fault.line) + ") never ended: the cluster was not healed";
  }
  return std::nullopt;
}

}  // namespace

RunCheckResult CheckConvergence(const History& history, const ConvergenceOptions& options) {
  auto samples = ReadStatusSamples(history);
  if (!samples.ok()) return UnknownRunCheck(samples.status().message());
  auto faults = ReadFaults(history);
  if (!faults.ok()) return UnknownRunCheck(faults.status().message());
  if (auto unhealed = UnhealedFault(history, *faults)) return UnknownRunCheck(*unhealed);
  const auto [origin_ns, end_ns] = TimeSpan(history);
  const ConvergenceWindow window = LatestAfterHeal(*samples, *faults, end_ns);
  const int64_t nodes = options.nodes > 0 ? options.nodes : ClusterSize(*samples, *faults);
  Json details = {{"window_start_s", Seconds(window.start_ns - origin_ns)},
                  {"cluster_nodes", nodes},
                  {"nodes", Json::object()},
                  {"not_answering", Json::array()}};
  for (int64_t node = 1; node <= nodes; ++node) {
    if (!window.latest.contains(node)) details["not_answering"].push_back(node);
  }
  if (window.latest.empty()) {
    return UnknownRunCheck(
        "no node answered a status sample in the last second of the history after the last "
        "fault ended",
        std::move(details));
  }
  std::set<int64_t> applied;
  std::set<std::string> digests;
  for (const auto& [node, s] : window.latest) {
    if (!s->applied.has_value()) {
      return UnknownRunCheck(
          LineWhere(history, s->line) + ": status sample without an integer \"applied\"",
          std::move(details));
    }
    applied.insert(*s->applied);
    if (!s->digest.is_null()) digests.insert(s->digest.dump());
    details["nodes"][std::to_string(node)] = {{"applied", *s->applied}, {"digest", s->digest}};
  }
  if (applied.size() > 1 || digests.size() > 1) {
    return {Verdict::kInvalid,
            "replicas differ after the last fault healed: " + NodeValues(window.latest),
            std::move(details)};
  }
  const Json& silent = details["not_answering"];
  const std::string agreement =
      AgreementText(window, *applied.begin(), !digests.empty(), !silent.empty());
  if (!silent.empty()) {
    std::string summary = std::string(silent.size() == 1 ? "node " : "nodes ") + NodeList(silent) +
                          " did not answer a status sample in the last second after heal; " +
                          agreement;
    return UnknownRunCheck(std::move(summary), std::move(details));
  }
  return {Verdict::kValid, agreement + " in the last second after heal", std::move(details)};
}

}  // namespace checker

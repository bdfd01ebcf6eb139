#include "checker/failover_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace checker {
namespace {

std::optional<int64_t> IntField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

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
  return fault;
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
  std::vector<Fault> faults;
  std::map<int64_t, size_t> by_id;
  for (const Event& event : history.events) {
    if (!IsFaultEvent(event)) continue;
    const std::string where = EventWhere(history, event);
    const Json& phase = event.value["phase"];
    auto id = IntField(event.value, "id");
    if (!id.has_value())
      return Status::InvalidArgument(where + ": fault without an integer \"id\"");
    if (phase == "start") {
      if (auto it = by_id.find(*id); it != by_id.end()) {
        return Status::InvalidArgument(where + ": fault " + std::to_string(*id) +
                                       " starts again (it started on line " +
                                       std::to_string(faults[it->second].line) + ")");
      }
      ASSIGN_OR_RETURN(Fault fault, ParseFaultStart(where, event, *id));
      by_id[*id] = faults.size();
      faults.push_back(std::move(fault));
    } else if (phase == "applied") {
      auto it = by_id.find(*id);
      if (it == by_id.end()) {
        return Status::InvalidArgument(where + ": fault " + std::to_string(*id) +
                                       " applied, but it never started");
      }
      Fault& fault = faults[it->second];
      if (!fault.applied_index.has_value()) fault.applied_index = event.index;
    } else if (phase == "end") {
      auto it = by_id.find(*id);
      if (it == by_id.end()) {
        return Status::InvalidArgument(where + ": end of fault " + std::to_string(*id) +
                                       ", which never started");
      }
      Fault& fault = faults[it->second];
      if (fault.end_index.has_value()) continue;
      fault.end_index = event.index;
      fault.end_ns = event.time_ns;
    } else {
      return Status::InvalidArgument(where + ": fault phase is " + phase.dump() +
                                     R"(, not "start", "applied" or "end")");
    }
  }
  return faults;
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
  int64_t origin_ns = 0;
  int64_t end_ns = 0;
  int64_t nodes = 0;
};

// One fault that removed the leader, and what followed.
struct Failover {
  const Fault* fault = nullptr;
  int64_t leader = 0;
  int64_t term = 0;
  std::optional<int64_t> new_leader_ns;  // durations from the fault start
  int64_t new_leader = 0;
  int64_t new_term = 0;
  bool is_leader_kept = false;
  std::optional<int64_t> first_write_ns;
  std::optional<int64_t> unavailable_ns;
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
      f.new_leader_ns = s.time_ns - fault.start_ns;
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
  f.first_write_ns = *first_ns - fault.start_ns;
  f.unavailable_ns = *first_ns - last_before_ns.value_or(fault.start_ns);
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
  return in;
}

Json OptionalSeconds(const std::optional<int64_t>& ns) {
  return ns.has_value() ? Json(Seconds(*ns)) : Json(nullptr);
}

Json FailoverJson(const FailoverInput& in, const Failover& f) {
  const Fault& fault = *f.fault;
  return {{"id", fault.id},
          {"fault", fault.name},
          {"start_s", Seconds(fault.start_ns - in.origin_ns)},
          {"end_s",
           fault.end_ns.has_value() ? Json(Seconds(*fault.end_ns - in.origin_ns)) : Json(nullptr)},
          {"leader", f.leader},
          {"term", f.term},
          {"new_leader_s", OptionalSeconds(f.new_leader_ns)},
          {"new_leader", f.new_leader_ns.has_value() ? Json(f.new_leader) : Json(nullptr)},
          {"new_term", f.new_leader_ns.has_value() ? Json(f.new_term) : Json(nullptr)},
          {"leader_kept", f.is_leader_kept},
          {"first_write_s", OptionalSeconds(f.first_write_ns)},
          {"unavailable_s", OptionalSeconds(f.unavailable_ns)}};
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

std::vector<std::string> Violations(const FailoverInput& in, const Failover& f, double bound_s) {
  const Fault& fault = *f.fault;
  const int64_t remaining_ns = in.end_ns - fault.start_ns;
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
  std::string reason = "fault " + std::to_string(fault.id) + " (" + fault.name + " of leader " +
                       std::to_string(f.leader) + " at " +
                       Fixed(Seconds(fault.start_ns - in.origin_ns), 3) + " s): ";
  for (size_t i = 0; i < found.size(); ++i) reason += (i > 0 ? ", " : "") + found[i];
  return {reason + ", over the " + Fixed(bound_s, 1) + " s bound"};
}

std::string MedianMax(const Json& distribution) {
  if (distribution["count"] == 0) return "n/a";
  return "median " + Fixed(distribution["median"].get<double>(), 3) + " s, max " +
         Fixed(distribution["max"].get<double>(), 3) + " s";
}

std::string ValidSummary(const Json& details, size_t count) {
  return std::to_string(count) + " fault" + (count == 1 ? "" : "s") +
         " removed the leader: new leader " + MedianMax(details["new_leader_s"]) +
         "; first acknowledged write " + MedianMax(details["first_write_s"]) + "; unavailability " +
         MedianMax(details["unavailable_s"]) + " (bound " +
         Fixed(details["bound_s"].get<double>(), 1) + " s)";
}

}  // namespace

RunCheckResult CheckFailover(const History& history, const FailoverOptions& options) {
  auto input = ReadFailoverInput(history);
  if (!input.ok()) return UnknownRunCheck(input.status().message());
  const FailoverInput& in = *input;
  Json details = {{"bound_s", options.max_failover_s}, {"nodes", in.nodes},
                  {"faults", in.faults.size()},        {"events", Json::array()},
                  {"violations", Json::array()},       {"faults_leader_unknown", 0}};
  std::vector<double> new_leader_s, first_write_s, unavailable_s;
  for (const Fault& fault : in.faults) {
    Failover f{.fault = &fault};
    std::tie(f.leader, f.term) = LeaderAtStart(in, fault);
    if (f.leader == 0 && (fault.name == "kill" || fault.name == "pause" || !fault.cut.empty())) {
      details["faults_leader_unknown"] = details["faults_leader_unknown"].get<int64_t>() + 1;
    }
    if (!RemovesLeader(fault, f.leader, in.nodes)) continue;
    MeasureNewLeader(in, f);
    MeasureWrites(in, f);
    if (f.new_leader_ns) new_leader_s.push_back(Seconds(*f.new_leader_ns));
    if (f.first_write_ns) first_write_s.push_back(Seconds(*f.first_write_ns));
    if (f.unavailable_ns) unavailable_s.push_back(Seconds(*f.unavailable_ns));
    details["events"].push_back(FailoverJson(in, f));
    for (std::string& v : Violations(in, f, options.max_failover_s)) {
      details["violations"].push_back(std::move(v));
    }
  }
  details["new_leader_s"] = Distribution(std::move(new_leader_s));
  details["first_write_s"] = Distribution(std::move(first_write_s));
  details["unavailable_s"] = Distribution(std::move(unavailable_s));
  const size_t count = details["events"].size();
  const Json& violations = details["violations"];
  if (!violations.empty()) {
    std::string summary = violations[0].get<std::string>();
    if (violations.size() > 1) {
      summary += " (" + std::to_string(violations.size() - 1) + " more in details)";
    }
    return {Verdict::kInvalid, std::move(summary), std::move(details)};
  }
  if (count == 0) return {Verdict::kValid, "no fault removed the leader", std::move(details)};
  std::string summary = ValidSummary(details, count);
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

}  // namespace

RunCheckResult CheckConvergence(const History& history) {
  auto samples = ReadStatusSamples(history);
  if (!samples.ok()) return UnknownRunCheck(samples.status().message());
  auto faults = ReadFaults(history);
  if (!faults.ok()) return UnknownRunCheck(faults.status().message());
  for (const Fault& fault : *faults) {
    if (fault.end_index.has_value()) continue;
    return UnknownRunCheck("fault " + std::to_string(fault.id) + " (" + fault.name + ", " +
                           LineWhere(history, fault.line) +
                           ") never ended: the cluster was not healed");
  }
  const auto [origin_ns, end_ns] = TimeSpan(history);
  const ConvergenceWindow window = LatestAfterHeal(*samples, *faults, end_ns);
  Json details = {{"window_start_s", Seconds(window.start_ns - origin_ns)},
                  {"nodes", Json::object()},
                  {"not_answering", Json::array()}};
  for (int64_t node = 1; node <= ClusterSize(*samples, *faults); ++node) {
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
  std::string summary =
      std::to_string(window.latest.size()) + " node" + (window.latest.size() == 1 ? "" : "s") +
      " report applied index " + std::to_string(*applied.begin()) +
      (digests.empty() ? std::string() : " and equal digests") + " in the last second after heal";
  const size_t silent = details["not_answering"].size();
  if (silent > 0) summary += "; " + std::to_string(silent) + " did not answer";
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

#include "checker/run_history.h"

#include <algorithm>
#include <map>
#include <set>

#include "checker/json_util.h"
#include "checker/run_check_result.h"

namespace checker {
namespace {

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
                std::vector<std::pair<int64_t, int64_t>>& out, const char* key = "cut") {
  auto it = value.find(key);
  if (it == value.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) {
    return Status::InvalidArgument(where + ": \"" + key + "\" is not an array");
  }
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
  RETURN_IF_ERROR(ParseCut(event.value, where, fault.shaped_links, "links"));
  if (auto it = event.value.find("shape"); it != event.value.end() && !it->is_null()) {
    if (!it->is_object()) {
      return Status::InvalidArgument(where + ": \"shape\" is not an object: " + it->dump());
    }
    fault.shape = *it;
  }
  for (auto [field, out] : {std::pair{"leader", &fault.leader}, std::pair{"term", &fault.term}}) {
    auto it = event.value.find(field);
    if (it == event.value.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return Status::InvalidArgument(where + ": \"" + field +
                                     "\" is not a non-negative integer: " + it->dump());
    }
    *out = it->get<int64_t>();
  }
  if (auto it = event.value.find("rate"); it != event.value.end() && !it->is_null()) {
    if (!it->is_number() || !(it->get<double>() > 0)) {
      return Status::InvalidArgument(where + ": \"rate\" is not a positive number: " + it->dump());
    }
    fault.rate = it->get<double>();
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

std::vector<LeaderTenure> LeaderTenures(const std::vector<StatusSample>& samples) {
  std::vector<LeaderTenure> tenures;
  std::map<std::pair<int64_t, int64_t>, size_t> by_leader;  // (node, term) -> position
  for (size_t i = 0; i < samples.size(); ++i) {
    const StatusSample& s = samples[i];
    if (!s.is_answered || s.role != "leader") continue;
    auto [it, inserted] = by_leader.try_emplace({s.node, s.term}, tenures.size());
    if (inserted) tenures.push_back({.node = s.node, .term = s.term, .first_sample = i});
    LeaderTenure& tenure = tenures[it->second];
    tenure.last_sample = i;
    ++tenure.sample_count;
  }
  return tenures;
}

Result<std::vector<RecordedNodeLog>> ReadNodeLogs(const History& history) {
  std::vector<RecordedNodeLog> logs;
  std::map<int, int64_t> seen;  // node -> the index of its log's event
  for (const Event& event : history.events) {
    if (!IsNodeLogEvent(event)) continue;
    ASSIGN_OR_RETURN(NodeLog log, ParseNodeLogEvent(history, event));
    auto [it, inserted] = seen.try_emplace(log.node, event.index);
    if (!inserted) {
      return Status::InvalidArgument(EventWhere(history, event) + ": a second node log of node " +
                                     std::to_string(log.node) + " (the first is event " +
                                     std::to_string(it->second) + ")");
    }
    logs.push_back({.log = std::move(log), .index = event.index, .line = event.line});
  }
  return logs;
}

// Parses the samples, faults and node logs into `run`; the first error, if any.
Status ReadParts(RunHistory& run) {
  ASSIGN_OR_RETURN(run.samples, ReadStatusSamples(run.history));
  ASSIGN_OR_RETURN(run.faults, ReadFaults(run.history));
  ASSIGN_OR_RETURN(run.node_logs, ReadNodeLogs(run.history));
  return Status::Ok();
}

}  // namespace

RunHistory ReadRunHistory(History history) {
  RunHistory run{.history = std::move(history)};
  const std::vector<Event>& events = run.history.events;
  if (!events.empty()) run.origin_ns = events.front().time_ns;
  for (const Event& event : events) run.end_ns = std::max(run.end_ns, event.time_ns);
  run.status = ReadParts(run);
  run.leader_tenures = LeaderTenures(run.samples);
  run.nodes = ClusterSize(run.samples, run.faults);
  auto operations = PairOperations(run.history);
  if (operations.ok()) {
    run.operations = std::move(*operations);
  } else {
    run.operations_status = operations.status();
  }
  return run;
}

std::string RunHistory::LineWhere(int64_t line) const {
  return (history.source.empty() ? std::string("history") : history.source) + ":" +
         std::to_string(line);
}

std::string RunHistory::Where(int64_t line, int64_t index) const {
  return EventWhere(history, Event{.index = index, .line = line});
}

int64_t Fault::EffectIndex() const {
  if (StopsNodes()) return start_index;
  return applied_index.value_or(start_index);
}

int64_t Fault::EffectNs() const {
  if (StopsNodes()) return start_ns;
  return applied_ns.value_or(start_ns);
}

std::optional<int64_t> Fault::InForceUntilIndex() const {
  return healing_index.has_value() ? healing_index : end_index;
}

std::optional<int64_t> Fault::InForceUntilNs() const {
  return healing_ns.has_value() ? healing_ns : end_ns;
}

bool IsAcknowledgedWrite(const Operation& op) {
  if (op.is_unknown) return false;
  if (op.f == "write" || op.f == "add") return true;
  return op.f == "cas" && !(op.output.is_boolean() && !op.output.get<bool>());
}

}  // namespace checker

#include "checker/set_check.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace checker {
namespace {

constexpr size_t kExamples = 10;  // elements listed per anomaly in details

struct OpenOp {
  std::string f;
  Json value;
  Json node;
};

struct FinalRead {
  Json node;  // the node number, or null when the event did not say
  std::set<int64_t> present;
  std::string where;
};

struct SetHistory {
  std::set<int64_t> ok, fail, info;
  std::vector<FinalRead> reads;
  Json failed_reads = Json::array();
  int64_t highest_node = 0;  // in final reads and status samples
};

Json NodeOf(const Event& event) {
  if (event.extra.is_object()) {
    auto it = event.extra.find("node");
    if (it != event.extra.end()) return *it;
  }
  return nullptr;
}

// Raises `highest` to the node a final read or status sample names.
void NoteNode(const Event& event, int64_t& highest) {
  const Json* node = nullptr;
  if (event.f == "final-read" && event.process.is_client()) {
    if (event.extra.is_object() && event.extra.contains("node")) node = &event.extra["node"];
  } else if (event.f == "status" && !event.process.is_client() && event.value.is_object()) {
    if (event.value.contains("node")) node = &event.value["node"];
  }
  if (node != nullptr && node->is_number_integer()) {
    highest = std::max(highest, node->get<int64_t>());
  }
}

// Pairs the adds and final reads; an error message naming FILE:LINE when the history is
// malformed.
std::optional<std::string> Collect(const History& history, SetHistory& out) {
  std::map<int64_t, OpenOp> open;  // process -> its open add or final read
  for (const Event& event : history.events) {
    NoteNode(event, out.highest_node);
    if (!event.process.is_client() || (event.f != "add" && event.f != "final-read")) continue;
    const std::string where = EventWhere(history, event);
    const int64_t process = event.process.id;
    if (event.type == EventType::kInvoke) {
      if (open.contains(process)) {
        return where + ": invoke for process " + std::to_string(process) +
               ", whose previous operation is still open";
      }
      if (event.f == "add" && !event.value.is_number_integer()) {
        return where + ": add of a value that is not an integer: " + event.value.dump();
      }
      open[process] = {event.f, event.value, NodeOf(event)};
      continue;
    }
    auto it = open.find(process);
    if (it == open.end() || it->second.f != event.f) {
      return where + ": " + std::string(EventTypeName(event.type)) + " " + event.f +
             " for process " + std::to_string(process) + ", which has no open " + event.f;
    }
    OpenOp op = std::move(it->second);
    open.erase(it);
    if (op.f == "add") {
      const int64_t element = op.value.get<int64_t>();
      if (event.type == EventType::kOk) out.ok.insert(element);
      if (event.type == EventType::kFail) out.fail.insert(element);
      if (event.type == EventType::kInfo) out.info.insert(element);
      continue;
    }
    Json node = NodeOf(event).is_null() ? op.node : NodeOf(event);
    if (event.type != EventType::kOk) {
      Json error = event.extra.is_object() ? event.extra.value("error", Json()) : Json();
      out.failed_reads.push_back({{"node", node}, {"error", error}});
      continue;
    }
    if (!event.value.is_array()) {
      return where + ": final-read returned " + event.value.dump() + ", not a list of integers";
    }
    FinalRead read{node, {}, where};
    for (const Json& element : event.value) {
      if (!element.is_number_integer()) {
        return where + ": final-read returned a non-integer element " + element.dump();
      }
      read.present.insert(element.get<int64_t>());
    }
    out.reads.push_back(std::move(read));
  }
  for (const auto& [process, op] : open) {
    if (op.f == "add") out.info.insert(op.value.get<int64_t>());  // never completed: unknown
  }
  return std::nullopt;
}

std::vector<int64_t> Difference(const std::set<int64_t>& a, const std::set<int64_t>& b) {
  std::vector<int64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<int64_t> Intersection(const std::set<int64_t>& a, const std::set<int64_t>& b) {
  std::vector<int64_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Json Examples(const std::vector<int64_t>& elements) {
  Json out = Json::array();
  for (size_t i = 0; i < elements.size() && i < kExamples; ++i) out.push_back(elements[i]);
  return out;
}

std::string NodeName(const Json& node) {
  return node.is_null() ? std::string("an unnamed node") : "node " + node.dump();
}

// "1,2,4"
std::string JoinNodes(const std::vector<int64_t>& nodes) {
  std::string out;
  for (int64_t node : nodes) out += (out.empty() ? "" : ",") + std::to_string(node);
  return out;
}

// Compares each successful final read with the adds: the per-node figures go to details, the
// totals too; returns the first anomaly's description (empty when there is none).
std::string CompareReads(const SetHistory& set, const std::set<int64_t>& attempted,
                         size_t& recovered_min, Json& details) {
  Json nodes = Json::array();
  size_t lost_total = 0, unexpected_total = 0, failed_present_total = 0;
  std::string first_anomaly;
  for (const FinalRead& read : set.reads) {
    const auto lost = Difference(set.ok, read.present);
    const auto unexpected = Difference(read.present, attempted);
    const auto recovered = Intersection(set.info, read.present);
    const auto failed_present = Intersection(set.fail, read.present);
    lost_total += lost.size();
    unexpected_total += unexpected.size();
    failed_present_total += failed_present.size();
    recovered_min = std::min(recovered_min, recovered.size());
    nodes.push_back({{"node", read.node},
                     {"read", read.present.size()},
                     {"lost", lost.size()},
                     {"lost_examples", Examples(lost)},
                     {"unexpected", unexpected.size()},
                     {"unexpected_examples", Examples(unexpected)},
                     {"recovered", recovered.size()},
                     {"failed_present", failed_present.size()},
                     {"failed_present_examples", Examples(failed_present)}});
    if (!first_anomaly.empty()) continue;
    const std::string who = NodeName(read.node) + " (final read at " + read.where + ")";
    if (!lost.empty()) {
      first_anomaly = who + " lost " + std::to_string(lost.size()) + " of " +
                      std::to_string(set.ok.size()) + " acknowledged adds, e.g. " +
                      Examples(lost).dump();
    } else if (!unexpected.empty()) {
      first_anomaly = who + " read " + std::to_string(unexpected.size()) +
                      " elements never added, e.g. " + Examples(unexpected).dump();
    } else if (!failed_present.empty()) {
      first_anomaly = who + " holds " + std::to_string(failed_present.size()) +
                      " elements whose add failed, e.g. " + Examples(failed_present).dump();
    }
  }
  details["nodes"] = std::move(nodes);
  details["lost"] = lost_total;
  details["unexpected"] = unexpected_total;
  details["failed_present"] = failed_present_total;
  return first_anomaly;
}

// The expected nodes (1..n) without a successful final read, and why, one clause each:
// "final read of node 3 failed: deadline exceeded", "no final read of node 4".
std::vector<int64_t> MissingReads(const SetHistory& set, int64_t nodes,
                                  std::vector<std::string>& reasons) {
  std::set<int64_t> read;
  for (const FinalRead& r : set.reads) {
    if (r.node.is_number_integer()) read.insert(r.node.get<int64_t>());
  }
  std::map<int64_t, Json> errors;  // node -> the error of its last failed final read
  for (const Json& failed : set.failed_reads) {
    if (failed["node"].is_number_integer()) errors[failed["node"].get<int64_t>()] = failed["error"];
  }
  std::vector<int64_t> missing;
  for (int64_t node = 1; node <= nodes; ++node) {
    if (read.contains(node)) continue;
    missing.push_back(node);
    auto it = errors.find(node);
    if (it == errors.end()) {
      reasons.push_back("no final read of node " + std::to_string(node));
    } else {
      const Json& error = it->second;
      reasons.push_back(
          "final read of node " + std::to_string(node) + " failed" +
          (error.is_null() ? ""
                           : ": " + (error.is_string() ? error.get<std::string>() : error.dump())));
    }
  }
  return missing;
}

// "nodes 1,2,4 read 812 elements, none lost" about the successful final reads.
std::string WhatWasRead(const SetHistory& set) {
  std::vector<int64_t> named;
  size_t fewest = SIZE_MAX, most = 0;
  for (const FinalRead& read : set.reads) {
    if (read.node.is_number_integer()) named.push_back(read.node.get<int64_t>());
    fewest = std::min(fewest, read.present.size());
    most = std::max(most, read.present.size());
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  const size_t unnamed = std::count_if(set.reads.begin(), set.reads.end(),
                                       [](const FinalRead& r) { return r.node.is_null(); });
  std::string who =
      named.empty() ? "" : (named.size() == 1 ? "node " : "nodes ") + JoinNodes(named);
  if (unnamed > 0) {
    who += (who.empty() ? "" : " and ") + std::to_string(unnamed) + " unnamed node" +
           (unnamed == 1 ? "" : "s");
  }
  const std::string count = fewest == most ? std::to_string(most)
                                           : std::to_string(fewest) + " to " + std::to_string(most);
  return who + " read " + count + " elements, none lost";
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

}  // namespace

RunCheckResult CheckSet(const RunHistory& run, const SetCheckOptions& options) {
  SetHistory set;
  if (auto error = Collect(run.history, set)) return UnknownRunCheck(*error);
  std::set<int64_t> attempted = set.ok;
  attempted.insert(set.fail.begin(), set.fail.end());
  attempted.insert(set.info.begin(), set.info.end());

  Json details = {
      {"adds", {{"ok", set.ok.size()}, {"fail", set.fail.size()}, {"info", set.info.size()}}},
      {"attempted", attempted.size()},
      {"failed_reads", set.failed_reads}};
  size_t recovered_min = set.info.size();
  const std::string first_anomaly = CompareReads(set, attempted, recovered_min, details);
  std::vector<std::string> reasons;
  const int64_t nodes = options.nodes > 0 ? options.nodes : set.highest_node;
  const std::vector<int64_t> missing = MissingReads(set, nodes, reasons);
  details["missing_reads"] = missing;

  if (!first_anomaly.empty()) return {Verdict::kInvalid, first_anomaly, std::move(details)};
  if (set.reads.empty()) {
    std::string summary =
        "no final read succeeded (" + std::to_string(set.failed_reads.size()) + " failed)";
    if (!reasons.empty()) summary += ": " + Join(reasons);
    return UnknownRunCheck(std::move(summary), std::move(details));
  }
  if (!missing.empty()) {
    reasons.push_back(WhatWasRead(set));
    return UnknownRunCheck(Join(reasons), std::move(details));
  }
  std::string summary = "all " + std::to_string(set.ok.size()) + " acknowledged adds present on " +
                        std::to_string(set.reads.size()) + " node" +
                        (set.reads.size() == 1 ? "" : "s") + ", nothing unexpected";
  if (!set.info.empty()) {
    summary += "; at least " + std::to_string(recovered_min) + " of " +
               std::to_string(set.info.size()) + " indeterminate adds recovered";
  }
  if (!set.failed_reads.empty()) {
    summary += "; " + std::to_string(set.failed_reads.size()) + " final reads failed";
  }
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

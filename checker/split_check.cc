#include "checker/split_check.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "checker/failover_check.h"

namespace checker {
namespace {

using Group = std::vector<int64_t>;

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

// The groups of nodes 1..nodes joined by chains of two-way links that `cut` leaves, each sorted,
// in order of their smallest node.
std::vector<Group> Components(const std::vector<std::pair<int64_t, int64_t>>& cut, int64_t nodes) {
  const std::set<std::pair<int64_t, int64_t>> dropped(cut.begin(), cut.end());
  auto linked = [&dropped](int64_t a, int64_t b) {
    return !dropped.contains({a, b}) && !dropped.contains({b, a});
  };
  std::vector<bool> seen(static_cast<size_t>(nodes) + 1, false);
  std::vector<Group> groups;
  for (int64_t first = 1; first <= nodes; ++first) {
    if (seen[static_cast<size_t>(first)]) continue;
    Group group;
    std::vector<int64_t> frontier = {first};
    seen[static_cast<size_t>(first)] = true;
    while (!frontier.empty()) {
      const int64_t node = frontier.back();
      frontier.pop_back();
      group.push_back(node);
      for (int64_t other = 1; other <= nodes; ++other) {
        if (seen[static_cast<size_t>(other)] || !linked(node, other)) continue;
        seen[static_cast<size_t>(other)] = true;
        frontier.push_back(other);
      }
    }
    std::sort(group.begin(), group.end());
    groups.push_back(std::move(group));
  }
  return groups;
}

// The two halves when `fault` splits the cluster exactly in half, or nothing.
std::optional<std::vector<Group>> Halves(const Fault& fault, int64_t nodes) {
  if (fault.cut.empty() || nodes < 2 || nodes % 2 != 0) return std::nullopt;
  std::vector<Group> groups = Components(fault.cut, nodes);
  if (groups.size() != 2 || static_cast<int64_t>(groups[0].size()) * 2 != nodes) {
    return std::nullopt;
  }
  return groups;
}

std::string GroupText(const Group& group) {
  std::string text = "[";
  for (size_t i = 0; i < group.size(); ++i) text += (i > 0 ? "," : "") + std::to_string(group[i]);
  return text + "]";
}

// The history's clock origin and end.
std::pair<int64_t, int64_t> TimeSpan(const History& history) {
  if (history.events.empty()) return {0, 0};
  int64_t end = 0;
  for (const Event& event : history.events) end = std::max(end, event.time_ns);
  return {history.events.front().time_ns, end};
}

std::string Where(const History& history, int64_t line) {
  return (history.source.empty() ? std::string("history") : history.source) + ":" +
         std::to_string(line);
}

struct SplitInput {
  std::vector<Fault> faults;
  std::vector<Operation> writes;  // acknowledged writes
  int64_t nodes = 0;
  int64_t origin_ns = 0;
  int64_t end_ns = 0;
};

Result<SplitInput> ReadSplitInput(const History& history) {
  SplitInput in;
  ASSIGN_OR_RETURN(std::vector<StatusSample> samples, ReadStatusSamples(history));
  ASSIGN_OR_RETURN(in.faults, ReadFaults(history));
  ASSIGN_OR_RETURN(std::vector<Operation> ops, PairOperations(history));
  for (Operation& op : ops) {
    if (IsAcknowledgedWrite(op)) in.writes.push_back(std::move(op));
  }
  in.nodes = ClusterSize(samples, in.faults);
  std::tie(in.origin_ns, in.end_ns) = TimeSpan(history);
  return in;
}

// The summary of the first write acknowledged during a split.
std::string ViolationText(const History& history, const SplitInput& in, const Operation& op,
                          const Fault& fault, const std::vector<Group>& halves) {
  std::string text = Where(history, op.line) + ": " + op.f + " " + op.input.dump();
  if (!op.key.is_null())
    text += " to key " + (op.key.is_string() ? op.key.get<std::string>() : op.key.dump());
  return text + " by process " + std::to_string(op.process) + " was acknowledged at " +
         Fixed(Seconds(op.ret_time_ns - in.origin_ns), 3) + " s while fault " +
         std::to_string(fault.id) + " (" + fault.name + ", " + Where(history, fault.line) +
         ") split the " + std::to_string(in.nodes) + " nodes into " + GroupText(halves[0]) + " | " +
         GroupText(halves[1]) + ", neither a majority";
}

Json ViolationJson(const SplitInput& in, const Operation& op, const Fault& fault) {
  return {{"line", op.line},   {"process", op.process},
          {"f", op.f},         {"key", op.key},
          {"value", op.input}, {"ack_s", Seconds(op.ret_time_ns - in.origin_ns)},
          {"fault", fault.id}};
}

}  // namespace

RunCheckResult CheckSplitWithoutMajority(const History& history) {
  auto input = ReadSplitInput(history);
  if (!input.ok()) return UnknownRunCheck(input.status().message());
  const SplitInput& in = *input;
  Json details = {{"nodes", in.nodes}, {"splits", Json::array()}, {"violations", Json::array()}};
  std::string first_violation;  // the earliest acknowledgement during any split
  int64_t first_ret = Operation::kNever;
  for (const Fault& fault : in.faults) {
    const auto halves = Halves(fault, in.nodes);
    if (!halves.has_value()) continue;
    const int64_t end_index = fault.end_index.value_or(Operation::kNever);
    int64_t acknowledged = 0;
    for (const Operation& op : in.writes) {
      if (op.call <= fault.start_index || op.ret >= end_index) continue;
      ++acknowledged;
      details["violations"].push_back(ViolationJson(in, op, fault));
      if (op.ret < first_ret) {
        first_ret = op.ret;
        first_violation = ViolationText(history, in, op, fault, *halves);
      }
    }
    details["splits"].push_back(
        {{"id", fault.id},
         {"fault", fault.name},
         {"start_s", Seconds(fault.start_ns - in.origin_ns)},
         {"end_s", Seconds(fault.end_ns.value_or(in.end_ns) - in.origin_ns)},
         {"halves", *halves},
         {"writes_acknowledged", acknowledged}});
  }
  const size_t violations = details["violations"].size();
  if (violations > 0) {
    if (violations > 1) {
      first_violation += " (" + std::to_string(violations) + " writes acknowledged in all)";
    }
    return {Verdict::kInvalid, std::move(first_violation), std::move(details)};
  }
  const size_t splits = details["splits"].size();
  const std::string cluster = std::to_string(in.nodes) + " nodes";
  if (splits == 0) {
    std::string summary = "no fault split the cluster into two halves without a majority (" +
                          cluster + (in.nodes % 2 != 0 ? ", an odd number)" : ")");
    return {Verdict::kValid, std::move(summary), std::move(details)};
  }
  std::string summary = "no write acknowledged during " + std::to_string(splits) + " split" +
                        (splits == 1 ? "" : "s") + " of the " + cluster + " into halves";
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

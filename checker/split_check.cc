#include "checker/split_check.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "checker/connectivity.h"
#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

struct SplitInput {
  const RunHistory& run;
  std::map<int64_t, const Fault*> by_id;
  std::vector<NoMajorityInterval> intervals;
  std::vector<Operation> writes;  // acknowledged writes
  int64_t nodes = 0;
  int64_t origin_ns = 0;
  int64_t end_ns = 0;
};

SplitInput ReadSplitInput(const RunHistory& run) {
  SplitInput in{.run = run, .nodes = run.nodes, .origin_ns = run.origin_ns, .end_ns = run.end_ns};
  for (const Operation& op : run.operations) {
    if (IsAcknowledgedWrite(op)) in.writes.push_back(op);
  }
  for (const Fault& fault : run.faults) in.by_id[fault.id] = &fault;
  in.intervals = NoMajorityIntervals(run.faults, in.nodes);
  return in;
}

// "fault 5 (partition-halves, h.jsonl:5)" or "faults 3 (kill, h.jsonl:4) and 5 (...)".
std::string FaultsText(const SplitInput& in, const NoMajorityInterval& interval) {
  std::string text = interval.faults.size() == 1 ? "fault " : "faults ";
  for (size_t i = 0; i < interval.faults.size(); ++i) {
    if (i > 0) text += i + 1 == interval.faults.size() ? " and " : ", ";
    const Fault& fault = *in.by_id.at(interval.faults[i]);
    text +=
        std::to_string(fault.id) + " (" + fault.name + ", " + in.run.LineWhere(fault.line) + ")";
  }
  return text;
}

// The summary of the first write acknowledged without a majority.
std::string ViolationText(const SplitInput& in, const Operation& op,
                          const NoMajorityInterval& interval) {
  std::string text = in.run.LineWhere(op.line) + ": " + op.f + " " + op.input.dump();
  if (!op.key.is_null())
    text += " to key " + (op.key.is_string() ? op.key.get<std::string>() : op.key.dump());
  const bool is_split = interval.faults.size() == 1 && interval.at_start.down.empty();
  return text + " by process " + std::to_string(op.process) + " was acknowledged at " +
         Fixed(Seconds(op.ret_time_ns - in.origin_ns), 3) + " s while " + FaultsText(in, interval) +
         (is_split ? " split the " : " left the ") + std::to_string(in.nodes) + " nodes" +
         (is_split ? " into " : " as ") + DescribeGroups(interval.at_start);
}

Json ViolationJson(const SplitInput& in, const Operation& op, const NoMajorityInterval& interval) {
  return {{"line", op.line},
          {"process", op.process},
          {"f", op.f},
          {"key", op.key},
          {"value", op.input},
          {"ack_s", Seconds(op.ret_time_ns - in.origin_ns)},
          {"fault", interval.start_fault},
          {"faults", interval.faults}};
}

Json SplitJson(const SplitInput& in, const NoMajorityInterval& interval, int64_t acknowledged) {
  const Connectivity& state = interval.at_start;
  return {{"id", interval.start_fault},
          {"fault", in.by_id.at(interval.start_fault)->name},
          {"faults", interval.faults},
          {"start_s", Seconds(interval.start_ns - in.origin_ns)},
          {"end_s", Seconds(interval.end_ns.value_or(in.end_ns) - in.origin_ns)},
          {"groups", LiveGroups(state)},
          {"down", std::vector<int64_t>(state.down.begin(), state.down.end())},
          {"writes_acknowledged", acknowledged}};
}

std::string ValidSummary(const SplitInput& in, size_t intervals) {
  const std::string cluster = std::to_string(in.nodes) + " nodes";
  if (intervals == 0) return "no fault left the " + cluster + " without a majority";
  return "no write acknowledged during " + std::to_string(intervals) + " interval" +
         (intervals == 1 ? "" : "s") + " without a majority of the " + cluster;
}

}  // namespace

RunCheckResult CheckSplitWithoutMajority(const RunHistory& run) {
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  if (!run.operations_status.ok()) return UnknownRunCheck(run.operations_status.message());
  const SplitInput in = ReadSplitInput(run);
  Json details = {{"nodes", in.nodes}, {"splits", Json::array()}, {"violations", Json::array()}};
  std::string first_violation;  // the earliest acknowledgement without a majority
  int64_t first_ret = Operation::kNever;
  for (const NoMajorityInterval& interval : in.intervals) {
    const int64_t end_index = interval.end_index.value_or(Operation::kNever);
    int64_t acknowledged = 0;
    for (const Operation& op : in.writes) {
      if (op.call <= interval.start_index || op.ret >= end_index) continue;
      ++acknowledged;
      details["violations"].push_back(ViolationJson(in, op, interval));
      if (op.ret < first_ret) {
        first_ret = op.ret;
        first_violation = ViolationText(in, op, interval);
      }
    }
    details["splits"].push_back(SplitJson(in, interval, acknowledged));
  }
  const size_t violations = details["violations"].size();
  if (violations > 0) {
    if (violations > 1) {
      first_violation += " (" + std::to_string(violations) + " writes acknowledged in all)";
    }
    return {Verdict::kInvalid, std::move(first_violation), std::move(details)};
  }
  std::string summary = ValidSummary(in, in.intervals.size());
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

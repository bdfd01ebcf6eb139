#include "checker/weak_guarantee_checks.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace checker {

namespace {

std::string Seconds(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(ns) / 1e9);
  return text;
}

struct Stretch {
  int64_t node = 0;
  int64_t from_ns = 0;
  int64_t to_ns = 0;
};

// Each node's unbroken stretches of leading: consecutive answered samples, both leader, at
// most max_gap_ns apart.
std::vector<Stretch> LeaderStretches(const RunHistory& run, int64_t max_gap_ns) {
  std::map<int64_t, const StatusSample*> previous;
  std::vector<Stretch> out;
  for (const StatusSample& s : run.samples) {
    if (!s.is_answered) continue;
    const StatusSample*& before = previous[s.node];
    if (before != nullptr && before->role == "leader" && s.role == "leader" &&
        s.time_ns - before->time_ns <= max_gap_ns) {
      out.push_back({s.node, before->time_ns, s.time_ns});
    }
    before = &s;
  }
  return out;
}

}  // namespace

RunCheckResult CheckOnePrimary(const RunHistory& run, int nodes, const OnePrimaryOptions& options) {
  std::set<int64_t> answered;
  int64_t leader_samples = 0;
  for (const StatusSample& s : run.samples) {
    if (!s.is_answered) continue;
    answered.insert(s.node);
    if (s.role == "leader") ++leader_samples;
  }
  const std::vector<Stretch> stretches = LeaderStretches(run, options.max_gap_ns);
  Json overlaps = Json::array();
  int64_t overlap_ns = 0;
  std::string first;
  for (const Stretch& stretch : stretches) {
    int64_t from = -1;
    int64_t to = -1;
    int64_t other = 0;
    for (const StatusSample& s : run.samples) {
      if (!s.is_answered || s.role != "leader" || s.node == stretch.node) continue;
      if (s.time_ns < stretch.from_ns || s.time_ns > stretch.to_ns) continue;
      if (from < 0) from = s.time_ns;
      to = s.time_ns;
      other = s.node;
    }
    if (from < 0) continue;
    overlap_ns += std::max<int64_t>(to - from, 0);
    if (first.empty()) {
      first = "n" + std::to_string(stretch.node) + " and n" + std::to_string(other) +
              " were both primary at " + Seconds(from - run.origin_ns) + " s";
    }
    if (overlaps.size() < 20) {
      overlaps.push_back({{"a", stretch.node},
                          {"b", other},
                          {"from_s", static_cast<double>(from - run.origin_ns) / 1e9},
                          {"to_s", static_cast<double>(to - run.origin_ns) / 1e9}});
    }
  }
  RunCheckResult result;
  result.details = {{"overlaps", overlaps},
                    {"overlap_s", static_cast<double>(overlap_ns) / 1e9},
                    {"leader_samples", leader_samples}};
  if (!overlaps.empty()) {
    result.verdict = Verdict::kInvalid;
    result.summary = "two primaries at once: " + first + " (" + std::to_string(overlaps.size()) +
                     (overlaps.size() >= 20 ? "+" : "") + " overlapping stretches, " +
                     Seconds(overlap_ns) + " s in all)";
    return result;
  }
  for (int node = 1; node <= nodes; ++node) {
    if (answered.contains(node)) continue;
    result.verdict = Verdict::kUnknown;
    result.summary = "node " + std::to_string(node) +
                     " never answered a status sample: it could have been a primary unseen";
    return result;
  }
  result.summary =
      "at most one primary in every sample (" + std::to_string(leader_samples) + " leader samples)";
  return result;
}

RunCheckResult CheckReadsSawWrites(const std::vector<Operation>& operations) {
  // The earliest invocation of a write of each value (writes and the new value of a CAS).
  std::map<std::string, int64_t> first_written;  // key + '\0' + value -> call index
  auto note = [&](const Operation& op, const Json& value) {
    const std::string id = op.key.dump() + '\0' + value.dump();
    auto [it, inserted] = first_written.try_emplace(id, op.call);
    if (!inserted) it->second = std::min(it->second, op.call);
  };
  for (const Operation& op : operations) {
    if (op.f == "write") note(op, op.input);
    if (op.f == "cas" && op.input.is_array() && op.input.size() == 2) note(op, op.input[1]);
  }
  RunCheckResult result;
  int64_t reads = 0;
  for (const Operation& op : operations) {
    if (op.f != "read" || op.is_unknown) continue;
    ++reads;
    if (op.output.is_null()) continue;  // absent: the initial value
    const auto it = first_written.find(op.key.dump() + '\0' + op.output.dump());
    if (it != first_written.end() && it->second < op.ret) continue;
    result.verdict = Verdict::kInvalid;
    result.summary = "process " + std::to_string(op.process) + " read " + op.output.dump() +
                     " from key " + op.key.dump() + ", which " +
                     (it == first_written.end() ? "nobody wrote" : "was written only later") +
                     " (history line " + std::to_string(op.line) + ")";
    result.details = {{"reads", reads}, {"phantom", op.output}};
    return result;
  }
  result.summary = std::to_string(reads) +
                   " reads, each of a value written before it returned (reads are not checked "
                   "for linearizability: the database promises sequential reads)";
  result.details = {{"reads", reads}, {"phantom", nullptr}};
  return result;
}

std::vector<Operation> WithoutReads(const std::vector<Operation>& operations) {
  std::vector<Operation> out;
  for (const Operation& op : operations) {
    if (op.f == "read") continue;
    out.push_back(op);
    out.back().id = static_cast<int64_t>(out.size()) - 1;  // ids are positions
  }
  return out;
}

}  // namespace checker

#include "checker/weak_guarantee_checks.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace checker {

namespace {

std::string SecondsText(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(ns) / 1e9);
  return text;
}

struct Claim {
  int64_t from_ns = 0;
  int64_t to_ns = 0;
};

// Each node's claims to lead: runs of answered "leader" samples, consecutive samples at most
// max_gap_ns apart joined into one interval; a lone sample is a point.
std::map<int64_t, std::vector<Claim>> Claims(const RunHistory& run, int64_t max_gap_ns) {
  std::map<int64_t, std::vector<Claim>> out;
  std::map<int64_t, const StatusSample*> previous;
  for (const StatusSample& s : run.samples) {
    if (!s.is_answered) continue;
    const StatusSample*& before = previous[s.node];
    if (s.role == "leader") {
      std::vector<Claim>& claims = out[s.node];
      if (before != nullptr && before->role == "leader" &&
          s.time_ns - before->time_ns <= max_gap_ns && !claims.empty()) {
        claims.back().to_ns = s.time_ns;
      } else {
        claims.push_back({s.time_ns, s.time_ns});
      }
    }
    before = &s;
  }
  return out;
}

struct Overlap {
  int64_t a = 0;
  int64_t b = 0;
  int64_t from_ns = 0;
  int64_t to_ns = 0;
};

std::vector<Overlap> Overlaps(const std::map<int64_t, std::vector<Claim>>& claims) {
  std::vector<Overlap> out;
  for (auto a = claims.begin(); a != claims.end(); ++a) {
    for (auto b = std::next(a); b != claims.end(); ++b) {
      for (const Claim& ca : a->second) {
        for (const Claim& cb : b->second) {
          const int64_t from = std::max(ca.from_ns, cb.from_ns);
          const int64_t to = std::min(ca.to_ns, cb.to_ns);
          if (from <= to) out.push_back({a->first, b->first, from, to});
        }
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Overlap& x, const Overlap& y) { return x.from_ns < y.from_ns; });
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
  const std::vector<Overlap> overlaps = Overlaps(Claims(run, options.max_gap_ns));
  int64_t overlap_ns = 0;
  Json listed = Json::array();
  for (const Overlap& o : overlaps) {
    overlap_ns += o.to_ns - o.from_ns;
    if (listed.size() < 20) {
      listed.push_back({{"a", o.a},
                        {"b", o.b},
                        {"from_s", static_cast<double>(o.from_ns - run.origin_ns) / 1e9},
                        {"to_s", static_cast<double>(o.to_ns - run.origin_ns) / 1e9}});
    }
  }
  RunCheckResult result;
  result.details = {{"overlaps", listed},
                    {"overlap_s", static_cast<double>(overlap_ns) / 1e9},
                    {"leader_samples", leader_samples}};
  if (!overlaps.empty()) {
    const Overlap& first = overlaps.front();
    result.verdict = Verdict::kInvalid;
    result.summary =
        "two primaries at once: n" + std::to_string(first.a) + " and n" + std::to_string(first.b) +
        " were both primary from " + SecondsText(first.from_ns - run.origin_ns) + " s to " +
        SecondsText(first.to_ns - run.origin_ns) + " s (" + std::to_string(overlaps.size()) +
        " overlap" + (overlaps.size() == 1 ? "" : "s") + ", " + SecondsText(overlap_ns) +
        " s in all)";
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

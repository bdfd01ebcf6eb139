#include "checker/run_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

struct Counts {
  int64_t ok = 0, fail = 0, info = 0;
  std::vector<int64_t> latencies_ns;  // of ok operations
};

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }
// Nearest-rank percentile of sorted values; 0 when empty.
int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Json Figures(Counts& counts, int64_t duration_ns) {
  std::sort(counts.latencies_ns.begin(), counts.latencies_ns.end());
  const auto& l = counts.latencies_ns;
  const double seconds = Seconds(duration_ns);
  const int64_t completed = counts.ok + counts.fail + counts.info;
  return {{"ok", counts.ok},
          {"fail", counts.fail},
          {"info", counts.info},
          {"latency_ms",
           {{"p50", Ms(Percentile(l, 50))},
            {"p90", Ms(Percentile(l, 90))},
            {"p99", Ms(Percentile(l, 99))},
            {"max", Ms(l.empty() ? 0 : l.back())}}},
          {"ok_per_s", seconds > 0 ? static_cast<double>(counts.ok) / seconds : 0.0},
          {"completed_per_s", seconds > 0 ? static_cast<double>(completed) / seconds : 0.0}};
}

}  // namespace

RunCheckResult ComputeRunStats(const History& history) {
  const int64_t origin = history.events.empty() ? 0 : history.events.front().time_ns;
  std::map<std::string, Counts> by_f;
  Counts total;
  struct Open {
    std::string f;
    int64_t call_ns;
  };
  std::map<int64_t, Open> open;
  std::vector<int64_t> ok_times;
  int64_t unpaired = 0;
  bool any_client = false;
  int64_t first_ns = 0, last_ns = 0;
  for (const Event& event : history.events) {
    if (!event.process.is_client()) continue;
    if (!any_client) first_ns = event.time_ns;
    any_client = true;
    last_ns = std::max(last_ns, event.time_ns);
    if (event.type == EventType::kInvoke) {
      // A re-invoke leaves the earlier operation unknown.
      if (auto it = open.find(event.process.id); it != open.end()) {
        ++by_f[it->second.f].info;
        ++total.info;
      }
      open[event.process.id] = {event.f, event.time_ns};
      continue;
    }
    auto it = open.find(event.process.id);
    if (it == open.end()) {
      ++unpaired;
      continue;
    }
    Counts& counts = by_f[it->second.f];
    if (event.type == EventType::kOk) {
      const int64_t latency = std::max<int64_t>(0, event.time_ns - it->second.call_ns);
      ++counts.ok;
      ++total.ok;
      counts.latencies_ns.push_back(latency);
      total.latencies_ns.push_back(latency);
      ok_times.push_back(event.time_ns);
    } else if (event.type == EventType::kFail) {
      ++counts.fail;
      ++total.fail;
    } else {
      ++counts.info;
      ++total.info;
    }
    open.erase(it);
  }
  for (const auto& [process, op] : open) {
    ++by_f[op.f].info;
    ++total.info;
  }

  // The longest interval without an ok completion, over the client window.
  std::sort(ok_times.begin(), ok_times.end());
  int64_t worst_ns = 0, worst_start = first_ns, worst_end = first_ns;
  int64_t previous = first_ns;
  ok_times.push_back(last_ns);
  for (int64_t t : ok_times) {
    if (t - previous > worst_ns) {
      worst_ns = t - previous;
      worst_start = previous;
      worst_end = t;
    }
    previous = std::max(previous, t);
  }

  const int64_t duration_ns = last_ns - first_ns;
  Json per_f = Json::object();
  for (auto& [f, counts] : by_f) per_f[f] = Figures(counts, duration_ns);
  Json total_figures = Figures(total, duration_ns);
  Json details = {{"duration_s", Seconds(duration_ns)},
                  {"total", total_figures},
                  {"by_f", std::move(per_f)},
                  {"worst_unavailability",
                   {{"ms", Ms(worst_ns)},
                    {"start_s", Seconds(worst_start - origin)},
                    {"end_s", Seconds(worst_end - origin)}}},
                  {"unpaired_completions", unpaired}};
  if (!any_client) return {Verdict::kValid, "no client operations", std::move(details)};
  const auto& latency = total_figures["latency_ms"];
  std::string summary = std::to_string(total.ok) + " ok, " + std::to_string(total.fail) +
                        " fail, " + std::to_string(total.info) + " info in " +
                        Fixed(Seconds(duration_ns), 1) + " s (" +
                        Fixed(total_figures["ok_per_s"].get<double>(), 1) + " ok/s); latency p50 " +
                        Fixed(latency["p50"].get<double>(), 1) + " ms, p99 " +
                        Fixed(latency["p99"].get<double>(), 1) + " ms; longest without an ok " +
                        Fixed(Ms(worst_ns), 0) + " ms (" + Fixed(Seconds(worst_start - origin), 3) +
                        "-" + Fixed(Seconds(worst_end - origin), 3) + " s)";
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

#include "checker/run_stats.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Ms;
using text::Percentile;
using text::Seconds;

struct Counts {
  int64_t ok = 0, fail = 0, info = 0;
  std::vector<int64_t> latencies_ns;  // of ok operations
};

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

// The client operations counted per f and in total, with the ok completion times.
class Tally {
 public:
  void Add(const Event& event) {
    if (!any_client_) first_ns_ = event.time_ns;
    any_client_ = true;
    last_ns_ = std::max(last_ns_, event.time_ns);
    if (event.type == EventType::kInvoke) {
      // A re-invoke leaves the earlier operation unknown.
      if (auto it = open_.find(event.process.id); it != open_.end()) Info(it->second.f);
      open_[event.process.id] = {event.f, event.time_ns};
      return;
    }
    auto it = open_.find(event.process.id);
    if (it == open_.end()) {
      ++unpaired_;
      return;
    }
    if (event.type == EventType::kOk) {
      const int64_t latency = std::max<int64_t>(0, event.time_ns - it->second.call_ns);
      for (Counts* counts : {&by_f_[it->second.f], &total_}) {
        ++counts->ok;
        counts->latencies_ns.push_back(latency);
      }
      ok_times_.push_back(event.time_ns);
    } else if (event.type == EventType::kFail) {
      ++by_f_[it->second.f].fail;
      ++total_.fail;
    } else {
      Info(it->second.f);
    }
    open_.erase(it);
  }

  // Counts the operations never completed as info.
  void Finish() {
    for (const auto& [process, op] : open_) Info(op.f);
    open_.clear();
  }

  // The longest interval without an ok completion over the client window: (length, start, end).
  std::tuple<int64_t, int64_t, int64_t> WorstUnavailability() const {
    std::vector<int64_t> times = ok_times_;
    std::sort(times.begin(), times.end());
    times.push_back(last_ns_);
    int64_t worst_ns = 0, worst_start = first_ns_, worst_end = first_ns_;
    int64_t previous = first_ns_;
    for (int64_t t : times) {
      if (t - previous > worst_ns) {
        worst_ns = t - previous;
        worst_start = previous;
        worst_end = t;
      }
      previous = std::max(previous, t);
    }
    return {worst_ns, worst_start, worst_end};
  }

  std::map<std::string, Counts>& by_f() { return by_f_; }
  Counts& total() { return total_; }
  bool any_client() const { return any_client_; }
  int64_t duration_ns() const { return last_ns_ - first_ns_; }
  int64_t unpaired() const { return unpaired_; }

 private:
  struct Open {
    std::string f;
    int64_t call_ns;
  };
  void Info(const std::string& f) {
    ++by_f_[f].info;
    ++total_.info;
  }

  std::map<std::string, Counts> by_f_;
  Counts total_;
  std::map<int64_t, Open> open_;
  std::vector<int64_t> ok_times_;
  int64_t unpaired_ = 0;
  bool any_client_ = false;
  int64_t first_ns_ = 0, last_ns_ = 0;
};

std::string Summary(const Json& details, const Counts& total) {
  const Json& figures = details["total"];
  const Json& latency = figures["latency_ms"];
  const Json& worst = details["worst_unavailability"];
  return std::to_string(total.ok) + " ok, " + std::to_string(total.fail) + " fail, " +
         std::to_string(total.info) + " info in " + Fixed(details["duration_s"].get<double>(), 1) +
         " s (" + Fixed(figures["ok_per_s"].get<double>(), 1) + " ok/s); latency p50 " +
         Fixed(latency["p50"].get<double>(), 1) + " ms, p99 " +
         Fixed(latency["p99"].get<double>(), 1) + " ms; longest without an ok " +
         Fixed(worst["ms"].get<double>(), 0) + " ms (" + Fixed(worst["start_s"].get<double>(), 3) +
         "-" + Fixed(worst["end_s"].get<double>(), 3) + " s)";
}

}  // namespace

RunCheckResult ComputeRunStats(const RunHistory& run) {
  const int64_t origin = run.origin_ns;
  Tally tally;
  for (const Event& event : run.history.events) {
    if (event.process.is_client()) tally.Add(event);
  }
  tally.Finish();
  const auto [worst_ns, worst_start, worst_end] = tally.WorstUnavailability();
  const int64_t duration_ns = tally.duration_ns();
  Json per_f = Json::object();
  for (auto& [f, counts] : tally.by_f()) per_f[f] = Figures(counts, duration_ns);
  Json details = {{"duration_s", Seconds(duration_ns)},
                  {"total", Figures(tally.total(), duration_ns)},
                  {"by_f", std::move(per_f)},
                  {"worst_unavailability",
                   {{"ms", Ms(worst_ns)},
                    {"start_s", Seconds(worst_start - origin)},
                    {"end_s", Seconds(worst_end - origin)}}},
                  {"unpaired_completions", tally.unpaired()}};
  if (!tally.any_client()) return {Verdict::kValid, "no client operations", std::move(details)};
  std::string summary = Summary(details, tally.total());
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

RunCheckResult ComputeRunStats(const History& history) {
  return ComputeRunStats(ReadRunHistory(history));
}

}  // namespace checker

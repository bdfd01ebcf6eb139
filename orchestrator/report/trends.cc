#include "orchestrator/report/trends.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <map>

#include "orchestrator/report/json_fields.h"
#include "orchestrator/store/run_dir.h"
#include "orchestrator/store/spec.h"

namespace orchestrator::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The UTC day of a run folder's stamp ("20261207" of "20261207T021700Z-2"); other names as
// they are, so a folder that is not a stamp is its own night rather than lost.
std::string DayOfStamp(const std::string& stamp) {
  const bool dated = stamp.size() >= 8 && std::all_of(stamp.begin(), stamp.begin() + 8,
                                                      [](char c) { return c >= '0' && c <= '9'; });
  return dated ? stamp.substr(0, 8) : stamp;
}

std::optional<double> NumberAt(const json& object, const char* key, const char* inner) {
  return NumberField(Field(object, key), inner);
}

std::optional<double> MedianOf(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// The median of `figure` over the runs that have it.
template <typename Figure>
std::optional<double> MedianOver(const std::vector<const TrendRun*>& runs, Figure figure) {
  std::vector<double> values;
  for (const TrendRun* run : runs) {
    if (const std::optional<double> value = figure(*run)) values.push_back(*value);
  }
  return MedianOf(std::move(values));
}

NightTrend NightOf(const std::string& night, const std::vector<const TrendRun*>& runs) {
  NightTrend out{.night = night, .runs = static_cast<int>(runs.size())};
  for (const TrendRun* run : runs) {
    if (!run->verdict.has_value()) {
      ++out.unreadable;
      continue;
    }
    switch (*run->verdict) {
      case RunVerdict::kValid:
        ++out.valid;
        break;
      case RunVerdict::kInvalid:
        ++out.invalid;
        break;
      case RunVerdict::kUnknown:
        ++out.unknown;
        break;
      case RunVerdict::kRunFailed:
        ++out.failed;
        break;
    }
    if (run->failover_p99_s.has_value()) {
      out.failover_p99_s = std::max(out.failover_p99_s.value_or(0), *run->failover_p99_s);
    }
  }
  out.failover_median_s = MedianOver(runs, [](const TrendRun& r) { return r.failover_median_s; });
  out.recovery_s = MedianOver(runs, [](const TrendRun& r) { return r.recovery_s; });
  out.ok_per_s = MedianOver(runs, [](const TrendRun& r) { return r.ok_per_s; });
  return out;
}

// The store's nights, oldest first: ordered by their earliest run stamp, then by id.
std::vector<std::string> OrderedNights(const std::vector<TrendRun>& runs) {
  std::map<std::string, std::string> earliest;  // night -> earliest stamp
  for (const TrendRun& run : runs) {
    auto [it, inserted] = earliest.emplace(run.night, run.stamp);
    if (!inserted && run.stamp < it->second) it->second = run.stamp;
  }
  std::vector<std::pair<std::string, std::string>> order;  // (stamp, night)
  order.reserve(earliest.size());
  for (const auto& [night, stamp] : earliest) order.emplace_back(stamp, night);
  std::sort(order.begin(), order.end());
  std::vector<std::string> nights;
  nights.reserve(order.size());
  for (const auto& entry : order) nights.push_back(entry.second);
  return nights;
}

std::optional<double> FigureOf(const NightTrend& night, TrendMetric metric) {
  switch (metric) {
    case TrendMetric::kFailoverMedian:
      return night.failover_median_s;
    case TrendMetric::kFailoverP99:
      return night.failover_p99_s;
    case TrendMetric::kRecovery:
      return night.recovery_s;
    case TrendMetric::kOkPerS:
      return night.ok_per_s;
    case TrendMetric::kNotValidRate:
      return night.runs == 0 ? std::nullopt : std::optional(night.not_valid_rate());
  }
  return std::nullopt;
}

// A change of exactly the threshold counts (0.2 s -> 0.3 s is +50 %), whatever the rounding of
// 0.2 * 1.5 in binary.
constexpr double kRelativeSlack = 1e-9;

bool IsRegression(TrendMetric metric, double before, double after, const TrendOptions& options) {
  const double threshold = options.regression_threshold;
  switch (metric) {
    case TrendMetric::kFailoverMedian:
    case TrendMetric::kFailoverP99:
    case TrendMetric::kRecovery:
      return before > 0 && after >= before * (1 + threshold) * (1 - kRelativeSlack) &&
             after - before >= options.min_change_s * (1 - kRelativeSlack);
    case TrendMetric::kOkPerS:
      return before > 0 && after <= before / (1 + threshold) * (1 + kRelativeSlack);
    case TrendMetric::kNotValidRate:
      return before == 0 && after > 0;
  }
  return false;
}

std::string FigureText(TrendMetric metric, double value) {
  char text[48];
  if (metric == TrendMetric::kOkPerS) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else if (metric == TrendMetric::kNotValidRate) {
    std::snprintf(text, sizeof text, "%.0f %%", value * 100);
  } else if (value < 10) {
    std::snprintf(text, sizeof text, "%.0f ms", value * 1000);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", value);
  }
  return text;
}

}  // namespace

std::string_view TrendMetricName(TrendMetric metric) {
  switch (metric) {
    case TrendMetric::kFailoverMedian:
      return "failover median";
    case TrendMetric::kFailoverP99:
      return "failover p99";
    case TrendMetric::kRecovery:
      return "recovery after heal";
    case TrendMetric::kOkPerS:
      return "ok/s";
    case TrendMetric::kNotValidRate:
      return "not-valid rate";
  }
  return "?";
}

std::string Regression::Sentence() const {
  std::string text = test + ": " + std::string(TrendMetricName(metric)) + " " +
                     FigureText(metric, before) + " → " + FigureText(metric, after);
  if (metric != TrendMetric::kNotValidRate && before > 0) {
    char change[32];
    std::snprintf(change, sizeof change, " (%+.0f %%)", (after - before) / before * 100);
    text += change;
  }
  return text + " vs the median of " + std::to_string(earlier_nights) + " earlier night" +
         (earlier_nights == 1 ? "" : "s") + " (night " + night + ")";
}

TrendRun TrendRunOf(const RunDir& dir, const common::Result<RunSpec>& spec,
                    const common::Result<RunResults>& results) {
  TrendRun run{.test = dir.test(), .stamp = dir.stamp()};
  run.night = spec.ok() && !spec->night.empty() ? spec->night : DayOfStamp(run.stamp);
  if (!results.ok()) return run;
  run.verdict = results->verdict;
  const json& new_leader = Field(results->Details("failover"), "new_leader_s");
  run.failover_median_s = NumberField(new_leader, "median");
  run.failover_p99_s = NumberField(new_leader, "p99");
  if (!run.failover_p99_s.has_value()) run.failover_p99_s = NumberField(new_leader, "max");
  run.recovery_s = NumberField(results->Details("liveness"), "served_after_heal_s");
  run.ok_per_s = NumberAt(results->Details("stats"), "total", "ok_per_s");
  return run;
}

std::vector<TrendRun> ReadTrendRuns(const fs::path& store) {
  std::vector<TrendRun> runs;
  for (const RunDir& dir : ListRuns(store)) {
    runs.push_back(TrendRunOf(dir, ReadRunSpec(dir.spec()), ReadRunResults(dir.results())));
  }
  return runs;
}

std::vector<Regression> FindRegressions(const TestTrend& trend, const TrendOptions& options) {
  std::vector<Regression> found;
  if (trend.nights.empty() || trend.nights.back().runs == 0) return found;
  const NightTrend& newest = trend.nights.back();
  for (TrendMetric metric :
       {TrendMetric::kFailoverMedian, TrendMetric::kFailoverP99, TrendMetric::kRecovery,
        TrendMetric::kOkPerS, TrendMetric::kNotValidRate}) {
    const std::optional<double> after = FigureOf(newest, metric);
    std::vector<double> earlier;
    for (size_t i = 0; i + 1 < trend.nights.size(); ++i) {
      if (const std::optional<double> figure = FigureOf(trend.nights[i], metric)) {
        earlier.push_back(*figure);
      }
    }
    if (!after.has_value() || earlier.size() < 2) continue;
    const double before = *MedianOf(earlier);
    if (!IsRegression(metric, before, *after, options)) continue;
    found.push_back({.test = trend.test,
                     .metric = metric,
                     .night = newest.night,
                     .before = before,
                     .after = *after,
                     .earlier_nights = static_cast<int>(earlier.size())});
  }
  return found;
}

StoreTrends ComputeTrends(const std::vector<TrendRun>& runs, const TrendOptions& options) {
  StoreTrends out;
  out.nights = OrderedNights(runs);
  const auto keep = static_cast<std::ptrdiff_t>(std::max(options.nights, 1));
  if (std::ssize(out.nights) > keep) out.nights.erase(out.nights.begin(), out.nights.end() - keep);
  std::map<std::string, std::map<std::string, std::vector<const TrendRun*>>> by_test;
  for (const TrendRun& run : runs) by_test[run.test][run.night].push_back(&run);
  for (const auto& [test, by_night] : by_test) {
    TestTrend trend{.test = test};
    for (const std::string& night : out.nights) {
      auto it = by_night.find(night);
      trend.nights.push_back(
          NightOf(night, it == by_night.end() ? std::vector<const TrendRun*>{} : it->second));
    }
    if (std::all_of(trend.nights.begin(), trend.nights.end(),
                    [](const NightTrend& n) { return n.runs == 0; })) {
      continue;  // the test ran only before the last N nights
    }
    for (Regression& r : FindRegressions(trend, options)) out.regressions.push_back(std::move(r));
    out.tests.push_back(std::move(trend));
  }
  return out;
}

}  // namespace orchestrator::report

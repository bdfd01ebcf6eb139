#include "orchestrator/report/trends_page.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "orchestrator/report/html.h"

namespace orchestrator::report {

namespace {

constexpr double kSparkWidth = 140;
constexpr double kSparkHeight = 30;
constexpr double kSparkPad = 4;
constexpr int kCellWidth = 12;

using NightFigure = std::function<std::optional<double>(const NightTrend&)>;

std::string Coordinate(double value) {
  char text[24];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string SecondsText(double seconds) {
  char text[32];
  if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  }
  return text;
}

std::string RateText(double ok_per_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f ok/s", ok_per_s);
  return text;
}

bool HasRegression(const StoreTrends& trends, const std::string& test, TrendMetric metric) {
  return std::any_of(trends.regressions.begin(), trends.regressions.end(),
                     [&](const Regression& r) { return r.test == test && r.metric == metric; });
}

// One sparkline: a point per night that has the figure, joined in night order; a <title> per
// point names the night and its value. The newest value is written beside it.
std::string SparklineHtml(const TestTrend& trend, const NightFigure& figure,
                          std::string (*text_of)(double), bool regressed) {
  const size_t n = trend.nights.size();
  double low = 0;
  double high = 0;
  bool any = false;
  for (const NightTrend& night : trend.nights) {
    if (const std::optional<double> v = figure(night)) {
      low = any ? std::min(low, *v) : *v;
      high = any ? std::max(high, *v) : *v;
      any = true;
    }
  }
  if (!any) return "<td class=\"spark none\">—</td>";
  const double step = n > 1 ? (kSparkWidth - 2 * kSparkPad) / double(n - 1) : 0;
  std::string points;
  std::string dots;
  std::string newest;
  for (size_t i = 0; i < n; ++i) {
    const std::optional<double> v = figure(trend.nights[i]);
    if (!v.has_value()) continue;
    const double x = kSparkPad + step * double(i);
    const double share = high > low ? (*v - low) / (high - low) : 0.5;
    const double y = kSparkHeight - kSparkPad - share * (kSparkHeight - 2 * kSparkPad);
    points += (points.empty() ? "" : " ") + Coordinate(x) + "," + Coordinate(y);
    dots += "<circle cx=\"" + Coordinate(x) + "\" cy=\"" + Coordinate(y) + "\" r=\"" +
            (i + 1 == n ? "3" : "2") + "\"><title>" + EscapeHtml(trend.nights[i].night) + ": " +
            EscapeHtml(text_of(*v)) + "</title></circle>";
    newest = text_of(*v);
  }
  return std::string("<td class=\"spark") + (regressed ? " regressed" : "") +
         R"("><svg class="sparkline" width=")" + Coordinate(kSparkWidth) + "\" height=\"" +
         Coordinate(kSparkHeight) + "\" viewBox=\"0 0 " + Coordinate(kSparkWidth) + " " +
         Coordinate(kSparkHeight) + R"(" role="img"><polyline points=")" + points + "\"/>" + dots +
         "</svg> <span class=\"newest\">" + EscapeHtml(newest) + "</span></td>";
}

std::string NightClass(const NightTrend& night) {
  if (night.runs == 0) return "none";
  if (night.invalid > 0) return "invalid";
  if (night.unknown > 0) return "unknown";
  if (night.failed > 0 || night.unreadable > 0) return "failed";
  return "valid";
}

std::string NightCounts(const NightTrend& night) {
  if (night.runs == 0) return "did not run";
  std::string text = std::to_string(night.runs) + (night.runs == 1 ? " run" : " runs");
  for (const auto& [count, name] : {std::pair{night.valid, "valid"},
                                    {night.invalid, "invalid"},
                                    {night.unknown, "unknown"},
                                    {night.failed, "run failed"},
                                    {night.unreadable, "unreadable"}}) {
    if (count > 0) text += ", " + std::to_string(count) + " " + name;
  }
  char rate[48];
  std::snprintf(rate, sizeof rate, "; %.0f %% not valid", night.not_valid_rate() * 100);
  return text + rate;
}

std::string VerdictStripHtml(const TestTrend& trend, bool regressed) {
  const int width = static_cast<int>(trend.nights.size()) * (kCellWidth + 2);
  std::string html = std::string("<td class=\"strip") + (regressed ? " regressed" : "") +
                     R"("><svg class="verdict-strip" width=")" + std::to_string(width) +
                     R"(" height="16" viewBox="0 0 )" + std::to_string(width) +
                     R"( 16" role="img">)";
  for (size_t i = 0; i < trend.nights.size(); ++i) {
    const NightTrend& night = trend.nights[i];
    html += "<rect class=\"" + NightClass(night) + "\" x=\"" +
            std::to_string(int(i) * (kCellWidth + 2)) + R"(" y="1" width=")" +
            std::to_string(kCellWidth) + R"(" height="14" rx="2"><title>)" +
            EscapeHtml(night.night + ": " + NightCounts(night)) + "</title></rect>";
  }
  return html + "</svg></td>";
}

std::string TrendRowHtml(const StoreTrends& trends, const TestTrend& trend) {
  auto regressed = [&](TrendMetric m) { return HasRegression(trends, trend.test, m); };
  return "<tr data-test=\"" + EscapeHtml(trend.test) + "\"><td>" + EscapeHtml(trend.test) +
         "</td>" + VerdictStripHtml(trend, regressed(TrendMetric::kNotValidRate)) +
         SparklineHtml(
             trend, [](const NightTrend& n) { return n.failover_median_s; }, SecondsText,
             regressed(TrendMetric::kFailoverMedian)) +
         SparklineHtml(
             trend, [](const NightTrend& n) { return n.failover_p99_s; }, SecondsText,
             regressed(TrendMetric::kFailoverP99)) +
         SparklineHtml(
             trend, [](const NightTrend& n) { return n.recovery_s; }, SecondsText,
             regressed(TrendMetric::kRecovery)) +
         SparklineHtml(
             trend, [](const NightTrend& n) { return n.ok_per_s; }, RateText,
             regressed(TrendMetric::kOkPerS)) +
         "</tr>";
}

std::string RegressionsHtml(const StoreTrends& trends, const TrendOptions& options) {
  char threshold[32];
  std::snprintf(threshold, sizeof threshold, "%.0f %%", options.regression_threshold * 100);
  if (trends.regressions.empty()) {
    return R"(<p id="regressions" class="dim">No regression in the newest night (threshold )" +
           std::string(threshold) + ", against the median of at least two earlier nights).</p>";
  }
  std::string html = "<div id=\"regressions\"><h3>" + std::to_string(trends.regressions.size()) +
                     " regression" + (trends.regressions.size() == 1 ? "" : "s") +
                     " in the newest night (threshold " + threshold + ")</h3><ul>";
  for (const Regression& r : trends.regressions) {
    html += "<li>" + EscapeHtml(r.Sentence()) + "</li>";
  }
  return html + "</ul></div>";
}

}  // namespace

std::string TrendsSectionHtml(const StoreTrends& trends, const TrendOptions& options) {
  std::string html = "<section id=\"trends\"><h2>Trends</h2>";
  if (trends.nights.size() < 2) {
    return html + "<p class=\"dim\">Trends need runs from at least two nights; this store has " +
           std::to_string(trends.nights.size()) + (trends.nights.size() == 1 ? " (" : "") +
           (trends.nights.size() == 1 ? EscapeHtml(trends.nights[0]) + ")" : "") +
           ".</p></section>";
  }
  html += "<p class=\"dim\">The last " + std::to_string(trends.nights.size()) + " nights, from " +
          EscapeHtml(trends.nights.front()) + " to " + EscapeHtml(trends.nights.back()) +
          "; each point is a night (hover for its figure).</p>"
          "<table id=\"trends-table\"><tr><th>test</th><th>verdicts</th>"
          "<th>failover median</th><th>failover p99</th><th>recovery after heal</th>"
          "<th>ok/s</th></tr>";
  for (const TestTrend& trend : trends.tests) html += TrendRowHtml(trends, trend);
  return html + "</table>" + RegressionsHtml(trends, options) + "</section>";
}

}  // namespace orchestrator::report

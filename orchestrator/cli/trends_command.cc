#include "orchestrator/cli/trends_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

#include "common/duration.h"
#include "orchestrator/report/report.h"
#include "orchestrator/report/trends.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;
using report::NightTrend;
using report::StoreTrends;
using report::TrendOptions;

namespace {

struct TrendsArgs {
  fs::path store;
  TrendOptions options;
  bool fail_on_regression = false;
};

// "50%" or "50": a percentage above 0 and at most 1000, as a fraction (0.5).
Result<double> ParsePercent(const std::string& text) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') number.pop_back();
  std::istringstream in(number);
  double percent = 0;
  if (number.empty() || !(in >> percent) || !in.eof() || !std::isfinite(percent) || percent <= 0 ||
      percent > 1000) {
    return Status::InvalidArgument("--regression-threshold: \"" + text +
                                   "\" is not a percentage above 0 and at most 1000 (e.g. 50%)");
  }
  return percent / 100;
}

Status ApplyTrendsFlag(const std::string& flag, const std::string& value, TrendsArgs& parsed) {
  if (flag == "--store") {
    if (value.empty()) return Status::InvalidArgument("--store needs a store folder");
    parsed.store = value;
  } else if (flag == "--nights") {
    auto nights = common::ParseCount(value);
    if (!nights.ok() || *nights < 2 || *nights > 1000) {
      return Status::InvalidArgument("--nights: \"" + value + "\" is not a number in 2..1000");
    }
    parsed.options.nights = static_cast<int>(*nights);
  } else if (flag == "--regression-threshold") {
    ASSIGN_OR_RETURN(parsed.options.regression_threshold, ParsePercent(value));
  } else if (flag == "--min-change") {
    auto seconds = common::ParseSeconds(value);
    if (!seconds.ok()) return seconds.status().WithContext("--min-change");
    parsed.options.min_change_s = *seconds;
  } else {
    return Status::InvalidArgument("unknown flag " + flag);
  }
  return Status::Ok();
}

Result<TrendsArgs> ParseTrendsArgs(const std::vector<std::string>& args) {
  TrendsArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--fail-on-regression") {
      parsed.fail_on_regression = true;
      continue;
    }
    if (flag.rfind("--", 0) != 0) {
      return Status::InvalidArgument("unexpected argument \"" + flag + "\" (flags start with --)");
    }
    std::optional<std::string> value;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    if (!value.has_value()) return Status::InvalidArgument(flag + " needs a value");
    RETURN_IF_ERROR(ApplyTrendsFlag(flag, *value, parsed));
  }
  if (parsed.store.empty()) return Status::InvalidArgument("no --store STORE given");
  return parsed;
}

std::string Figure(const std::optional<double>& value, bool seconds) {
  if (!value.has_value()) return "-";
  char text[32];
  if (!seconds) {
    std::snprintf(text, sizeof text, "%.0f", *value);
  } else if (*value < 10) {
    std::snprintf(text, sizeof text, "%.0f ms", *value * 1000);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", *value);
  }
  return text;
}

std::string NightLine(const std::string& test, const NightTrend& night) {
  char line[256];
  char rate[16];
  std::snprintf(rate, sizeof rate, "%.0f %%", night.not_valid_rate() * 100);
  std::snprintf(line, sizeof line, "%-28s %-18s %4d %5d %9s %12s %12s %10s %8s\n", test.c_str(),
                night.night.c_str(), night.runs, night.valid, night.runs ? rate : "-",
                Figure(night.failover_median_s, true).c_str(),
                Figure(night.failover_p99_s, true).c_str(), Figure(night.recovery_s, true).c_str(),
                Figure(night.ok_per_s, false).c_str());
  return line;
}

void PrintTrends(const StoreTrends& trends, const TrendsArgs& args, std::ostream& out) {
  out << "trends of " << args.store.string() << ": " << trends.nights.size() << " night(s)";
  if (!trends.nights.empty()) {
    out << " (" << trends.nights.front() << " .. " << trends.nights.back() << ")";
  }
  out << ", regression threshold " << args.options.regression_threshold * 100 << " %\n";
  char header[256];
  std::snprintf(header, sizeof header, "%-28s %-18s %4s %5s %9s %12s %12s %10s %8s\n", "test",
                "night", "runs", "valid", "not valid", "failover med", "failover p99", "recovery",
                "ok/s");
  out << header;
  for (const report::TestTrend& trend : trends.tests) {
    for (const NightTrend& night : trend.nights) {
      if (night.runs > 0) out << NightLine(trend.test, night);
    }
  }
  out << trends.regressions.size() << " regression(s) in the newest night";
  out << (trends.regressions.empty() ? "\n" : ":\n");
  for (const report::Regression& r : trends.regressions) out << "  " << r.Sentence() << "\n";
}

}  // namespace

std::string TrendsUsage() {
  return "usage: splitbrain trends --store STORE [--nights 10] [--regression-threshold 50%]\n"
         "                         [--min-change 50ms] [--fail-on-regression]\n"
         "Prints the trends of the store's last nights (a night: the runs of one `--night ID`,\n"
         "or of one UTC day for runs without one): per test and night the runs, verdicts,\n"
         "failover median and p99, recovery after heal and ok/s; then the regressions of the\n"
         "newest night against the median of the earlier ones (at least two): failover or\n"
         "recovery up by the threshold or more (and by --min-change), ok/s down by the same\n"
         "ratio, a not-valid rate\n"
         "above 0 after a median of 0. Rewrites STORE/index.html with these trends.\n"
         "Exit code: 0 written, 1 a regression with --fail-on-regression, 3 the index could\n"
         "not be written, 254 bad arguments or not a store.\n";
}

int RunTrendsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = ParseTrendsArgs(args);
  if (!parsed.ok()) {
    err << "splitbrain trends: " << parsed.status().message() << "\n" << TrendsUsage();
    return kExitBadInput;
  }
  std::error_code ec;
  if (!fs::is_directory(parsed->store, ec)) {
    err << "splitbrain trends: " << parsed->store.string() << ": no such store\n";
    return kExitBadInput;
  }
  const StoreTrends trends =
      report::ComputeTrends(report::ReadTrendRuns(parsed->store), parsed->options);
  PrintTrends(trends, *parsed, out);
  const Status indexed = report::WriteStoreIndex(parsed->store, parsed->options);
  if (!indexed.ok()) {
    err << "splitbrain trends: " << indexed.message() << "\n";
    return ExitCodeOfFailure(indexed);
  }
  out << "index: " << StoreIndex(parsed->store).string() << "\n";
  if (parsed->fail_on_regression && !trends.regressions.empty()) {
    err << "splitbrain trends: " << trends.regressions.size()
        << " regression(s) and --fail-on-regression\n";
    return kExitInvalid;
  }
  return kExitValid;
}

}  // namespace orchestrator

// hard_history_bench: the checker on the exponential case, many crashed operations on one key
// under high client concurrency (bench/hard_histories.h), where a few timeouts in a nightly run
// can turn a verdict into `unknown`.
//
//   hard_history_bench [--out DIR] [--budget 10s] [--operations 800] [--seed 1] [--plain]
//
// For k = 5, 10, 20, 40 clients, 0 / 10 / 30 % of writes and CASes crashed, and each of the
// linearizable and the stale-read variants, it writes the history as a Porcupine etcd log to
// DIR/k<K>-crashed<P>-<linearizable|stale>.log (kept, so other checkers can be timed on the same
// files), reads it back the way `splitbrain check` does, checks it with the time budget and
// prints one row: k, fraction, variant, crashed ops, expected and actual verdict, CPU time and
// the search's peak memory. A verdict that contradicts the known answer is a failure (exit 1);
// `unknown` (out of budget) is counted, not failed. The last line sums it up. --plain checks
// without the search's reductions (CheckOptions::reduce), for a before/after comparison.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/hard_histories.h"
#include "checker/formats.h"
#include "checker/linearizability.h"
#include "common/duration.h"

namespace {

namespace fs = std::filesystem;

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Flags {
  fs::path out = "hard-histories";
  double budget_s = 10;
  int operations = 800;
  uint64_t seed = 1;
  bool reduce = true;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  int i = 1;
  for (; i < argc && std::string(argv[i]) == "--plain"; ++i) flags.reduce = false;
  for (; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--out") {
      flags.out = value;
    } else if (flag == "--budget") {
      auto seconds = common::ParseSeconds(value);
      if (!seconds.ok() || *seconds <= 0) return false;
      flags.budget_s = *seconds;
    } else if (flag == "--operations" || flag == "--seed") {
      auto count = common::ParseCount(value);
      if (!count.ok() || *count < 1) return false;
      if (flag == "--operations") flags.operations = static_cast<int>(*count);
      if (flag == "--seed") flags.seed = static_cast<uint64_t>(*count);
    } else {
      return false;
    }
  }
  return i == argc;
}

struct Checked {
  std::string verdict;
  double cpu_ms = 0;
  double peak_mb = 0;
  long long states = 0;
};

// What `splitbrain check FILE` does with a Porcupine etcd log, under a time budget.
Checked CheckLog(const fs::path& path, double budget_s, bool reduce) {
  const double start = CpuMs();
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto history = checker::ParseHistory(text, checker::Format::kPorcupineEtcd, path.string());
  if (!history.ok()) return {"error: " + history.status().message()};
  auto ops = checker::PairOperations(*history, {.allow_reinvoke = true});
  if (!ops.ok()) return {"error: " + ops.status().message()};
  auto model = checker::ParseModelKind(checker::DefaultModelFor(checker::Format::kPorcupineEtcd));
  auto result =
      checker::CheckLinearizability(*ops, {.model = *model,
                                           .initial = history->initial_state,
                                           .nil_read_is_unknown = history->nil_read_is_unknown,
                                           .time_limit_s = budget_s,
                                           .counterexample = false,
                                           .reduce = reduce});
  if (!result.ok()) return {"error: " + result.status().message()};
  return {.verdict = std::string(checker::VerdictName(result->verdict)),
          .cpu_ms = CpuMs() - start,
          .peak_mb = static_cast<double>(result->peak_memory_bytes) / (1024.0 * 1024.0),
          .states = static_cast<long long>(result->states_explored)};
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr,
                 "usage: hard_history_bench [--out DIR] [--budget 10s] [--operations 800] "
                 "[--seed 1] [--plain]\n");
    return 254;
  }
  std::error_code ec;
  fs::create_directories(flags.out, ec);
  if (ec) {
    std::fprintf(stderr, "hard_history_bench: %s: %s\n", flags.out.c_str(), ec.message().c_str());
    return 254;
  }
  std::printf("%4s %8s %-13s %7s %-8s %-8s %10s %9s %10s  file\n", "k", "crashed", "variant",
              "crashed", "expected", "verdict", "cpu_ms", "peak_mb", "states");
  int histories = 0, definite = 0, wrong = 0;
  double total_ms = 0, max_ms = 0;
  for (const int k : {5, 10, 20, 40}) {
    for (const int percent : {0, 10, 30}) {
      for (const bool linearizable : {true, false}) {
        const bench::HardHistory history = bench::GenerateHardHistory(
            {.clients = k,
             .operations = flags.operations,
             .crashed = percent / 100.0,
             .linearizable = linearizable,
             .seed = flags.seed + static_cast<uint64_t>(k * 100 + percent)});
        if (history.ops.empty()) continue;
        const fs::path file =
            flags.out / ("k" + std::to_string(k) + "-crashed" + std::to_string(percent) + "-" +
                         (linearizable ? "linearizable" : "stale") + ".log");
        std::ofstream(file, std::ios::binary) << bench::ToPorcupineEtcdLog(history);
        const Checked checked = CheckLog(file, flags.budget_s, flags.reduce);
        const std::string expected = linearizable ? "valid" : "invalid";
        ++histories;
        definite += checked.verdict == "valid" || checked.verdict == "invalid" ? 1 : 0;
        wrong += checked.verdict != expected && checked.verdict != "unknown" ? 1 : 0;
        total_ms += checked.cpu_ms;
        max_ms = std::max(max_ms, checked.cpu_ms);
        std::printf("%4d %7d%% %-13s %7d %-8s %-8s %10.1f %9.1f %10lld  %s\n", k, percent,
                    linearizable ? "linearizable" : "stale-read", history.crashed, expected.c_str(),
                    checked.verdict.c_str(), checked.cpu_ms, checked.peak_mb, checked.states,
                    file.c_str());
        std::fflush(stdout);
      }
    }
  }
  std::printf(
      "histories=%d definite=%d unknown=%d wrong=%d total_cpu_ms=%.0f max_cpu_ms=%.0f "
      "budget_s=%g operations=%d reduce=%d out=%s\n",
      histories, definite, histories - definite - wrong, wrong, total_ms, max_ms, flags.budget_s,
      flags.operations, flags.reduce ? 1 : 0, flags.out.c_str());
  return wrong == 0 ? 0 : 1;
}

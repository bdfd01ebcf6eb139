// checker_bench: how fast the linearizability checker is, and how much memory it needs.
//
//   checker_bench [--histories DIR] [--generated-ops N] [--no-generated]
//
// 1. Checks every history file under DIR (default ../shared/histories) in this one process:
//    read, detect the format, parse, pair, check. One line per file with its verdict (and the
//    expected one, from DIR/expected.tsv when present) and CPU time.
// 2. Checks the porcupine-kv c10 files unpartitioned (--no-partition), one line each.
// 3. Generates a register history of N operations (default 1,000,000) on 1,000 keys from 20
//    processes with 1% unknown outcomes, linearizable by construction, and checks it.
// The last line: total_cpu_ms (part 1) peak_rss_mb (after part 1) files mismatches
// nopartition_c10_max_ms generated_ops generated_check_ms generated_peak_rss_mb.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "checker/formats.h"
#include "checker/linearizability.h"
#include "common/rng.h"

namespace {

namespace fs = std::filesystem;
using checker::Json;

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::map<std::string, std::string> ReadExpected(const fs::path& dir) {
  std::map<std::string, std::string> expected;
  std::ifstream tsv(dir / "expected.tsv");
  std::string line;
  std::getline(tsv, line);
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string path, format, verdict;
    std::getline(fields, path, '\t');
    std::getline(fields, format, '\t');
    std::getline(fields, verdict, '\t');
    expected[path] = verdict == "linearizable" ? "valid" : "invalid";
  }
  return expected;
}

struct FileRun {
  std::string verdict;  // valid / invalid / unknown / error: ...
  double cpu_ms = 0;
};

FileRun CheckFile(const fs::path& path, bool partition, bool counterexample = true) {
  const double start = CpuMs();
  FileRun run;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto format = checker::DetectFormat(text.str(), path.string());
  if (!format.ok()) return {"error: " + format.status().message(), CpuMs() - start};
  auto history = checker::ParseHistory(text.str(), *format, path.string());
  if (!history.ok()) return {"error: " + history.status().message(), CpuMs() - start};
  bool porcupine =
      *format == checker::Format::kPorcupineEtcd || *format == checker::Format::kPorcupineKv;
  auto ops = checker::PairOperations(*history, {.allow_reinvoke = porcupine});
  if (!ops.ok()) return {"error: " + ops.status().message(), CpuMs() - start};
  auto result = checker::CheckLinearizability(
      *ops, {.model = *checker::ParseModelKind(checker::DefaultModelFor(*format)),
             .initial = history->initial_state,
             .nil_read_is_unknown = history->nil_read_is_unknown,
             .partition = partition,
             .counterexample = counterexample});
  if (!result.ok()) return {"error: " + result.status().message(), CpuMs() - start};
  run.verdict = std::string(checker::VerdictName(result->verdict));
  run.cpu_ms = CpuMs() - start;
  return run;
}

struct GeneratedOp {
  int process = 0;
  int key = 0;
  std::string f;
  Json input, output;
  int64_t call = 0, point = 0, ret = 0;
  bool lost = false, applied = true;
};

// Each process runs its operations back to back; each takes effect at a point inside its
// interval. 1% of completions are lost (info), and half of those operations never happened.
std::vector<GeneratedOp> PlanOps(common::Rng& rng, int64_t n_ops, int keys, int processes) {
  std::vector<GeneratedOp> ops;
  ops.reserve(static_cast<size_t>(n_ops));
  std::vector<int64_t> next_call(static_cast<size_t>(processes), 0);
  for (int64_t i = 0; i < n_ops; ++i) {
    auto p = static_cast<size_t>(i % processes);
    GeneratedOp op{.process = static_cast<int>(p),
                   .key = static_cast<int>(rng.Uniform(static_cast<uint64_t>(keys)))};
    op.call = next_call[p];
    op.point = op.call + 1 + static_cast<int64_t>(rng.Uniform(100));
    op.ret = op.point + 1 + static_cast<int64_t>(rng.Uniform(100));
    next_call[p] = op.ret + 1 + static_cast<int64_t>(rng.Uniform(50));
    op.lost = rng.Chance(1, 100);
    op.applied = !op.lost || rng.Chance(1, 2);
    uint64_t kind = rng.Uniform(10);
    op.f = kind < 5 ? "read" : kind < 9 ? "write" : "cas";
    ops.push_back(std::move(op));
  }
  return ops;
}

// Fills in values by applying the operations in the order of their points: the history is
// linearizable by construction.
void ApplyAtPoints(common::Rng& rng, std::vector<GeneratedOp>& ops, int keys) {
  std::vector<size_t> by_point(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) by_point[i] = i;
  std::sort(by_point.begin(), by_point.end(),
            [&](size_t a, size_t b) { return ops[a].point < ops[b].point; });
  std::vector<Json> value(static_cast<size_t>(keys));
  int64_t next_value = 0;
  for (size_t i : by_point) {
    GeneratedOp& op = ops[i];
    Json& v = value[static_cast<size_t>(op.key)];
    if (op.f == "read") {
      op.output = v;
    } else if (op.f == "write") {
      op.input = op.output = Json(next_value++);
      if (op.applied) v = op.input;
    } else {
      Json expected = rng.Chance(1, 2) ? v : Json(static_cast<int64_t>(rng.Uniform(1000)));
      op.input = Json::array({expected, next_value++});
      op.output = op.input;
      if (expected != v) op.output = false;  // the compare failed: an observation
      if (op.applied && expected == v) v = op.input[1];
    }
  }
}

checker::History ToHistory(const std::vector<GeneratedOp>& ops) {
  std::vector<std::pair<int64_t, std::pair<size_t, bool>>> events;
  events.reserve(2 * ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    events.push_back({2 * ops[i].call, {i, true}});
    events.push_back({2 * ops[i].ret + 1, {i, false}});
  }
  std::sort(events.begin(), events.end());
  checker::History history;
  history.events.reserve(events.size());
  for (const auto& [time, what] : events) {
    const GeneratedOp& op = ops[what.first];
    checker::Event e{.index = static_cast<int64_t>(history.events.size()),
                     .time_ns = time,
                     .process = checker::Process::Client(op.process),
                     .f = op.f,
                     .key = "k" + std::to_string(op.key)};
    e.type = what.second ? checker::EventType::kInvoke
             : op.lost   ? checker::EventType::kInfo
                         : checker::EventType::kOk;
    e.value = what.second ? op.input : op.output;
    history.events.push_back(std::move(e));
  }
  return history;
}

struct Flags {
  fs::path dir = fs::path(SPLITBRAIN_SHARED_DIR) / "histories";
  int64_t generated_ops = 1000000;
  // false: verdicts alone, as Porcupine's check gives them (no counterexample window).
  bool counterexample = true;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--histories" && i + 1 < argc) {
      flags.dir = argv[++i];
    } else if (arg == "--generated-ops" && i + 1 < argc) {
      char* end = nullptr;
      flags.generated_ops = std::strtoll(argv[++i], &end, 10);
      if (*end != '\0' || flags.generated_ops < 0) return false;
    } else if (arg == "--no-generated") {
      flags.generated_ops = 0;
    } else if (arg == "--no-counterexample") {
      flags.counterexample = false;
    } else {
      return false;
    }
  }
  return true;
}

std::vector<fs::path> HistoryFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "expected.tsv" || name == "README.md") continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Part 1: every file, partitioned. Returns the number of verdicts that differ from expected.
int CheckCorpus(const fs::path& dir, const std::vector<fs::path>& files, bool counterexample) {
  std::map<std::string, std::string> expected = ReadExpected(dir);
  int mismatches = 0;
  for (const fs::path& path : files) {
    std::string rel = fs::relative(path, dir).string();
    FileRun run = CheckFile(path, /*partition=*/true, counterexample);
    auto it = expected.find(rel);
    std::string want = it == expected.end() ? "?" : it->second;
    if (want != "?" && want != run.verdict) ++mismatches;
    std::printf("file=%s verdict=%s expected=%s cpu_ms=%.2f\n", rel.c_str(), run.verdict.c_str(),
                want.c_str(), run.cpu_ms);
  }
  return mismatches;
}

// Part 2: the c10 kv files unpartitioned. Returns the slowest CPU time.
double CheckUnpartitioned(const fs::path& dir, const std::vector<fs::path>& files) {
  double max_ms = 0;
  for (const fs::path& path : files) {
    if (path.filename().string().rfind("c10-", 0) != 0) continue;
    FileRun run = CheckFile(path, /*partition=*/false);
    max_ms = std::max(max_ms, run.cpu_ms);
    std::printf("nopartition file=%s verdict=%s cpu_ms=%.2f\n",
                fs::relative(path, dir).string().c_str(), run.verdict.c_str(), run.cpu_ms);
  }
  return max_ms;
}

// Part 3: the generated history. Returns the check's wall time.
double CheckGenerated(int64_t n_ops) {
  common::Rng rng(1);
  std::vector<GeneratedOp> planned = PlanOps(rng, n_ops, 1000, 20);
  ApplyAtPoints(rng, planned, 1000);
  checker::History history = ToHistory(planned);
  planned = {};
  auto ops = checker::PairOperations(history);
  history = checker::History{};
  if (!ops.ok()) {
    std::printf("generated error=%s\n", ops.status().message().c_str());
    return 0;
  }
  auto begin = std::chrono::steady_clock::now();
  auto result = checker::CheckLinearizability(*ops, {.model = checker::ModelKind::kCasRegister});
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  std::string verdict = result.ok() ? std::string(checker::VerdictName(result->verdict))
                                    : "error: " + result.status().message();
  std::printf(
      "generated ops=%lld keys=1000 processes=20 unknown_pct=1 verdict=%s wall_ms=%.0f "
      "states=%lld\n",
      static_cast<long long>(n_ops), verdict.c_str(), ms,
      result.ok() ? static_cast<long long>(result->states_explored) : 0LL);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr,
                 "usage: checker_bench [--histories DIR] [--generated-ops N] [--no-generated]\n"
                 "                     [--no-counterexample]\n");
    return 254;
  }
  std::error_code error;
  if (!fs::is_directory(flags.dir, error)) {
    std::fprintf(stderr, "checker_bench: no histories folder at %s (give --histories DIR)\n",
                 flags.dir.string().c_str());
    return 254;
  }
  std::vector<fs::path> files = HistoryFiles(flags.dir);
  const double start = CpuMs();
  const int mismatches = CheckCorpus(flags.dir, files, flags.counterexample);
  const double total_cpu_ms = CpuMs() - start;
  const double peak_rss_mb = PeakRssMb();
  const double nopartition_max_ms = CheckUnpartitioned(flags.dir, files);
  const double generated_ms = flags.generated_ops > 0 ? CheckGenerated(flags.generated_ops) : 0;
  std::printf(
      "total_cpu_ms=%.1f counterexample=%d peak_rss_mb=%.1f files=%zu mismatches=%d "
      "nopartition_c10_max_ms=%.1f generated_ops=%lld generated_check_ms=%.0f "
      "generated_peak_rss_mb=%.1f\n",
      total_cpu_ms, flags.counterexample ? 1 : 0, peak_rss_mb, files.size(), mismatches,
      nopartition_max_ms, static_cast<long long>(flags.generated_ops), generated_ms, PeakRssMb());
  return mismatches == 0 ? 0 : 1;
}

// nemesis_bench: how long a partition takes from its start to being in force on every node
// (the "applied" event), with each node's share applied as one iptables-restore batch (what
// the nemesis does) against one `iptables -A` process per rule (what it did before batching).
// Real network namespaces, real iptables; needs root. Each namespace is named sbbench<pid>n<i>
// and removed at the end (also on an error).
//
// Usage: nemesis_bench [--nodes 4,6] [--rounds 20]
// Prints one line per (nodes, mode) with min / median / p99 / max in ms, then a summary line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/rng.h"
#include "nemesis/command_runner.h"
#include "nemesis/net_rules.h"
#include "nemesis/partition.h"

namespace {

using Clock = std::chrono::steady_clock;

// Namespaces sbbench<pid>n1..n, removed by the destructor.
class Namespaces : public nemesis::NodeControl {
 public:
  Namespaces(nemesis::CommandRunner& runner, int n) : runner_(runner), n_(n) {
    for (int i = 1; i <= n; ++i) {
      auto made = nemesis::RunChecked(runner_, {"ip", "netns", "add", Name(i)});
      if (!made.ok()) {
        error_ = made.status().message();
        return;
      }
      created_.push_back(i);
    }
  }
  // Empty when every namespace was made.
  const std::string& error() const { return error_; }
  Namespaces(const Namespaces&) = delete;
  Namespaces& operator=(const Namespaces&) = delete;
  ~Namespaces() override {
    for (int i : created_) (void)runner_.Run({"ip", "netns", "del", Name(i)});
  }

  int nodes() const override { return n_; }
  common::Status Kill(int) override { return common::Status::Ok(); }
  common::Status Start(int) override { return common::Status::Ok(); }
  common::Status Pause(int) override { return common::Status::Ok(); }
  common::Status Resume(int) override { return common::Status::Ok(); }
  common::Result<std::string> NetnsPath(int node) override { return "/run/netns/" + Name(node); }
  std::string NodeIp(int node) const override { return "10.215.0." + std::to_string(10 + node); }
  common::Status SetClockOffset(int, double) override { return common::Status::Ok(); }
  common::Status SetClockRate(int, double) override { return common::Status::Ok(); }
  // This bench measures network faults only.
  common::Status SetDiskFaults(int, const nemesis::DiskFaults&) override { return NoDisk(); }
  common::Result<int> DropUnsyncedWrites(int) override { return NoDisk(); }
  common::Result<nemesis::DiskProbe> ProbeDisk(int) override { return NoDisk(); }
  static common::Status NoDisk() { return common::Status::Unavailable("no disk layer here"); }
  common::Result<nemesis::NodeRunState> RunState(int) override {
    return nemesis::NodeRunState::kRunning;
  }
  common::Result<bool> CanConnect(int, int) override { return true; }
  // This bench times rules only; it starts no packet holder.
  common::Status StartShaper(int, int, const nemesis::Shape&, uint64_t) override {
    return common::Status::Unavailable("nemesis_bench does not shape");
  }
  common::Status StopShaper(int, int) override { return common::Status::Ok(); }
  bool ShaperRunning(int, int) override { return false; }
  common::Result<std::optional<double>> ConnectMs(int, int, std::chrono::milliseconds) override {
    return std::optional<double>(0.0);
  }
  int CurrentLeader() override { return 1; }
  uint64_t CurrentTerm() override { return 1; }

 private:
  std::string Name(int node) const {
    return "sbbench" + std::to_string(::getpid()) + "n" + std::to_string(node);
  }

  nemesis::CommandRunner& runner_;
  int n_;
  std::vector<int> created_;
  std::string error_;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Figures {
  double min = 0, median = 0, p99 = 0, max = 0;
};

Figures Summarise(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double p) {
    const auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size()));
    return values[std::min(rank, values.size() - 1)];
  };
  return {values.front(), at(50), at(99), values.back()};
}

std::vector<int> ParseList(const char* text) {
  std::vector<int> out;
  std::string s = text;
  size_t at = 0;
  while (at <= s.size()) {
    size_t comma = s.find(',', at);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(std::atoi(s.substr(at, comma - at).c_str()));
    at = comma + 1;
  }
  return out;
}

// One round: a random halves cut applied batched, then one process per rule; the two times.
// False (with the reason on stderr) when a command failed.
bool Round(Namespaces& cluster, nemesis::CommandRunner& runner, common::Rng& rng,
           std::vector<double>& batched, std::vector<double>& per_rule) {
  auto cut = nemesis::Halves(cluster.nodes(), rng);
  if (!cut.ok()) return false;
  const std::vector<nemesis::Rule> rules = nemesis::CutRules(*cut, cluster);
  nemesis::NetRules net(cluster, runner);  // its destructor removes the chains and rules
  std::vector<int> all;
  for (int i = 1; i <= cluster.nodes(); ++i) all.push_back(i);
  if (!net.Prepare(all).ok()) return false;  // chains exist before a fault starts, as in a run
  auto start = Clock::now();
  auto id = net.Apply(rules);  // batched: one iptables-restore per node, all at once
  batched.push_back(Ms(Clock::now() - start));
  if (!id.ok() || !net.Remove(*id).ok()) {
    std::fprintf(stderr, "nemesis_bench: %s\n",
                 id.ok() ? "remove failed" : id.status().message().c_str());
    return false;
  }
  start = Clock::now();  // one process per rule, as before batching
  for (const nemesis::Rule& rule : rules) {
    std::vector<std::string> args = {"nsenter", "--net=" + *cluster.NetnsPath(rule.node)};
    const auto iptables = nemesis::IptablesArgv("-A", rule);
    args.insert(args.end(), iptables.begin(), iptables.end());
    auto ran = nemesis::RunChecked(runner, args);
    if (!ran.ok()) {
      std::fprintf(stderr, "nemesis_bench: %s\n", ran.status().message().c_str());
      return false;
    }
  }
  per_rule.push_back(Ms(Clock::now() - start));
  return true;
}

// Prints the lines of one cluster size; appends its medians to `summary`. False on a failure.
bool MeasureSize(nemesis::CommandRunner& runner, int n, int rounds, std::string& summary) {
  Namespaces cluster(runner, n);
  if (!cluster.error().empty()) {
    std::fprintf(stderr, "nemesis_bench: %s\n", cluster.error().c_str());
    return false;
  }
  common::Rng rng(7);
  std::vector<double> batched;
  std::vector<double> per_rule;
  for (int round = 0; round < rounds; ++round) {
    if (!Round(cluster, runner, rng, batched, per_rule)) return false;
  }
  for (const auto& [mode, values] : {std::pair{"batched", &batched}, {"per_rule", &per_rule}}) {
    const Figures f = Summarise(*values);
    std::printf(
        "nodes=%d mode=%s rules=%zu start_to_applied_ms min=%.2f median=%.2f p99=%.2f "
        "max=%.2f\n",
        n, mode, static_cast<size_t>(n / 2) * static_cast<size_t>(n - n / 2) * 4, f.min, f.median,
        f.p99, f.max);
    char part[96];
    std::snprintf(part, sizeof part, " n%d_%s_median_ms=%.2f", n, mode, f.median);
    summary += part;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {4, 6};
  int rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--nodes") {
      sizes = ParseList(argv[i + 1]);
    } else if (flag == "--rounds") {
      rounds = std::max(1, std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "usage: nemesis_bench [--nodes 4,6] [--rounds 20]\n");
      return 254;
    }
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "nemesis_bench: needs root (network namespaces and iptables)\n");
    return 3;
  }
  nemesis::SpawnRunner runner;
  std::string summary;
  for (int n : sizes) {
    if (n < 2 || n > 50) {
      std::fprintf(stderr, "nemesis_bench: --nodes %d is not in 2..50\n", n);
      return 254;
    }
    if (!MeasureSize(runner, n, rounds, summary)) return 3;
  }
  std::printf("summary rounds=%d%s\n", rounds, summary.c_str());
  return 0;
}

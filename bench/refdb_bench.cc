// refdb_bench [--compare etcd] [--refdb PATH] [--etcd PATH] [--seconds N] [--clients N]
//             [--value-bytes N] [--connections N] [--failover-rounds N]
// Starts a 3-node refdb (and, with --compare etcd, then a 3-node etcd: one cluster at a time,
// so they never share the CPU or the disk), drives each through its native gRPC API with the
// same closed-loop clients (KvLoad), and prints one line per case: writes (Put), linearizable
// reads (refdb Get, etcd Range with serializable=false), then failover: SIGKILL the leader, time
// to the first acknowledged write, over several rounds (the killed member is restarted and the
// cluster healthy before the next). Last line:
//   refdb_ops_per_s=… etcd_ops_per_s=… ratio=… refdb_failover_ms_median=…
//   etcd_failover_ms_median=… (then extra keys)
// Exit 0 ok, 1 a cluster failed, 2 usage, 3 an exception. Clusters are torn down on every path;
// SIGINT/SIGTERM stop the measurement and unwind.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_target.h"
#include "bench/kv_load.h"

namespace bench {
namespace {

using common::Result;
using common::Status;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kHealthyDeadline{30000};
constexpr milliseconds kFailoverDeadline{30000};
constexpr milliseconds kFailoverAttemptDeadline{100};
constexpr milliseconds kFailoverAttemptInterval{5};
constexpr int kFailoverClientsPerMember = 4;

struct BenchOptions {
  bool compare_etcd = false;
  std::string refdb_binary = REFDB_BINARY;
  std::string etcd_binary = "/usr/bin/etcd";
  int seconds = 5;
  int clients = 64;
  int value_bytes = 256;
  int connections = 8;  // channels the load clients share, round robin
  int failover_rounds = 5;
};

struct Figures {
  LoadResult write;
  LoadResult read;
  std::vector<double> failover_ms;
  double failover_ms_median = 0;
};

Result<BenchOptions> ParseFlags(int argc, char** argv) {
  BenchOptions o;
  std::map<std::string, int*> ints = {{"--seconds", &o.seconds},
                                      {"--clients", &o.clients},
                                      {"--value-bytes", &o.value_bytes},
                                      {"--connections", &o.connections},
                                      {"--failover-rounds", &o.failover_rounds}};
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Status::InvalidArgument(flag + ": needs a value");
    const std::string value = argv[++i];
    if (flag == "--compare") {
      if (value != "etcd") return Status::InvalidArgument("--compare: only etcd is known");
      o.compare_etcd = true;
    } else if (flag == "--refdb") {
      o.refdb_binary = value;
    } else if (flag == "--etcd") {
      o.etcd_binary = value;
    } else if (auto it = ints.find(flag); it != ints.end()) {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 100000) {
        std::string message = flag;
        message += ": not a positive number: ";
        message += value;
        return Status::InvalidArgument(message);
      }
      *it->second = static_cast<int>(n);
    } else {
      return Status::InvalidArgument("unknown flag " + flag);
    }
  }
  return o;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

Result<LoadResult> RunCase(BenchTarget& target, OpKind kind, const BenchOptions& o,
                           const std::atomic<bool>& interrupted) {
  ASSIGN_OR_RETURN(const int leader, target.WaitForLeader(kHealthyDeadline));
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  channels.reserve(static_cast<size_t>(o.connections));
  for (int i = 0; i < o.connections; ++i) {
    channels.push_back(NewChannel(target.client_address(leader)));
  }
  const LoadOptions load = {.kind = kind,
                            .clients = o.clients,
                            .value_size_bytes = static_cast<size_t>(o.value_bytes),
                            .duration = std::chrono::seconds(o.seconds)};
  const LoadResult result = RunLoad(
      [&](int i) { return target.NewClient(channels[static_cast<size_t>(i) % channels.size()]); },
      load, interrupted);
  const std::string name = target.name() + (kind == OpKind::kWrite ? " write" : " read");
  std::printf("%s\n", FormatLoadLine(name, load, result).c_str());
  std::fflush(stdout);
  if (result.ops == 0) return Status::Unavailable(name + ": no operation succeeded");
  return result;
}

// Writes through `client` until one is acknowledged; the time it was, or nullopt.
std::optional<Clock::time_point> WriteUntilAcknowledged(KvClient& client, const std::string& key,
                                                        Clock::time_point deadline,
                                                        const std::atomic<bool>& done,
                                                        const std::atomic<bool>& interrupted) {
  const std::string value(256, 'f');
  while (!done.load() && !interrupted.load() && Clock::now() < deadline) {
    const Clock::time_point attempt = Clock::now();
    if (client.Put(key, value, kFailoverAttemptDeadline).ok()) return Clock::now();
    std::this_thread::sleep_until(attempt + kFailoverAttemptInterval);
  }
  return std::nullopt;
}

// One round: SIGKILL the leader, then write through the other members (several clients each,
// connected beforehand) until one write is acknowledged; restarts the killed member.
Result<double> FailoverOnce(BenchTarget& target, int round, const std::atomic<bool>& interrupted) {
  RETURN_IF_ERROR(target.WaitForHealthy(kHealthyDeadline));
  ASSIGN_OR_RETURN(const int leader, target.WaitForLeader(kHealthyDeadline));
  std::vector<std::unique_ptr<KvClient>> clients;
  for (int member = 1; member <= target.size(); ++member) {
    if (member == leader) continue;
    for (int i = 0; i < kFailoverClientsPerMember; ++i) {
      clients.push_back(target.NewClient(NewChannel(target.client_address(member))));
      (void)clients.back()->Get("failover/connect", milliseconds(1000));
    }
  }
  const std::string key = "failover/" + std::to_string(round);
  std::atomic<bool> done{false};
  std::vector<std::optional<Clock::time_point>> acknowledged(clients.size());
  const Clock::time_point killed = Clock::now();
  RETURN_IF_ERROR(target.Kill(leader));
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < clients.size(); ++i) {
      threads.emplace_back([&, i] {
        acknowledged[i] =
            WriteUntilAcknowledged(*clients[i], key, killed + kFailoverDeadline, done, interrupted);
        if (acknowledged[i]) done.store(true);
      });
    }
  }
  RETURN_IF_ERROR(target.Restart(leader));
  std::optional<Clock::time_point> first;
  for (const auto& t : acknowledged) {
    if (t && (!first || *t < *first)) first = t;
  }
  if (!first)
    return Status::DeadlineExceeded(target.name() + ": no write acknowledged after " +
                                    "killing the leader");
  const double ms = std::chrono::duration<double, std::milli>(*first - killed).count();
  std::printf("%s failover: round=%d killed=%d ms=%.1f\n", target.name().c_str(), round, leader,
              ms);
  std::fflush(stdout);
  return ms;
}

Result<Figures> Measure(BenchTarget& target, const BenchOptions& o,
                        const std::atomic<bool>& interrupted) {
  RETURN_IF_ERROR(target.WaitForHealthy(kHealthyDeadline));
  Figures f;
  ASSIGN_OR_RETURN(f.write, RunCase(target, OpKind::kWrite, o, interrupted));
  ASSIGN_OR_RETURN(f.read, RunCase(target, OpKind::kRead, o, interrupted));
  for (int round = 1; round <= o.failover_rounds && !interrupted.load(); ++round) {
    ASSIGN_OR_RETURN(const double ms, FailoverOnce(target, round, interrupted));
    f.failover_ms.push_back(ms);
  }
  f.failover_ms_median = Median(f.failover_ms);
  std::printf("%s failover: rounds=%zu median_ms=%.1f\n", target.name().c_str(),
              f.failover_ms.size(), f.failover_ms_median);
  std::fflush(stdout);
  if (interrupted.load()) return Status::Unavailable("interrupted");
  return f;
}

// Starts, measures and tears down one cluster.
Result<Figures> MeasureRefdb(const BenchOptions& o, const std::atomic<bool>& interrupted) {
  ASSIGN_OR_RETURN(std::unique_ptr<BenchTarget> target, StartRefdbTarget(o.refdb_binary));
  return Measure(*target, o, interrupted);
}

Result<Figures> MeasureEtcd(const BenchOptions& o, const std::atomic<bool>& interrupted) {
  ASSIGN_OR_RETURN(std::unique_ptr<BenchTarget> target, StartEtcdTarget(o.etcd_binary));
  return Measure(*target, o, interrupted);
}

std::string SummaryLine(const Figures& refdb, const std::optional<Figures>& etcd) {
  char buf[1024];
  std::string line;
  auto add = [&](const char* key, double value, const char* format) {
    std::snprintf(buf, sizeof(buf), format, value);
    line += (line.empty() ? "" : " ") + std::string(key) + "=" + buf;
  };
  add("refdb_ops_per_s", refdb.write.ops_per_s, "%.0f");
  if (etcd) {
    add("etcd_ops_per_s", etcd->write.ops_per_s, "%.0f");
    add("ratio", etcd->write.ops_per_s > 0 ? refdb.write.ops_per_s / etcd->write.ops_per_s : 0,
        "%.2f");
  }
  add("refdb_failover_ms_median", refdb.failover_ms_median, "%.0f");
  if (etcd) add("etcd_failover_ms_median", etcd->failover_ms_median, "%.0f");
  add("refdb_write_p50_ms", refdb.write.p50_ms, "%.2f");
  add("refdb_write_p99_ms", refdb.write.p99_ms, "%.2f");
  if (etcd) add("etcd_write_p50_ms", etcd->write.p50_ms, "%.2f");
  if (etcd) add("etcd_write_p99_ms", etcd->write.p99_ms, "%.2f");
  add("refdb_read_ops_per_s", refdb.read.ops_per_s, "%.0f");
  add("refdb_read_p99_ms", refdb.read.p99_ms, "%.2f");
  if (etcd) add("etcd_read_ops_per_s", etcd->read.ops_per_s, "%.0f");
  if (etcd) add("etcd_read_p99_ms", etcd->read.p99_ms, "%.2f");
  return line;
}

// SIGINT and SIGTERM are blocked (before any thread starts, so every thread inherits that)
// and waited for here; either sets `interrupted`, and the measurement unwinds.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::atomic<bool>& interrupted)
      : thread_([&interrupted](const std::stop_token& stop) {
          sigset_t set;
          sigemptyset(&set);
          sigaddset(&set, SIGINT);
          sigaddset(&set, SIGTERM);
          const timespec poll = {.tv_sec = 0, .tv_nsec = 100'000'000};
          while (!stop.stop_requested()) {
            if (::sigtimedwait(&set, nullptr, &poll) > 0) interrupted.store(true);
          }
        }) {}

 private:
  std::jthread thread_;
};

int Run(int argc, char** argv) {
  Result<BenchOptions> options = ParseFlags(argc, argv);
  if (!options.ok()) {
    std::cerr << "refdb_bench: " << options.status().message() << "\n";
    return 2;
  }
  // A closed stdout (`refdb_bench | head`) must not kill us before the clusters are torn down:
  // a failed write is ignored instead.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::atomic<bool> interrupted{false};
  SignalWatcher watcher(interrupted);
  if (options->compare_etcd && ::access(options->etcd_binary.c_str(), X_OK) != 0) {
    std::cerr << "refdb_bench: " << options->etcd_binary
              << ": no etcd binary (install Debian's etcd-server: ci/setup.sh)\n";
    return 1;
  }
  Result<Figures> refdb = MeasureRefdb(*options, interrupted);
  if (!refdb.ok()) {
    std::cerr << "refdb_bench: refdb: " << refdb.status().message() << "\n";
    return 1;
  }
  std::optional<Figures> etcd;
  if (options->compare_etcd) {
    Result<Figures> e = MeasureEtcd(*options, interrupted);
    if (!e.ok()) {
      std::cerr << "refdb_bench: etcd: " << e.status().message() << "\n";
      return 1;
    }
    etcd = std::move(e).value();
  }
  std::printf("%s\n", SummaryLine(*refdb, etcd).c_str());
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  try {
    return bench::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "refdb_bench: exception: " << e.what() << "\n";
    return 3;
  }
}

// cluster_bench: what the harness costs. For each backend that is available here (docker,
// netns): the time to bring up 5 refdb nodes to a leader that acknowledged a write, the
// teardown time, and the register workload's recorded op rate against that cluster (bound by
// the database). Then the harness alone: the highest rate at which concurrent clients can
// record operations (invoke + completion) in the history, without a database in the way.
//   cluster_bench [--runs 3] [--nodes 5] [--workload-seconds 5] [--backend docker|netns]
// Last line: docker_up_ms=… docker_down_ms=… netns_up_ms=… netns_down_ms=…
//            register_ops_per_s=… recorder_ops_per_s=…
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "orchestrator/run/backend/docker/docker_backend.h"
#include "orchestrator/run/backend/docker/docker_client.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run/run_registry.h"
#include "orchestrator/run/status_poller.h"
#include "workloads/history_writer.h"
#include "workloads/refdb_db.h"
#include "workloads/workload.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Figures {
  std::vector<double> up_ms, down_ms, ops_per_s;
};

// Brings `backend` up with `nodes` refdb nodes and waits until a leader acknowledges a write;
// returns the client endpoints.
common::Result<std::vector<std::string>> BringUp(orchestrator::Backend& backend,
                                                 const workloads::RefDb& db, int nodes,
                                                 const fs::path& run_dir) {
  RETURN_IF_ERROR(backend.Up({.run_id = run_dir.filename().string(),
                              .nodes = nodes,
                              .run_dir = orchestrator::RunDir(run_dir),
                              .binaries = db.Binaries()}));
  std::vector<std::string> ips;
  std::vector<std::string> endpoints;
  for (int i = 1; i <= nodes; ++i) ips.push_back(backend.NodeIp(i));
  for (int i = 1; i <= nodes; ++i) {
    RETURN_IF_ERROR(backend.CreateNode(
        i, db.NodeArgv(
               {.id = i, .ip = ips[i - 1], .peer_ips = ips, .data_dir = backend.NodeDataDir(i)})));
    RETURN_IF_ERROR(backend.StartNode(i));
    endpoints.push_back(ips[i - 1] + ":" + std::to_string(db.port()));
  }
  RETURN_IF_ERROR(orchestrator::WaitForLeader(db, endpoints, std::chrono::seconds(30), [] {
                    return common::Status::Ok();
                  }).status());
  ASSIGN_OR_RETURN(auto client, db.Connect({.endpoints = endpoints}));
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (client->Write("bench", "ready").outcome != workloads::Outcome::kOk) {
    if (Clock::now() > deadline) return common::Status::DeadlineExceeded("no write acknowledged");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return endpoints;
}

// The register workload's op rate against a serving cluster (bound by the database).
double RegisterRate(const workloads::RefDb& db, const std::vector<std::string>& endpoints,
                    const fs::path& run_dir, double seconds) {
  auto history = workloads::HistoryWriter::Open(run_dir / "history.jsonl");
  auto workload = workloads::MakeWorkload(workloads::WorkloadKind::kRegister,
                                          {.concurrency = 10, .endpoints = endpoints});
  if (!history.ok() || !workload.ok()) return 0;
  std::atomic<bool> stop{false};
  workloads::WorkloadCounters counters;
  const auto t0 = Clock::now();
  std::thread thread([&] { (void)(*workload)->Run(db, **history, stop, counters); });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  thread.join();
  return static_cast<double>(counters.ok + counters.fail + counters.info) / (MsSince(t0) / 1000);
}

// A backend the bench can measure: its name (the --backend value), whether this machine has
// it, and how to make one.
struct BenchBackend {
  std::string name;
  std::function<bool()> available;
  std::function<common::Result<std::unique_ptr<orchestrator::Backend>>()> make;
};

std::vector<BenchBackend> AllBackends() {
  return {{"docker", [] { return orchestrator::DockerAvailable(); },
           [] { return orchestrator::MakeDockerBackend(); }},
          {"netns", orchestrator::NetnsAvailable, orchestrator::MakeNetnsBackend}};
}

// One cluster: up, serve, (optionally) a workload, down.
bool OneRun(const BenchBackend& choice, int nodes, double workload_s, const fs::path& dir,
            Figures& figures) {
  const std::string& backend_name = choice.name;
  auto backend = choice.make();
  if (!backend.ok()) {
    std::fprintf(stderr, "%s: %s\n", backend_name.c_str(), backend.status().message().c_str());
    return false;
  }
  const fs::path refdb =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "refdb" / "server" / "refdb";
  const workloads::RefDb db({.binary = refdb});
  const fs::path run_dir = dir / orchestrator::NewRunId();
  fs::create_directories(run_dir);
  const auto t0 = Clock::now();
  auto endpoints = BringUp(**backend, db, nodes, run_dir);
  if (!endpoints.ok()) {
    std::fprintf(stderr, "%s: %s\n", backend_name.c_str(), endpoints.status().message().c_str());
    return false;
  }
  const double up_ms = MsSince(t0);
  const double ops_per_s = workload_s > 0 ? RegisterRate(db, *endpoints, run_dir, workload_s) : 0;
  const auto t1 = Clock::now();
  const common::Status down = (*backend)->Down();
  const double down_ms = MsSince(t1);
  if (!down.ok()) std::fprintf(stderr, "down: %s\n", down.message().c_str());
  std::printf("%s nodes=%d up_ms=%.0f down_ms=%.0f register_ops_per_s=%.0f\n", backend_name.c_str(),
              nodes, up_ms, down_ms, ops_per_s);
  std::fflush(stdout);
  figures.up_ms.push_back(up_ms);
  figures.down_ms.push_back(down_ms);
  if (ops_per_s > 0) figures.ops_per_s.push_back(ops_per_s);
  return true;
}

// The harness alone: `threads` clients record invoke + ok pairs for `seconds`.
double RecorderRate(const fs::path& dir, int threads, double seconds) {
  auto history = workloads::HistoryWriter::Open(dir / "recorder.jsonl");
  if (!history.ok()) return 0;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> ops{0};
  std::vector<std::thread> workers;
  workers.reserve(threads);
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t i = 0; !stop; ++i) {
        const checker::Json key = "r" + std::to_string(i / 150);
        (*history)->Append({.process = checker::Process::Client(t),
                            .type = checker::EventType::kInvoke,
                            .f = "cas",
                            .key = key,
                            .value = checker::Json::array({i % 5, (i + 1) % 5})});
        (*history)->Append({.process = checker::Process::Client(t),
                            .type = checker::EventType::kOk,
                            .f = "cas",
                            .key = key,
                            .value = checker::Json::array({i % 5, (i + 1) % 5})});
        ops.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double rate = static_cast<double>(ops.load()) / (MsSince(t0) / 1000);
  std::printf("recorder threads=%d ops_per_s=%.0f events_per_s=%.0f\n", threads, rate, rate * 2);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  int nodes = 5;
  double workload_s = 5;
  std::vector<BenchBackend> backends = AllBackends();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--runs") {
      runs = std::stoi(value);
    } else if (flag == "--nodes") {
      nodes = std::stoi(value);
    } else if (flag == "--workload-seconds") {
      workload_s = std::stod(value);
    } else if (flag == "--backend") {
      std::erase_if(backends, [&value](const BenchBackend& b) { return b.name != value; });
      if (backends.empty()) {
        std::fprintf(stderr, "cluster_bench: --backend %s is not docker or netns\n", value.c_str());
        return 254;
      }
    } else {
      std::fprintf(stderr, "cluster_bench: unknown flag %s\n", flag.c_str());
      return 254;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("cluster_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::map<std::string, Figures> figures;
  for (const BenchBackend& backend : backends) {
    if (!backend.available()) {
      std::printf("%s: not available here, skipped\n", backend.name.c_str());
      continue;
    }
    for (int r = 0; r < runs; ++r) {
      // The workload runs once per backend (it measures the database, not the harness).
      OneRun(backend, nodes, r == 0 ? workload_s : 0, dir, figures[backend.name]);
    }
  }
  const double recorder = RecorderRate(dir, 10, 3);
  fs::remove_all(dir);
  std::string summary;
  for (const BenchBackend& choice : AllBackends()) {
    const std::string& backend = choice.name;
    char part[128];
    std::snprintf(part, sizeof part, "%s_up_ms=%.0f %s_down_ms=%.0f ", backend.c_str(),
                  Median(figures[backend].up_ms), backend.c_str(),
                  Median(figures[backend].down_ms));
    summary += part;
  }
  double register_rate = 0;
  for (auto& [name, f] : figures) register_rate = std::max(register_rate, Median(f.ops_per_s));
  std::printf("%sregister_ops_per_s=%.0f recorder_ops_per_s=%.0f\n", summary.c_str(), register_rate,
              recorder);
  return 0;
}

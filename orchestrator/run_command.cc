#include "orchestrator/run_command.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "checker/formats.h"
#include "nemesis/command_runner.h"
#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "orchestrator/backend/docker/docker_backend.h"
#include "orchestrator/backend/docker/docker_client.h"
#include "orchestrator/backend/netns/netns_backend.h"
#include "orchestrator/check_command.h"
#include "orchestrator/interrupts.h"
#include "orchestrator/junit.h"
#include "orchestrator/nemesis_adapter.h"
#include "orchestrator/node_clock.h"
#include "orchestrator/progress.h"
#include "orchestrator/report/report.h"
#include "orchestrator/run_checks.h"
#include "orchestrator/run_registry.h"
#include "orchestrator/run_spec.h"
#include "orchestrator/status_poller.h"
#include "orchestrator/store.h"
#include "workloads/etcd_db.h"
#include "workloads/refdb_db.h"
#include "workloads/workload.h"

namespace orchestrator {

namespace fs = std::filesystem;
using checker::Json;
using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kLeaderTimeout = std::chrono::seconds(30);
// How long a fault aimed at the leader waits for the status poller to know one (an election
// under way, or a round of status calls that missed their 50 ms deadline on a loaded machine).
constexpr auto kNemesisLeaderWait = std::chrono::seconds(3);

// "2026-11-26T23:37:07Z".
std::string IsoTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The refdb binary: --refdb-bin, else the one built beside this splitbrain
// (build/<preset>/orchestrator/splitbrain → build/<preset>/refdb/server/refdb).
Result<fs::path> FindRefdb(const std::string& flag) {
  fs::path path = flag;
  if (path.empty()) {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return Status::NotFound("cannot find this program's path; give --refdb-bin");
    path = self.parent_path().parent_path() / "refdb" / "server" / "refdb";
  }
  if (access(path.c_str(), X_OK) != 0) {
    return Status::NotFound("refdb binary " + path.string() +
                            " is missing or not executable; build it (ci/build.sh) or give "
                            "--refdb-bin PATH");
  }
  return fs::absolute(path);
}

// The database of spec.db: refdb (with its bug switches) or etcd.
Result<std::unique_ptr<workloads::Db>> MakeDb(const RunSpec& spec) {
  if (spec.db == "etcd") {
    if (!spec.db_bugs.empty()) return Status::InvalidArgument("--db-bug: etcd has no bug switches");
    if (access(spec.etcd_bin.c_str(), X_OK) != 0) {
      return Status::NotFound("etcd binary " + spec.etcd_bin +
                              " is missing or not executable; install Debian's etcd-server "
                              "(ci/setup.sh) or give --etcd-bin PATH");
    }
    return std::unique_ptr<workloads::Db>(
        new workloads::EtcdDb({.binary = fs::absolute(spec.etcd_bin)}));
  }
  if (spec.db != "refdb") {
    return Status::InvalidArgument("--db: \"" + spec.db + "\" is not one of refdb, etcd");
  }
  ASSIGN_OR_RETURN(fs::path refdb, FindRefdb(spec.refdb_bin));
  return std::unique_ptr<workloads::Db>(
      new workloads::RefDb({.binary = refdb, .bugs = spec.db_bugs}));
}

Result<std::unique_ptr<Backend>> ChooseBackend(const std::string& name) {
  if (name == "docker") return MakeDockerBackend();
  if (name == "netns") return MakeNetnsBackend();
  if (DockerAvailable()) return MakeDockerBackend();
  if (NetnsAvailable()) return MakeNetnsBackend();
  return Status::Unavailable(
      "--backend auto: no Docker daemon answers at /var/run/docker.sock and network namespaces "
      "need root and iproute2; run ci/setup.sh as root");
}

// The fault schedule of a run: --schedule FILE, or a random mix of --nemesis faults drawn from
// the seed; empty without either. Errors are about the user's input.
Result<nemesis::Schedule> BuildSchedule(const RunSpec& spec, uint64_t seed) {
  if (!spec.schedule.empty()) {
    auto schedule = nemesis::LoadSchedule(spec.schedule);
    if (!schedule.ok()) return schedule.status().WithContext("--schedule");
    return schedule;
  }
  if (spec.nemesis.empty()) return nemesis::Schedule{};
  std::string names;
  for (const std::string& n : spec.nemesis) names += (names.empty() ? "" : ",") + n;
  auto kinds = nemesis::ParseFaultList(names);
  if (!kinds.ok()) return kinds.status().WithContext("--nemesis");
  for (nemesis::FaultKind kind : *kinds) {
    if (!nemesis::Applicable(kind, spec.nodes)) {
      return Status::InvalidArgument("--nemesis: " + std::string(nemesis::FaultName(kind)) +
                                     " cannot run on " + std::to_string(spec.nodes) + " nodes");
    }
  }
  auto schedule = nemesis::RandomSchedule(
      {.faults = *kinds,
       .interval = std::chrono::milliseconds(static_cast<int64_t>(spec.nemesis_interval_s * 1000)),
       .time_limit = std::chrono::milliseconds(static_cast<int64_t>(spec.time_limit_s * 1000)),
       .seed = seed,
       .nodes = spec.nodes});
  if (!schedule.ok()) return schedule.status().WithContext("--nemesis");
  return schedule;
}

int ExitCodeOf(checker::Verdict verdict) {
  switch (verdict) {
    case checker::Verdict::kValid:
      return kExitValid;
    case checker::Verdict::kInvalid:
      return kExitInvalid;
    case checker::Verdict::kUnknown:
      return kExitUnknown;
  }
  return kExitRunFailed;
}

class Run {
 public:
  Run(RunSpec spec, nemesis::Schedule schedule, std::ostream& out, std::ostream& err,
      const InterruptWatcher& interrupts)
      : spec_(std::move(spec)),
        schedule_(std::move(schedule)),
        out_(out),
        err_(err),
        interrupts_(interrupts) {}

  int Execute();

 private:
  Status Prepare();
  Status BringUp();
  Status Drive();
  Status Collect();
  void Watch(const StatusPoller& poller, const nemesis::Nemesis& faults, Clock::time_point start,
             const std::atomic<bool>& workload_done);
  void Heal(std::optional<nemesis::ScheduleRunner>& schedule, nemesis::Nemesis& faults);
  void AwaitServing(const std::atomic<bool>& workload_done);
  void WaitForConvergence();
  int Finish(const Status& status);
  int CheckAndStore();
  void WriteResults(const Json& results);

  RunSpec spec_;
  nemesis::Schedule schedule_;
  fs::path libfaketime_;  // set when the schedule moves clocks: every node runs under it
  Json spec_json_;        // spec.json as written
  std::chrono::system_clock::time_point start_time_ = std::chrono::system_clock::now();
  std::ostream& out_;
  std::ostream& err_;
  const InterruptWatcher& interrupts_;

  std::string run_id_;
  fs::path run_dir_;
  std::optional<RunRegistration> registration_;
  std::unique_ptr<workloads::Db> db_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::string> endpoints_;
  std::unique_ptr<workloads::HistoryWriter> history_;
  std::unique_ptr<workloads::Workload> workload_;
  workloads::WorkloadCounters counters_;
  Clock::time_point started_;
  double workload_s_ = 0;
  std::string phase_ = "prepare";
};

Status Run::Prepare() {
  run_id_ = NewRunId();
  ASSIGN_OR_RETURN(run_dir_,
                   CreateRunDir(spec_.store, spec_.name, std::chrono::system_clock::now()));
  RETURN_IF_ERROR(UpdateLatest(spec_.store, run_dir_));
  ASSIGN_OR_RETURN(RunRegistration registration, RunRegistration::Create(run_id_, run_dir_));
  registration_.emplace(std::move(registration));
  ASSIGN_OR_RETURN(db_, MakeDb(spec_));
  ASSIGN_OR_RETURN(backend_, ChooseBackend(spec_.backend));
  const bool uses_clock =
      std::any_of(schedule_.begin(), schedule_.end(), [](const nemesis::ScheduleEntry& entry) {
        return entry.fault.kind == nemesis::FaultKind::kClock;
      });
  if (uses_clock) {
    ASSIGN_OR_RETURN(libfaketime_, FindLibfaketime());
  }
  spec_json_ = spec_.ToJson();
  spec_json_["run-id"] = run_id_;
  spec_json_["backend-used"] = std::string(backend_->name());
  return WriteFileAtomically(run_dir_ / "spec.json", spec_json_.dump(2) + "\n");
}

Status Run::BringUp() {
  out_ << "splitbrain run " << run_id_ << ": " << spec_.db << " × " << spec_.nodes << " on "
       << backend_->name() << ", workload " << spec_.workload << ", " << spec_.time_limit_s
       << " s, seed " << *spec_.seed << "\n  store: " << run_dir_.string() << "\n"
       << std::flush;
  phase_ = "backend up";
  const auto t0 = Clock::now();
  BackendOptions options{
      .run_id = run_id_, .nodes = spec_.nodes, .run_dir = run_dir_, .binaries = db_->Binaries()};
  if (!libfaketime_.empty()) options.libraries.push_back(libfaketime_);
  RETURN_IF_ERROR(backend_->Up(options));
  std::vector<std::string> ips;
  for (int i = 1; i <= spec_.nodes; ++i) ips.push_back(backend_->NodeIp(i));
  phase_ = "start nodes";
  for (int i = 1; i <= spec_.nodes; ++i) {
    const workloads::NodeEnv env{
        .id = i, .ip = ips[i - 1], .peer_ips = ips, .data_dir = backend_->NodeDataDir(i)};
    const std::string node_name = "node n" + std::to_string(i);
    std::vector<std::string> node_env;
    if (!libfaketime_.empty()) {
      // Each node starts on the real clock; the clock fault moves it.
      RETURN_IF_ERROR(WriteClockOffset(run_dir_ / "nodes" / ("n" + std::to_string(i)) / "ctl", 0)
                          .WithContext(node_name));
      node_env = ClockEnvironment(libfaketime_, backend_->NodeCtlDir(i));
    }
    RETURN_IF_ERROR(backend_->CreateNode(i, db_->NodeArgv(env), node_env).WithContext(node_name));
    RETURN_IF_ERROR(backend_->StartNode(i).WithContext(node_name));
    endpoints_.push_back(ips[i - 1] + ":" + std::to_string(db_->port()));
  }
  phase_ = "wait for a leader";
  auto nodes_alive = [this]() -> Status {
    if (interrupts_.interrupted()) return Status::Unavailable("interrupted");
    for (int i = 1; i <= spec_.nodes; ++i) {
      if (!backend_->IsRunning(i)) {
        return Status::Unavailable(
            "node n" + std::to_string(i) + " exited during start (see " +
            (run_dir_ / "nodes" / ("n" + std::to_string(i)) / "node.log").string() + ")");
      }
    }
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(int leader, WaitForLeader(*db_, endpoints_, kLeaderTimeout, nodes_alive));
  // A leader is not enough: wait until a write is acknowledged.
  ASSIGN_OR_RETURN(auto client, db_->Connect({.endpoints = endpoints_}));
  const auto deadline = Clock::now() + kLeaderTimeout;
  while (true) {
    auto answer = client->Write("splitbrain/ready", run_id_);
    if (answer.outcome == workloads::Outcome::kOk) break;
    if (Clock::now() > deadline || interrupts_.interrupted()) {
      return Status::DeadlineExceeded("the cluster elected n" + std::to_string(leader) +
                                      " but acknowledged no write: " + answer.error);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double up_s = std::chrono::duration<double>(Clock::now() - t0).count();
  out_ << "  cluster serving in " << static_cast<int>(up_s * 1000) << " ms (leader n" << leader
       << ")\n"
       << std::flush;
  return Status::Ok();
}

// "kill n2, partition-leader n1", or "none": the faults now active, for the progress line.
std::string ActiveFaults(const nemesis::Nemesis& faults) {
  std::string names;
  for (int id : faults.active_ids()) {
    auto fault = faults.Applied(id);
    if (!fault.has_value()) continue;
    names += (names.empty() ? "" : ", ") + std::string(nemesis::FaultName(fault->kind));
    std::string targets;
    for (int n : fault->nodes) targets += (targets.empty() ? " n" : ",n") + std::to_string(n);
    names += targets;
  }
  return names.empty() ? std::string("none") : names;
}

// Shows the progress line until the time limit, the workload's end or a signal.
void Run::Watch(const StatusPoller& poller, const nemesis::Nemesis& faults, Clock::time_point start,
                const std::atomic<bool>& workload_done) {
  ProgressLine progress(out_, isatty(STDOUT_FILENO) != 0);
  while (!workload_done && !interrupts_.interrupted()) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const ClusterView view = poller.Latest();
    if (elapsed >= 1) {
      progress.Update({.elapsed_s = elapsed,
                       .limit_s = spec_.time_limit_s,
                       .ok = counters_.ok.load(),
                       .fail = counters_.fail.load(),
                       .info = counters_.info.load(),
                       .leader = view.leader,
                       .term = view.term,
                       .answering = view.answering,
                       .nodes = spec_.nodes,
                       .faults = ActiveFaults(faults)});
    }
    if (elapsed >= spec_.time_limit_s) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  progress.Finish();
}

// Ends the schedule (its Stop heals what it started), stores what it executed, and heals
// anything still active.
void Run::Heal(std::optional<nemesis::ScheduleRunner>& schedule, nemesis::Nemesis& faults) {
  phase_ = "heal";
  if (schedule.has_value()) {
    schedule->Stop();
    Status written = WriteFileAtomically(
        run_dir_ / "schedule.json", nemesis::ScheduleToJson(schedule->executed()).dump(2) + "\n");
    if (!written.ok()) err_ << "splitbrain run: " << written.message() << "\n";
  }
  Status healed = faults.HealAll();
  if (!healed.ok()) err_ << "splitbrain run: heal: " << healed.message() << "\n";
}

Status Run::Drive() {
  phase_ = "workload";
  ASSIGN_OR_RETURN(history_, workloads::HistoryWriter::Open(run_dir_ / "history.jsonl"));
  ASSIGN_OR_RETURN(workload_,
                   workloads::MakeWorkload(spec_.workload, {.concurrency = spec_.concurrency,
                                                            .rate = spec_.rate,
                                                            .seed = *spec_.seed,
                                                            .endpoints = endpoints_}));
  StatusPoller poller(*db_, endpoints_, *history_);
  poller.Start();
  std::atomic<bool> stop{false};
  std::atomic<bool> workload_done{false};
  Status workload_status;
  const auto t0 = Clock::now();
  std::thread workload_thread([&] {
    workload_status = workload_->Run(*db_, *history_, stop, counters_);
    workload_done = true;
  });
  // The nemesis acts through the backend; the poller tells it who leads.
  std::mutex backend_mutex;
  NemesisAdapter control(
      *backend_, spec_.nodes,
      [&poller] {
        const ClusterView view = poller.Latest();
        return LeaderTerm{.leader = view.leader, .term = view.term};
      },
      &backend_mutex);
  nemesis::SpawnRunner commands;
  control.set_probe_port(db_->port());
  nemesis::Nemesis faults(
      control, commands,
      {.seed = *spec_.seed,
       .record =
           [this](const std::string& f, Json value) {
             if (value.value("phase", "") == "verified" && !value.value("ok", true)) {
               err_ << "splitbrain run: nemesis: " << f << " (fault " << value.value("id", 0)
                    << ") did not take effect: " << value.value("reason", "") << "\n";
             }
             history_->Append({.process = checker::Process::Named("nemesis"),
                               .type = checker::EventType::kInfo,
                               .f = f,
                               .value = std::move(value)});
           },
       .leader_wait = kNemesisLeaderWait});
  control.set_after_start([&faults](int node) { return faults.net_rules().Reapply(node); });
  if (!libfaketime_.empty()) control.enable_clock(run_dir_);
  std::optional<nemesis::ScheduleRunner> schedule;
  if (!schedule_.empty()) {
    schedule.emplace(faults, schedule_, t0, [this](const Status& status) {
      err_ << "splitbrain run: nemesis: " << status.message() << "\n";
    });
  }
  Watch(poller, faults, t0, workload_done);
  const bool had_faults = !schedule_.empty();
  Heal(schedule, faults);  // first, then stop the clients
  if (had_faults) AwaitServing(workload_done);
  stop = true;
  workload_thread.join();
  workload_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
  if (workload_status.ok() && !interrupts_.interrupted()) {
    phase_ = "final reads";
    workload_status = workload_->Finish(*db_, *history_);
  }
  if (!interrupts_.interrupted()) {
    phase_ = "convergence";
    WaitForConvergence();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a last round of samples
  }
  poller.Stop();
  Status closed = history_->Close();
  RETURN_IF_ERROR(workload_status);
  return closed;
}

// After the final heal the clients go on until the cluster has served them again, so the
// liveness check sees whether it did: until concurrency + 1 more operations succeeded (each
// client has at most one operation in flight, so one of them was invoked after the heal), or
// the recovery bound (and a second) passed.
void Run::AwaitServing(const std::atomic<bool>& workload_done) {
  phase_ = "recovery after heal";
  const int64_t before = counters_.ok.load();
  const int64_t needed = static_cast<int64_t>(spec_.concurrency) + 1;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(spec_.max_recovery_s * 1000)) +
      std::chrono::seconds(1);
  while (Clock::now() < deadline && !workload_done && !interrupts_.interrupted()) {
    if (counters_.ok.load() >= before + needed) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Waits (at most 10 s) until every node answers and all report the same applied index, so the
// status samples at the end of the history show whether the replicas converged.
void Run::WaitForConvergence() {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && !interrupts_.interrupted()) {
    std::set<uint64_t> applied;
    size_t answered = 0;
    for (const std::string& endpoint : endpoints_) {
      auto status = db_->Status(endpoint, std::chrono::milliseconds(200));
      if (!status.ok()) continue;
      ++answered;
      applied.insert(status->applied_index);
    }
    if (answered == endpoints_.size() && applied.size() == 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status Run::Collect() {
  phase_ = "collect logs";
  Status status = backend_->CollectLogs();
  for (int i = 1; i <= spec_.nodes; ++i) {
    const fs::path node_dir = run_dir_ / "nodes" / ("n" + std::to_string(i));
    std::error_code ec;
    fs::copy_file(node_dir / "data" / "events.jsonl", node_dir / "events.jsonl",
                  fs::copy_options::overwrite_existing, ec);
  }
  return status;
}

// results.json, and the same verdict as JUnit XML: junit.xml in the run folder, and --junit.
void Run::WriteResults(const Json& results) {
  Status written = WriteFileAtomically(run_dir_ / "results.json", results.dump(2) + "\n");
  if (!written.ok()) err_ << "splitbrain run: " << written.message() << "\n";
  const Json spec = spec_json_.is_object() ? spec_json_ : spec_.ToJson();
  const std::string xml = JunitXml(results, spec, IsoTimestamp(start_time_));
  for (const fs::path& path : {run_dir_ / "junit.xml", fs::path(spec_.junit)}) {
    if (path.empty()) continue;
    if (Status s = WriteFileAtomically(path, xml); !s.ok()) {
      err_ << "splitbrain run: junit: " << s.message() << "\n";
    }
  }
}

int Run::CheckAndStore() {
  auto history =
      checker::ReadHistoryFile((run_dir_ / "history.jsonl").string(), checker::Format::kJsonl);
  if (!history.ok()) {
    err_ << "splitbrain run: cannot read back the history: " << history.status().message() << "\n";
    return kExitRunFailed;
  }
  const auto outcomes = RunChecks({.workload = spec_.workload,
                                   .model = std::string(workload_->model()),
                                   .nodes = spec_.nodes,
                                   .run_dir = run_dir_,
                                   .max_failover_s = spec_.max_failover_s,
                                   .max_recovery_s = spec_.max_recovery_s,
                                   .node_logs = db_->traits().writes_node_events,
                                   .terms_are_current = db_->traits().status_term_is_current},
                                  *history);
  const checker::Verdict verdict = CombinedVerdict(outcomes);
  Json checks = Json::object();
  out_ << "checks:\n";
  for (const CheckOutcome& o : outcomes) {
    checks[o.name] = {{"verdict", checker::VerdictName(o.verdict)},
                      {"summary", o.summary},
                      {"details", o.details}};
    out_ << "  " << o.name << ": " << checker::VerdictName(o.verdict) << "  " << o.summary << "\n";
  }
  const int code = ExitCodeOf(verdict);
  // Faults that did not take effect are said on the verdict line: a run that planned faults
  // and applied none is not a chaos run, whatever the other checks say.
  std::string faults_note;
  Json faults_summary = Json::object();
  for (const CheckOutcome& o : outcomes) {
    if (o.name != kFaultsCheck) continue;
    if (o.verdict != checker::Verdict::kValid) faults_note = "; faults: " + o.summary;
    for (const char* key : {"planned", "applied", "verified", "failed", "unverified"}) {
      if (o.details.is_object() && o.details.contains(key)) faults_summary[key] = o.details[key];
    }
  }
  WriteResults({{"run_id", run_id_},
                {"name", spec_.name},
                {"backend", backend_ ? std::string(backend_->name()) : ""},
                {"verdict", checker::VerdictName(verdict)},
                {"exit_code", code},
                {"workload_s", workload_s_},
                {"elapsed_s", std::chrono::duration<double>(Clock::now() - started_).count()},
                {"ops",
                 {{"ok", counters_.ok.load()},
                  {"fail", counters_.fail.load()},
                  {"info", counters_.info.load()}}},
                {"faults", faults_summary},
                {"checks", checks}});
  out_ << "verdict: " << checker::VerdictName(verdict) << " (exit " << code << ")" << faults_note
       << "\n"
       << "results: " << (run_dir_ / "results.json").string() << "\n";
  Status reported = report::WriteRunReport(run_dir_);  // a report never changes the verdict
  if (reported.ok()) reported = report::WriteStoreIndex(spec_.store);
  if (reported.ok()) out_ << "report: " << (run_dir_ / "report.html").string() << "\n";
  if (!reported.ok()) err_ << "splitbrain run: warning: report: " << reported.message() << "\n";
  return code;
}

int Run::Finish(const Status& status) {
  const std::string reason =
      interrupts_.interrupted() ? "interrupted by " + interrupts_.signal_name() : status.message();
  err_ << "splitbrain run: the run failed during " << phase_ << ": " << reason << "\n";
  if (!run_dir_.empty()) {
    WriteResults({{"run_id", run_id_},
                  {"name", spec_.name},
                  {"verdict", "run-failed"},
                  {"exit_code", kExitRunFailed},
                  {"phase", phase_},
                  {"error", reason}});
    err_ << "  store: " << run_dir_.string() << "\n";
  }
  return kExitRunFailed;
}

int Run::Execute() {
  started_ = Clock::now();
  Status status = Prepare();
  if (status.ok()) status = BringUp();
  if (status.ok() && !interrupts_.interrupted()) status = Drive();
  if (backend_) {
    Status collected = Collect();
    if (status.ok()) status = collected;
    phase_ = "teardown";
    const auto t0 = Clock::now();
    Status down = backend_->Down();
    if (down.ok()) {
      out_ << "torn down in "
           << static_cast<int>(std::chrono::duration<double>(Clock::now() - t0).count() * 1000)
           << " ms\n";
    } else {
      err_ << "splitbrain run: teardown: " << down.message() << " (run `splitbrain cleanup --run "
           << run_id_ << "`)\n";
      if (status.ok()) status = down;
    }
  }
  if (!status.ok() || interrupts_.interrupted()) return Finish(status);
  phase_ = "checks";
  return CheckAndStore();
}

}  // namespace

int RunRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto spec = ParseRunSpec(args);
  if (!spec.ok()) {
    err << "splitbrain run: " << spec.status().message() << "\n" << RunUsage();
    return kExitBadInput;
  }
  if (!spec->seed.has_value()) spec->seed = std::random_device{}();
  auto schedule = BuildSchedule(*spec, *spec->seed);
  if (!schedule.ok()) {
    err << "splitbrain run: " << schedule.status().message() << "\n";
    return kExitBadInput;
  }
  const bool moves_clocks =
      std::any_of(schedule->begin(), schedule->end(), [](const nemesis::ScheduleEntry& entry) {
        return entry.fault.kind == nemesis::FaultKind::kClock;
      });
  if (moves_clocks && spec->db == "etcd") {
    // libfaketime moves the clock libc reports; Go's runtime reads it through the vDSO.
    err << "splitbrain run: the clock fault cannot move etcd's clock (a Go program does not "
           "read time through libc, where libfaketime works); leave clock out for --db etcd\n";
    return kExitBadInput;
  }
  InterruptWatcher interrupts;
  try {
    Run run(std::move(*spec), std::move(*schedule), out, err, interrupts);
    return run.Execute();
  } catch (const std::exception& e) {
    err << "splitbrain run: internal error: " << e.what() << "\n";
    return kExitRunFailed;
  }
}

}  // namespace orchestrator

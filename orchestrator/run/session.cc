#include "orchestrator/run/session.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <thread>

#include "orchestrator/run/backend/docker/docker_backend.h"
#include "orchestrator/run/backend/docker/docker_client.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run/databases.h"
#include "orchestrator/run/node_clock.h"
#include "orchestrator/run/status_poller.h"
#include "orchestrator/store/atomic_file.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kLeaderTimeout = std::chrono::seconds(30);

Result<std::unique_ptr<Backend>> ChooseBackend(BackendKind kind) {
  switch (kind) {
    case BackendKind::kDocker:
      return MakeDockerBackend();
    case BackendKind::kNetns:
      return MakeNetnsBackend();
    case BackendKind::kAuto:
      break;
  }
  if (DockerAvailable()) return MakeDockerBackend();
  if (NetnsAvailable()) return MakeNetnsBackend();
  return Status::Unavailable(
      "--backend auto: no Docker daemon answers at /var/run/docker.sock and network namespaces "
      "need root and iproute2; run ci/setup.sh as root");
}

int Millis(Clock::duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

ClusterSession::~ClusterSession() {
  if (!backend_ || down_) return;
  // An early return or an exception: tear down anyway, the nodes before their disks.
  Status down = backend_->Down();
  if (disks_) {
    const Status unmounted = disks_->Unmount();
    if (down.ok()) down = unmounted;
  }
  if (!down.ok()) {
    std::cerr << "splitbrain run: teardown: " << down.message()
              << " (run `splitbrain cleanup --run " << run_id_ << "`)\n";
  }
}

Status ClusterSession::Open() {
  const RunSpec& spec = plan_.spec;
  run_id_ = NewRunId();
  ASSIGN_OR_RETURN(RunDir run_dir,
                   RunDir::Create(spec.store, spec.name, std::chrono::system_clock::now()));
  run_dir_.emplace(std::move(run_dir));
  RETURN_IF_ERROR(UpdateLatest(spec.store, *run_dir_));
  ASSIGN_OR_RETURN(RunRegistration registration,
                   RunRegistration::Create(run_id_, run_dir_->root()));
  registration_.emplace(std::move(registration));
  RETURN_IF_ERROR(CheckDbBinaries(spec, *plan_.db));
  ASSIGN_OR_RETURN(backend_, ChooseBackend(spec.backend));
  if (plan_.moves_clocks) {
    ASSIGN_OR_RETURN(libfaketime_, FindLibfaketime());
    ASSIGN_OR_RETURN(clock_shim_, FindClockShim());
  }
  recorded_spec_ = spec;
  recorded_spec_.run_id = run_id_;
  recorded_spec_.backend_used = std::string(backend_->name());
  if (const std::optional<workloads::DbSource> source = plan_.db->source()) {
    recorded_spec_.db_file = source->file.string();
    recorded_spec_.db_sha256 = source->sha256;
  }
  if (spec.nemesis_auto) {
    // Its faults came from the store as it was before this run: replay the executed schedule.
    std::error_code ec;
    const std::filesystem::path schedule = std::filesystem::absolute(run_dir_->schedule(), ec);
    recorded_spec_.replay_schedule = (ec ? run_dir_->schedule() : schedule).string();
  }
  return WriteFileAtomically(run_dir_->spec(), recorded_spec_.ToJson().dump(2) + "\n");
}

Status ClusterSession::BringUp(std::ostream& out) {
  const RunSpec& spec = plan_.spec;
  out << "splitbrain run " << run_id_ << ": " << spec.DbLabel() << " × " << spec.nodes << " on "
      << backend_->name() << ", workload " << workloads::WorkloadKindName(spec.workload) << ", "
      << spec.time_limit_s << " s, seed " << *spec.seed
      << "\n  store: " << run_dir_->root().string() << "\n"
      << std::flush;
  set_phase("backend up");
  const auto t0 = Clock::now();
  BackendOptions options{.run_id = run_id_,
                         .nodes = spec.nodes,
                         .run_dir = *run_dir_,
                         .binaries = plan_.db->Binaries(),
                         .files = plan_.db->ImageFiles(),
                         .image = plan_.db->ImageName()};
  if (!libfaketime_.empty()) options.libraries.push_back(libfaketime_);
  if (!clock_shim_.empty()) options.libraries.push_back(clock_shim_);
  RETURN_IF_ERROR(backend_->Up(options));
  if (plan_.has_disk_faults) {
    set_phase("mount the disk layer");
    ASSIGN_OR_RETURN(disks_, NodeDisks::Mount(run_id_, *run_dir_, spec.nodes));
  }
  set_phase("start nodes");
  RETURN_IF_ERROR(StartNodes());
  if (plan_.db->ReadyTimeout().count() > 0) {
    set_phase("wait until the nodes are ready");
    RETURN_IF_ERROR(AwaitReady(out));
  }
  set_phase("wait for a leader");
  ASSIGN_OR_RETURN(int leader, AwaitFirstWrite());
  out << "  cluster serving in " << Millis(Clock::now() - t0) << " ms (leader n" << leader << ")\n"
      << std::flush;
  return Status::Ok();
}

Status ClusterSession::StartNodes() {
  const int nodes = plan_.spec.nodes;
  std::vector<std::string> ips;
  for (int i = 1; i <= nodes; ++i) ips.push_back(backend_->NodeIp(i));
  ASSIGN_OR_RETURN(std::optional<workloads::ClusterTls> tls, MakeCertificates(ips));
  plan_.db->Attach(
      {.run_id = run_id_, .ips = ips, .log_dir = run_dir_->root(), .tls = std::move(tls)});
  for (int i = 1; i <= nodes; ++i) {
    const workloads::NodeEnv env{
        .id = i, .ip = ips[i - 1], .peer_ips = ips, .data_dir = backend_->NodeDataDir(i)};
    for (const workloads::NodeFile& file : plan_.db->NodeFiles(env)) {
      const std::filesystem::path path = run_dir_->node_data(i) / file.path;
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      RETURN_IF_ERROR(WriteFileAtomically(path, file.contents)
                          .WithContext("node n" + std::to_string(i) + ": config file"));
      // The node's copies of the run's certificates go with them.
      if (certificates_ && file.path.rfind("tls/", 0) == 0) {
        certificates_->AlsoRemove(path.parent_path());
      }
    }
    node_envs_.push_back(env);
    const std::string node_name = "node n" + std::to_string(i);
    std::vector<std::string> node_env;
    if (!libfaketime_.empty()) {
      // Each node starts on the real clock; the clock fault moves it.
      RETURN_IF_ERROR(WriteClockOffset(run_dir_->node_ctl(i), 0).WithContext(node_name));
      RETURN_IF_ERROR(CreateMonotonicControl(run_dir_->node_ctl(i)).WithContext(node_name));
      node_env = ScaledClockEnvironment(libfaketime_, clock_shim_, backend_->NodeCtlDir(i));
    }
    RETURN_IF_ERROR(
        backend_->CreateNode(i, plan_.db->NodeArgv(env), node_env).WithContext(node_name));
    RETURN_IF_ERROR(backend_->StartNode(i).WithContext(node_name));
    endpoints_.push_back(ips[i - 1] + ":" + std::to_string(plan_.db->port()));
  }
  return Status::Ok();
}

Result<std::optional<workloads::ClusterTls>> ClusterSession::MakeCertificates(
    const std::vector<std::string>& ips) {
  if (!plan_.spec.tls) return std::optional<workloads::ClusterTls>();
  ASSIGN_OR_RETURN(RunCertificates certificates, RunCertificates::Create(run_id_, ips));
  certificates_.emplace(std::move(certificates));
  ASSIGN_OR_RETURN(workloads::ClusterTls tls, certificates_->ClusterTls());
  return std::optional<workloads::ClusterTls>(std::move(tls));
}

Status ClusterSession::NodesAlive() const {
  if (interrupts_.interrupted()) return Status::Unavailable("interrupted");
  for (int i = 1; i <= plan_.spec.nodes; ++i) {
    if (!backend_->IsRunning(i)) {
      return Status::Unavailable("node n" + std::to_string(i) + " exited during start (see " +
                                 run_dir_->node_log(i).string() + ")");
    }
  }
  return Status::Ok();
}

Status ClusterSession::AwaitReady(std::ostream& out) {
  const auto deadline = Clock::now() + plan_.db->ReadyTimeout();
  std::vector<bool> ready(node_envs_.size(), false);
  auto next_note = Clock::now() + std::chrono::seconds(5);
  for (;;) {
    RETURN_IF_ERROR(NodesAlive());
    std::string waiting;
    std::string last_reason;
    for (size_t i = 0; i < node_envs_.size(); ++i) {
      if (ready[i]) continue;
      const Status probe = plan_.db->Ready(node_envs_[i], std::chrono::seconds(2));
      ready[i] = probe.ok();
      if (ready[i]) continue;
      waiting += waiting.empty() ? "n" : ", n";
      waiting += std::to_string(i + 1);
      last_reason = probe.message();
    }
    if (waiting.empty()) return Status::Ok();
    if (Clock::now() > deadline) {
      std::string why = "not ready after " + std::to_string(plan_.db->ReadyTimeout().count());
      why.append(" s: ").append(waiting).append(" (").append(last_reason).append(")");
      return Status::DeadlineExceeded(why);
    }
    if (Clock::now() > next_note) {
      out << "  waiting for " << waiting << " to be ready (" << last_reason << ")\n" << std::flush;
      next_note = Clock::now() + std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// A leader is not enough: waits until a write is acknowledged. Returns the leader.
Result<int> ClusterSession::AwaitFirstWrite() {
  ASSIGN_OR_RETURN(int leader, WaitForLeader(*plan_.db, endpoints_, kLeaderTimeout,
                                             [this] { return NodesAlive(); }));
  ASSIGN_OR_RETURN(auto client, plan_.db->Connect({.endpoints = endpoints_}));
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
  return leader;
}

Status ClusterSession::CollectLogs() {
  set_phase("collect logs");
  Status status = backend_->CollectLogs();
  for (int i = 1; i <= plan_.spec.nodes; ++i) {
    std::error_code ec;
    fs::copy_file(run_dir_->node_data(i) / "events.jsonl", run_dir_->node_events(i),
                  fs::copy_options::overwrite_existing, ec);
  }
  return status;
}

Status ClusterSession::Down(std::ostream& out, std::ostream& err) {
  if (!backend_ || down_) return Status::Ok();
  set_phase("teardown");
  const auto t0 = Clock::now();
  Status down = backend_->Down();
  if (disks_) {
    const Status unmounted = disks_->Unmount();
    if (down.ok()) down = unmounted;
  }
  down_ = true;
  if (down.ok()) {
    out << "torn down in " << Millis(Clock::now() - t0) << " ms\n";
  } else {
    err << "splitbrain run: teardown: " << down.message() << " (run `splitbrain cleanup --run "
        << run_id_ << "`)\n";
  }
  return down;
}

}  // namespace orchestrator

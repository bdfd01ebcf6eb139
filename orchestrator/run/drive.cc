#include "orchestrator/run/drive.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <ostream>
#include <set>
#include <thread>

#include "nemesis/command_runner.h"
#include "nemesis/nemesis.h"
#include "nemesis/schedule.h"
#include "orchestrator/run/databases.h"
#include "orchestrator/run/nemesis_adapter.h"
#include "orchestrator/run/node_clock.h"
#include "orchestrator/run/progress.h"
#include "orchestrator/run/run_checks.h"
#include "orchestrator/run/status_poller.h"
#include "orchestrator/store/atomic_file.h"
#include "workloads/lease_candidate.h"

namespace orchestrator {

using checker::Json;
using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

// How long a fault aimed at the leader waits, at least, for the status poller to know one (an
// election under way, or a round of status calls that missed their deadline on a loaded
// machine); longer when --max-failover allows elections to take longer (a JVM restarting).
constexpr auto kNemesisLeaderWait = std::chrono::seconds(3);

std::chrono::milliseconds LeaderWait(double max_failover_s) {
  return std::max<std::chrono::milliseconds>(
      kNemesisLeaderWait, std::chrono::milliseconds(static_cast<int64_t>(max_failover_s * 1000)));
}

// How long the nemesis waits to learn who holds the lease.
constexpr auto kLeaseReadDeadline = std::chrono::milliseconds(250);

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Feeds every event the history writes to the live check from construction to destruction.
class LiveFeed {
 public:
  LiveFeed(workloads::HistoryWriter& history, checker::LiveLinearizability* live)
      : history_(history) {
    if (live != nullptr) {
      history_.SetObserver([live](const checker::Event& event) { live->Add(event); });
    }
  }
  ~LiveFeed() { history_.SetObserver(nullptr); }
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

 private:
  workloads::HistoryWriter& history_;
};

}  // namespace

// The nemesis of one run: acts on the session's backend through NemesisAdapter (the poller says
// who leads), records every fault phase in the history, and runs the plan's schedule from
// `start`. The destructor stops the schedule and heals.
class Driver::Faults {
 public:
  Faults(const RunPlan& plan, ClusterSession& session, const StatusPoller& poller,
         workloads::HistoryWriter& history, std::ostream& err, Clock::time_point start,
         nemesis::CandidateControl* candidates)
      : session_(session),
        plan_(plan),
        err_(err),
        control_(
            *session.backend(), plan.spec.nodes, [&poller] { return Leader(poller); },
            &session.backend_mutex()),
        nemesis_(control_, commands_,
                 {.seed = *plan.spec.seed,
                  .record = [this, &history](const std::string& f,
                                             Json value) { Record(history, f, std::move(value)); },
                  .leader_wait = LeaderWait(plan.spec.max_failover_s),
                  .candidates = candidates}) {
    control_.set_probe_port(plan.db->port());
    control_.set_after_start([this](int node) { return nemesis_.net_rules().Reapply(node); });
    if (session.moves_clocks()) control_.enable_clock(*session.run_dir());
    control_.enable_shaping(
        {.binary = NetqBinary(),
         .run_id = session.run_id(),
         .log_dir = [dir = *session.run_dir()](int node) { return dir.node(node); }});
    if (session.disks() != nullptr) control_.enable_disks(session.disks());
    if (!plan.schedule.empty()) {
      schedule_.emplace(nemesis_, plan.schedule, start, [&err](const Status& status) {
        err << "splitbrain run: nemesis: " << status.message() << "\n";
      });
    }
  }

  // Ends the schedule (its Stop heals what it started), stores what it executed in
  // schedule.json, and heals anything still active.
  void Heal() {
    if (schedule_.has_value()) {
      schedule_->Stop();
      Status written = WriteFileAtomically(session_.run_dir()->schedule(),
                                           nemesis::ScheduleFileText(schedule_->executed()));
      if (!written.ok()) err_ << "splitbrain run: " << written.message() << "\n";
    }
    Status healed = nemesis_.HealAll();
    if (!healed.ok()) err_ << "splitbrain run: heal: " << healed.message() << "\n";
  }

  bool has_schedule() const { return !plan_.schedule.empty(); }

  // "kill n2, partition-leader n1", or "none": the faults now active, for the progress line.
  std::string Active() const {
    std::string names;
    for (int id : nemesis_.active_ids()) {
      auto fault = nemesis_.Applied(id);
      if (!fault.has_value()) continue;
      names += (names.empty() ? "" : ", ") + std::string(nemesis::FaultName(fault->kind));
      std::string targets;
      const std::string prefix = nemesis::IsCandidateFault(fault->kind) ? "c" : "n";
      for (int n : fault->nodes) {
        targets += (targets.empty() ? " " : ",") + prefix + std::to_string(n);
      }
      names += targets;
    }
    return names.empty() ? std::string("none") : names;
  }

 private:
  static LeaderTerm Leader(const StatusPoller& poller) {
    const ClusterView view = poller.Latest();
    return LeaderTerm{.leader = view.leader, .term = view.term};
  }

  void Record(workloads::HistoryWriter& history, const std::string& f, Json value) {
    if (value.value("phase", "") == "verified" && !value.value("ok", true)) {
      err_ << "splitbrain run: nemesis: " << f << " (fault " << value.value("id", 0)
           << ") did not take effect: " << value.value("reason", "") << "\n";
    }
    history.Append({.process = checker::Process::Named("nemesis"),
                    .type = checker::EventType::kInfo,
                    .f = f,
                    .value = std::move(value)});
  }

  ClusterSession& session_;
  const RunPlan& plan_;
  std::ostream& err_;
  NemesisAdapter control_;
  nemesis::SpawnRunner commands_;
  nemesis::Nemesis nemesis_;
  std::optional<nemesis::ScheduleRunner> schedule_;
};

Result<std::unique_ptr<CandidateFleet>> Driver::MakeFleet() {
  const RunSpec& spec = plan_.spec;
  if (spec.workload != workloads::WorkloadKind::kElection) {
    return std::unique_ptr<CandidateFleet>();
  }
  std::filesystem::path libfaketime;
  std::filesystem::path clock_shim;
  if (plan_.moves_candidate_clocks) {
    ASSIGN_OR_RETURN(libfaketime, FindLibfaketime());
    ASSIGN_OR_RETURN(clock_shim, FindClockShim());
  }
  ASSIGN_OR_RETURN(lease_reader_, plan_.db->Connect({.endpoints = session_.endpoints(),
                                                     .call_deadline = kLeaseReadDeadline}));
  return CandidateFleet::Create({.backend = session_.backend(),
                                 .backend_mutex = &session_.backend_mutex(),
                                 .candidates = spec.concurrency,
                                 .nodes = spec.nodes,
                                 .run_id = session_.run_id(),
                                 .run_dir = *session_.run_dir(),
                                 .libfaketime = libfaketime,
                                 .clock_shim = clock_shim,
                                 .probe_port = plan_.db->port(),
                                 .lease_holder = [this] { return LeaseHolder(); }});
}

int Driver::LeaseHolder() {
  const auto read = lease_reader_->Read(workloads::kLeaseKey);
  if (read.outcome != workloads::Outcome::kOk || !read.value.has_value()) return 0;
  return workloads::HolderOf(*read.value).value_or(0);
}

Status Driver::Run(workloads::HistoryWriter& history) {
  const RunSpec& spec = plan_.spec;
  session_.set_phase("workload");
  ASSIGN_OR_RETURN(const std::unique_ptr<CandidateFleet> fleet, MakeFleet());
  std::filesystem::path candidate_program;
  if (fleet) {
    ASSIGN_OR_RETURN(candidate_program, CandidateProgram());
  }
  ASSIGN_OR_RETURN(workload_,
                   workloads::MakeWorkload(spec.workload, {.concurrency = spec.concurrency,
                                                           .rate = spec.rate,
                                                           .seed = *spec.seed,
                                                           .endpoints = session_.endpoints(),
                                                           .fencing = spec.fencing,
                                                           .candidate_program = candidate_program,
                                                           .candidate_host = fleet.get()}));
  if (auto options = LiveCheckOptionsFor(ChecksInputFor(plan_, *workload_))) {
    live_ = std::make_unique<checker::LiveLinearizability>(*options);
    live_->Start();
  }
  const LiveFeed feed(history, live_.get());
  StatusPoller poller(*plan_.db, session_.endpoints(), history);
  poller.Start();
  std::atomic<bool> stop{false};
  std::atomic<bool> workload_done{false};
  Status workload_status;
  const auto t0 = Clock::now();
  std::thread clients([&] {
    workload_status = workload_->Run(*plan_.db, history, stop, counters_);
    workload_done = true;
  });
  {
    Faults faults(plan_, session_, poller, history, err_, t0, fleet.get());
    Watch(poller, faults, t0, workload_done);
    session_.set_phase("heal");
    faults.Heal();  // first, then stop the clients
    if (faults.has_schedule()) AwaitServing(workload_done);
  }
  stop = true;
  clients.join();
  workload_s_ = SecondsSince(t0);
  if (workload_status.ok() && !interrupts_.interrupted()) {
    session_.set_phase("final reads");
    workload_status = workload_->Finish(*plan_.db, history);
  }
  if (!interrupts_.interrupted()) {
    session_.set_phase("convergence");
    WaitForConvergence();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a last round of samples
  }
  poller.Stop();
  return workload_status;
}

// Shows the progress line until the time limit, the workload's end or a signal.
void Driver::Watch(const StatusPoller& poller, const Faults& faults, Clock::time_point start,
                   const std::atomic<bool>& workload_done) {
  ProgressLine progress(out_, isatty(STDOUT_FILENO) != 0);
  while (!workload_done && !interrupts_.interrupted()) {
    const double elapsed = SecondsSince(start);
    const ClusterView view = poller.Latest();
    if (elapsed >= 1) {
      progress.Update({.elapsed_s = elapsed,
                       .limit_s = plan_.spec.time_limit_s,
                       .ok = counters_.ok.load(),
                       .fail = counters_.fail.load(),
                       .info = counters_.info.load(),
                       .leader = view.leader,
                       .term = view.term,
                       .answering = view.answering,
                       .nodes = plan_.spec.nodes,
                       .faults = faults.Active()});
    }
    if (elapsed >= plan_.spec.time_limit_s || StopOnInvalid(start)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  progress.Finish();
  if (stopped_early_.has_value()) {
    char at[32];
    std::snprintf(at, sizeof at, "%.1f", stopped_early_->at_s);
    out_ << "stopping early at " << at
         << " s (--stop-on-invalid): linearizable: " << stopped_early_->reason << "\n";
  }
}

bool Driver::StopOnInvalid(Clock::time_point start) {
  if (!plan_.spec.stop_on_invalid || live_ == nullptr) return false;
  const std::optional<checker::LiveInvalid> invalid = live_->first_invalid();
  if (!invalid.has_value()) return false;
  stopped_early_ = EarlyStop{.check = "linearizable",
                             .key = invalid->key.dump(),
                             .at_s = SecondsSince(start),
                             .reason = invalid->reason};
  return true;
}

// After the final heal the clients go on until the cluster has served them again, so the
// liveness check sees whether it did: until concurrency + 1 more operations succeeded (each
// client has at most one operation in flight, so one of them was invoked after the heal), or
// the recovery bound (and a second) passed.
void Driver::AwaitServing(const std::atomic<bool>& workload_done) {
  session_.set_phase("recovery after heal");
  const int64_t before = counters_.ok.load();
  const int64_t needed = static_cast<int64_t>(plan_.spec.concurrency) + 1;
  const auto deadline =
      Clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(plan_.spec.max_recovery_s * 1000)) +
      std::chrono::seconds(1);
  while (Clock::now() < deadline && !workload_done && !interrupts_.interrupted()) {
    if (counters_.ok.load() >= before + needed) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Waits (at most 10 s) until every node answers and all report the same applied index, so the
// status samples at the end of the history show whether the replicas converged.
void Driver::WaitForConvergence() {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && !interrupts_.interrupted()) {
    std::set<uint64_t> applied;
    size_t answered = 0;
    for (const std::string& endpoint : session_.endpoints()) {
      auto status = plan_.db->Status(endpoint, std::chrono::milliseconds(200));
      if (!status.ok()) continue;
      ++answered;
      applied.insert(status->applied_index);
    }
    if (answered == session_.endpoints().size() && applied.size() == 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace orchestrator

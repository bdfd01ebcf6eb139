// The election workload: K candidates compete for one lease key the way Kubernetes
// controllers elect a leader on etcd (client-go's leaderelection); lease_candidate.h says what
// each does. Each candidate is a process of its own (splitbrain-candidate), placed by the
// CandidateHost (its own network namespace on the netns backend), so the nemesis can freeze,
// clock-skew and cut one candidate: the faults a lease cannot hide from.
//
// Folding: one thread per candidate reads the program's event lines and appends them to the
// history as they arrive. An invoke is appended before the candidate is told "go", so every
// operation takes effect after its invoke is in the history; a completion is appended when it
// arrives, a little after it happened, which only widens the operation. Tenures come stamped on
// the candidate's monotonic clock, which is the history writer's steady clock: they are moved
// onto the history's time by one offset, unaffected by a candidate's wall-clock skew or pause.
//
// Recorded: at start one `lease-config` event (with "fencing"); every lease and protected-key
// operation as a register op on key "lease" or "fenced" (checked for linearizability); each
// tenure as `{"process":"election","f":"tenure","value":{"candidate":c,"start_ns":S,
// "end_ns":E,"token":T}}` (checker/lease_check.h, checker/fencing_check.h).
#include "workloads/election_workload.h"

#include <chrono>
#include <thread>
#include <vector>

#include "checker/lease_check.h"
#include "common/process/line_process.h"
#include "workloads/candidate_args.h"
#include "workloads/recorder.h"

namespace workloads {
namespace {

using checker::Json;
using common::Status;
using Clock = std::chrono::steady_clock;

// How long a candidate told to stop may take to end its tenure and exit.
constexpr auto kStopGrace = std::chrono::seconds(5);

// The candidate programs' own places when the run gives none: this process's namespace.
class LocalHost final : public CandidateHost {
 public:
  explicit LocalHost(std::filesystem::path log_dir) : log_dir_(std::move(log_dir)) {}
  common::Result<CandidatePlace> Place(int /*candidate*/) override {
    return CandidatePlace{.log_dir = log_dir_};
  }
  void Started(int /*candidate*/, pid_t /*pid*/) override {}
  void Ended(int /*candidate*/) override {}

 private:
  std::filesystem::path log_dir_;
};

// One candidate program and the thread that folds its lines into the history.
class CandidateRun {
 public:
  CandidateRun(int candidate, CandidateHost& host, Recorder& recorder, int64_t mono_offset_ns)
      : candidate_(candidate), host_(host), recorder_(recorder), mono_offset_ns_(mono_offset_ns) {}
  CandidateRun(const CandidateRun&) = delete;
  CandidateRun& operator=(const CandidateRun&) = delete;
  ~CandidateRun() {
    if (process_.started()) {
      (void)process_.Kill();
      host_.Ended(candidate_);
    }
  }

  Status Start(const std::filesystem::path& program, CandidateArgs args) {
    ASSIGN_OR_RETURN(CandidatePlace place, host_.Place(candidate_));
    const std::string name = "candidate-" + std::to_string(candidate_);
    args.log = (place.log_dir / (name + ".jsonl")).string();
    std::vector<std::string> argv = CandidateArgv(args);
    argv.insert(argv.begin(), program.string());
    ASSIGN_OR_RETURN(process_,
                     common::process::LineProcess::Spawn(
                         argv, place.env, place.log_dir / (name + ".log"), place.netns_path));
    host_.Started(candidate_, process_.pid());
    return Status::Ok();
  }

  // Folds lines until the program exits; after `stop` tells it to stop (once), and kills it
  // when it has not exited kStopGrace later.
  Status Fold(const std::atomic<bool>& stop) {
    std::optional<Clock::time_point> stop_sent;
    for (;;) {
      auto line = process_.ReadLine(Clock::now() + std::chrono::milliseconds(50));
      if (line.ok()) {
        RETURN_IF_ERROR(
            FoldLine(*line, stop).WithContext("candidate " + std::to_string(candidate_)));
        continue;
      }
      if (line.status().code() != common::StatusCode::kDeadlineExceeded) break;  // it exited
      if (stop && !stop_sent) {
        (void)process_.WriteLine(kCandidateStop, Clock::now() + std::chrono::seconds(1));
        stop_sent = Clock::now();
      }
      if (stop_sent && Clock::now() - *stop_sent > kStopGrace) break;
    }
    host_.Ended(candidate_);
    RETURN_IF_ERROR(process_.Stop(std::chrono::milliseconds(500)));
    if (!stop) {
      return Status::Unavailable("candidate " + std::to_string(candidate_) +
                                 " exited before the end (see its candidate-" +
                                 std::to_string(candidate_) + ".log)");
    }
    return Status::Ok();
  }

 private:
  Status FoldLine(const std::string& line, const std::atomic<bool>& stop) {
    const Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) return Status::InvalidArgument("not JSON: " + line);
    ASSIGN_OR_RETURN(checker::Event event, checker::EventFromJson(object));
    if (!event.process.is_client()) return FoldNamed(std::move(event));
    if (!event.extra.is_object()) event.extra = Json::object();
    event.extra["candidate"] = candidate_;
    event.extra["mono_ns"] = event.time_ns;
    const checker::EventType type = event.type;
    recorder_.history().Append(std::move(event));
    if (type != checker::EventType::kInvoke) {
      auto& counter = type == checker::EventType::kOk     ? recorder_.counters().ok
                      : type == checker::EventType::kFail ? recorder_.counters().fail
                                                          : recorder_.counters().info;
      counter.fetch_add(1, std::memory_order_relaxed);
      return Status::Ok();
    }
    const char* answer = stop ? kCandidateStop : kCandidateGo;
    return process_.WriteLine(answer, Clock::now() + std::chrono::seconds(1));
  }

  Status FoldNamed(checker::Event event) {
    if (event.process.name != checker::kLeaseProcess || event.f != "tenure") {
      return Status::InvalidArgument("unexpected event " + event.process.name + " " + event.f);
    }
    Json value = std::move(event.value);
    for (const char* field : {"start_ns", "end_ns"}) {
      if (!value.contains(field) || !value[field].is_number_integer()) {
        return Status::InvalidArgument(std::string("tenure without an integer ") + field);
      }
      value[field] = std::max<int64_t>(value[field].get<int64_t>() - mono_offset_ns_, 0);
    }
    recorder_.Note(checker::kLeaseProcess, "tenure", std::move(value));
    return Status::Ok();
  }

  const int candidate_;
  CandidateHost& host_;
  Recorder& recorder_;
  const int64_t mono_offset_ns_;
  common::process::LineProcess process_;
};

class ElectionWorkload final : public Workload {
 public:
  explicit ElectionWorkload(WorkloadOptions options) : options_(std::move(options)) {}

  WorkloadKind kind() const override { return WorkloadKind::kElection; }
  // Lease ops are register ops; the tenures are the lease and fencing checks'.
  WorkloadChecks checks() const override {
    return {.linearizable = checker::ModelKind::kCasRegister, .lease = true, .fencing = true};
  }

  Status Run(const Db& db, HistoryWriter& history, const std::atomic<bool>& stop,
             WorkloadCounters& counters) override {
    const int k = options_.concurrency;
    if (options_.renew_deadline_ms >= options_.lease_ms) {
      return Status::InvalidArgument(
          "election: the renew deadline must be shorter than the lease duration");
    }
    // A definition's candidates run its client program; refdb and etcd's the built-in clients.
    const std::optional<DbSource> source = db.source();
    ASSIGN_OR_RETURN(const CandidateDb db_kind,
                     CandidateDbNamed(source ? std::string("definition") : db.name()));
    definition_ = source ? source->file.string() : std::string();
    Recorder recorder(history, counters);
    recorder.Note(checker::kLeaseProcess, "lease-config",
                  {{"lease_ms", options_.lease_ms},
                   {"renew_deadline_ms", options_.renew_deadline_ms},
                   {"retry_ms", options_.retry_ms},
                   {"candidates", k},
                   {"fencing", options_.fencing}});
    LocalHost local(options_.candidate_log_dir);
    CandidateHost& host = options_.candidate_host ? *options_.candidate_host : local;
    // Both clocks are CLOCK_MONOTONIC: history time = candidate time - offset.
    const int64_t offset =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count() -
        history.NowNs();
    std::vector<std::unique_ptr<CandidateRun>> runs;
    for (int c = 1; c <= k; ++c) {
      runs.push_back(std::make_unique<CandidateRun>(c, host, recorder, offset));
      RETURN_IF_ERROR(runs.back()->Start(options_.candidate_program, Args(c, db_kind)));
    }
    std::vector<Status> results(runs.size());
    std::vector<std::thread> threads;
    threads.reserve(runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = runs[i]->Fold(stop); });
    }
    for (std::thread& thread : threads) thread.join();
    for (const Status& result : results) RETURN_IF_ERROR(result);
    return Status::Ok();
  }

  Status Finish(const Db&, HistoryWriter&) override { return Status::Ok(); }

 private:
  CandidateArgs Args(int candidate, CandidateDb db) const {
    return {.candidate = candidate,
            .candidates = options_.concurrency,
            .db = db,
            .definition = definition_,
            .endpoints = options_.endpoints,
            .lease_ms = options_.lease_ms,
            .renew_deadline_ms = options_.renew_deadline_ms,
            .retry_ms = options_.retry_ms,
            .call_deadline_ms = options_.call_deadline.count(),
            .fencing = options_.fencing};
  }

  WorkloadOptions options_;
  std::string definition_;  // the definition file of a defined database
};

}  // namespace

std::unique_ptr<Workload> MakeElectionWorkload(const WorkloadOptions& options) {
  return std::make_unique<ElectionWorkload>(options);
}

}  // namespace workloads

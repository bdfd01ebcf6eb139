// Schedules: which fault starts when and for how long, relative to the start of the run.
//
// File format (`--schedule FILE.json`), a JSON array of entries:
//   [{"at": "5s", "fault": "partition-leader", "duration": "8s"},
//    {"at": "20s", "fault": "kill", "targets": "minority", "duration": "5s"},
//    {"at": "30s", "fault": "kill", "targets": [1, 3], "duration": "5s"},
//    {"at": "40s", "fault": "partition-halves", "cut": [[1, 2], [2, 1]], "duration": "5s"},
//    {"at": "50s", "fault": "link", "targets": [1, 2], "one_way": true, "duration": "2s"},
//    {"at": "60s", "fault": "loss", "targets": "all", "probability": 0.3, "duration": "5s"},
//    {"at": "70s", "fault": "disk-error", "targets": "leader", "op": "fsync", "duration": "5s"},
//    {"at": "80s", "fault": "disk-slow", "delay": "200ms", "duration": "5s"}]
// Durations are "500ms", "5s", "2m", or a number of seconds. "targets" is a target name
// (fault.h) or the exact node numbers; "op" (read, write, fsync) is disk-error's operation and
// "delay" disk-slow's added fsync latency; "cut" gives a partition's exact directed links. Any
// other key is an error naming the entry. The executed schedule (ScheduleRunner::executed) is
// written in the same format with exact nodes and cuts, so `--schedule` replays a run.
//
// A random schedule (`--nemesis a,b --nemesis-interval 10s`) alternates a healed gap of one
// interval with a fault held for one interval, until the time limit; which fault and target
// is drawn from a seeded Rng, so the same seed gives the same schedule. A biased one draws from
// weighted choices (kind and target) instead.
//
// ScheduleRunner executes a schedule on a Nemesis from its own thread. Stop() (or the
// destructor) ends it early and heals everything. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "nemesis/fault.h"
#include "nemesis/nemesis.h"

namespace nemesis {

using std::chrono::milliseconds;

struct ScheduleEntry {
  milliseconds at{0};  // from the start of the run
  Fault fault;
  milliseconds duration{0};
  bool operator==(const ScheduleEntry&) const = default;
};

using Schedule = std::vector<ScheduleEntry>;

// "500ms", "5s", "1.5s", "2m", "3" (seconds). Non-negative.
common::Result<milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(milliseconds duration);  // "5s", or "1500ms" when not whole

// "kill,pause,partition-halves" -> kinds; an unknown or empty name is an error.
common::Result<std::vector<FaultKind>> ParseFaultList(std::string_view text);

common::Result<Schedule> ParseSchedule(std::string_view json_text);
common::Result<Schedule> LoadSchedule(const std::filesystem::path& path);
nlohmann::json ScheduleToJson(const Schedule& schedule);
// A schedule file's text: the JSON array with one entry per line, as people write them.
std::string ScheduleFileText(const Schedule& schedule);

// One choice of a biased random schedule: a fault kind, the target it is aimed at (empty: drawn
// as in an unbiased schedule; only for kinds that take targets) and its weight (>= 1).
struct FaultChoice {
  FaultKind kind = FaultKind::kKill;
  std::optional<Target> target;
  int weight = 1;
  bool operator==(const FaultChoice&) const = default;
};

struct RandomScheduleOptions {
  std::vector<FaultKind> faults;
  // When not empty, each fault is drawn from these by weight instead of uniformly from `faults`
  // (`--nemesis auto`: orchestrator/run/auto_nemesis.h). Still a pure function of the seed.
  std::vector<FaultChoice> choices;
  milliseconds interval{10000};
  milliseconds time_limit{60000};
  uint64_t seed = 0;
  int nodes = 5;  // faults that cannot run on this many nodes are left out
};
common::Result<Schedule> RandomSchedule(const RandomScheduleOptions& options);

class ScheduleRunner {
 public:
  using ErrorFn = std::function<void(const common::Status&)>;

  // Starts the thread at once; entry times count from `start`. `nemesis` must outlive this.
  // `on_error` (may be empty) hears every fault that failed to start or end; the schedule
  // goes on without it.
  ScheduleRunner(Nemesis& nemesis, Schedule schedule, std::chrono::steady_clock::time_point start,
                 ErrorFn on_error = {});
  ScheduleRunner(const ScheduleRunner&) = delete;
  ScheduleRunner& operator=(const ScheduleRunner&) = delete;
  ~ScheduleRunner();  // Stop()

  // Ends the schedule early and heals everything; idempotent.
  void Stop();
  // Waits until every entry has ended or `deadline` passes; true when finished.
  bool WaitFinished(std::chrono::steady_clock::time_point deadline);

  // What ran so far, with exact nodes and cuts; a fault cut short by Stop has its real length.
  Schedule executed() const;

 private:
  struct Event {
    milliseconds at;
    bool is_start;
    size_t entry;
  };

  void Loop();
  void Fire(const Event& event);
  void Report(const common::Status& status);

  Nemesis& nemesis_;
  const Schedule schedule_;
  const std::chrono::steady_clock::time_point start_;
  ErrorFn on_error_;

  mutable common::Mutex mutex_;
  common::CondVar changed_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool finished_ GUARDED_BY(mutex_) = false;
  // Per entry: the running fault's id, 0 when none.
  std::vector<int> ids_ GUARDED_BY(mutex_);
  // Per entry: its index in executed_, -1 when not started.
  std::vector<long> executed_index_ GUARDED_BY(mutex_);
  Schedule executed_ GUARDED_BY(mutex_);
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace nemesis

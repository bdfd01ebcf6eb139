// The store and its run folders. A store holds one folder per run, STORE/<test>/<timestamp>/,
// STORE/latest (a relative symlink to the newest run's folder) and STORE/index.html. RunDir is
// the one place that knows a run folder's layout; every other part asks it for a path:
//
//   spec.json       the spec as run (RunSpec::ToJson, with the run id and the backend used)
//   schedule.json   the faults the nemesis executed (nemesis::ScheduleToJson)
//   history.jsonl   the history (checker/history.h), node logs folded in at the end
//   results.json    RunResults (results.h; schema results.schema.json)
//   junit.xml       the verdict for CI
//   report.html     the report (orchestrator/report/)
//   nodes/n<i>/     node i: node.log (its output), events.jsonl (its own event log, copied from
//                   data/ when the database keeps one), data/ (its data dir, bind-mounted or
//                   given as a host path), ctl/ (control files such as the clock offset)
//   candidates/c<j>/  lease candidate j of the election workload: candidate-<j>.jsonl (what it
//                   believed and when, its own log), candidate-<j>.log (its stderr), ctl/
//
// RunDir is a value (a path); it does not check that the files exist. Thread-compatible.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator {

class RunDir {
 public:
  // Creates STORE/<test>/<UTC timestamp, e.g. 20261126T203000Z>/ (with a -2, -3, ... suffix
  // when that exists already).
  static common::Result<RunDir> Create(const std::filesystem::path& store, const std::string& test,
                                       std::chrono::system_clock::time_point now);
  // An existing run folder; NotFound when it is not a directory.
  static common::Result<RunDir> Open(const std::filesystem::path& path);
  explicit RunDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::string test() const { return root_.parent_path().filename().string(); }
  std::string stamp() const { return root_.filename().string(); }

  std::filesystem::path spec() const { return root_ / "spec.json"; }
  std::filesystem::path schedule() const { return root_ / "schedule.json"; }
  std::filesystem::path history() const { return root_ / "history.jsonl"; }
  std::filesystem::path results() const { return root_ / "results.json"; }
  std::filesystem::path junit() const { return root_ / "junit.xml"; }
  std::filesystem::path report() const { return root_ / "report.html"; }
  std::filesystem::path nodes() const { return root_ / "nodes"; }
  std::filesystem::path node(int id) const { return nodes() / ("n" + std::to_string(id)); }
  std::filesystem::path node_log(int id) const { return node(id) / "node.log"; }
  std::filesystem::path node_events(int id) const { return node(id) / "events.jsonl"; }
  std::filesystem::path node_data(int id) const { return node(id) / "data"; }
  std::filesystem::path node_ctl(int id) const { return node(id) / "ctl"; }
  std::filesystem::path candidate(int id) const {
    return root_ / "candidates" / ("c" + std::to_string(id));
  }
  std::filesystem::path candidate_ctl(int id) const { return candidate(id) / "ctl"; }

  // The files a report links to, relative to the root, that exist: the run's own files, then
  // each node's node.log and events.jsonl.
  std::vector<std::filesystem::path> ExistingFiles() const;

 private:
  std::filesystem::path root_;
};

// Points STORE/latest at `run` (replaced atomically).
common::Status UpdateLatest(const std::filesystem::path& store, const RunDir& run);
// The store a run folder belongs to (STORE/<test>/<timestamp>/ -> STORE, symlinks resolved), or
// NotFound when the folder is not inside a store (no STORE/latest next to its test folder).
common::Result<std::filesystem::path> StoreOf(const std::filesystem::path& run_dir);
// STORE/index.html.
inline std::filesystem::path StoreIndex(const std::filesystem::path& store) {
  return store / "index.html";
}
// STORE/junit.xml: every run of the store in one JUnit file (`splitbrain merge` writes it).
inline std::filesystem::path StoreJunit(const std::filesystem::path& store) {
  return store / "junit.xml";
}
// Every run folder of a store (a folder under STORE/<test>/ with a spec.json or results.json),
// in no particular order; STORE/latest is not followed.
std::vector<RunDir> ListRuns(const std::filesystem::path& store);

}  // namespace orchestrator

// The report of a run or of a checked history, and the index of a store: the entry point of
// orchestrator/report/. Every function reads files and (re)writes one HTML page atomically
// (a temporary file, then a rename), so a reader never sees half a page.
//
// Errors: NotFound or InvalidArgument name the file and what is wrong with it (missing folder,
// no results.json, corrupt JSON "results.json: not valid JSON: ..."); IoError means a page could
// not be written. Nothing here throws. Safe to call from several threads on different folders.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "checker/history.h"
#include "common/status.h"
#include "orchestrator/report/trends.h"
#include "orchestrator/store/spec.h"

namespace orchestrator::report {

using orchestrator::RunSpec;

// (Re)writes RUN_DIR/report.html from the run folder `splitbrain run` wrote: spec.json,
// results.json (required), history.jsonl, schedule.json, nodes/n<i>/. A run that failed
// before it had a history gets a page with its verdict and error only.
common::Status WriteRunReport(const std::filesystem::path& run_dir);

// The command line that repeats a run from its spec (seed and the backend it used included),
// quoted for a POSIX shell: "splitbrain run --db refdb --backend docker ... --seed 7".
std::string ReproduceCommand(const RunSpec& spec);

// (Re)writes STORE/index.html: every run folder STORE/<test>/<timestamp>/, newest first, with
// test name, time, database, faults, verdict, failover median and a link to its report. A run
// whose files cannot be read is listed as "unreadable", never skipped silently.
// Above the table, the trends of the last nights (trends_page.h) with default TrendOptions.
common::Status WriteStoreIndex(const std::filesystem::path& store);
// The same with the trends over `options` (`splitbrain trends --nights N ...`).
common::Status WriteStoreIndex(const std::filesystem::path& store, const TrendOptions& options);

// (Re)writes STORE/junit.xml: every run of the store in one JUnit file, oldest first (one
// <testsuite> per run; a run whose results cannot be read is an errored testcase saying why).
common::Status WriteStoreJunit(const std::filesystem::path& store);

// `splitbrain check --html OUT FILE`: the report of one external history (no cluster
// sections: no failover table, no node roles).
struct HistoryReportInput {
  std::string source;  // the file as the user named it
  std::string format;  // its format's name
  std::string model;
  const checker::History* history = nullptr;  // required
  nlohmann::json result;                      // checker::CheckResult::ToJson()
  checker::PairingOptions pairing;            // how the check paired the history
};
common::Status WriteHistoryReport(const std::filesystem::path& out,
                                  const HistoryReportInput& input);

}  // namespace orchestrator::report

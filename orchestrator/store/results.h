// RunResults: what results.json holds, the contract CI users read (jq, dashboards, `splitbrain
// report`, the store index, JUnit). Keys are snake_case; the file carries "schema_version" and
// its shape is published as results.schema.json beside this header (validated in a test). A
// version bump is needed for any change that removes or re-types a key; adding a key is not.
//
// A run that reached its checks has verdict valid / invalid / unknown, the ops and fault counts
// and one CheckResult per check; a run that failed before (the cluster never served, a backend
// error, Ctrl-C) has verdict run-failed with the phase and the error, and no checks. Each check's
// details are that check's own figures and evidence (checker/*.h describe them) and stay JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/fault_coverage.h"
#include "checker/linearizability.h"
#include "common/status.h"

namespace orchestrator {

inline constexpr int kResultsSchemaVersion = 1;

enum class RunVerdict { kValid, kInvalid, kUnknown, kRunFailed };
std::string_view RunVerdictName(RunVerdict verdict);  // "valid" ... "run-failed"
RunVerdict RunVerdictOf(checker::Verdict verdict);

struct CheckResult {
  std::string name;  // "linearizable", "election-safety", ...
  checker::Verdict verdict = checker::Verdict::kValid;
  std::string summary;     // one line for people
  nlohmann::json details;  // the check's figures and evidence (an object, or null)
};

struct OpCounts {
  int64_t ok = 0;
  int64_t fail = 0;
  int64_t info = 0;
};

// What the faults check found (checker/fault_check.h): planned, in force, proven by a probe.
struct FaultCounts {
  int64_t planned = 0;
  int64_t applied = 0;
  int64_t verified = 0;
  int64_t failed = 0;
  int64_t unverified = 0;
};

// Why a run ended before its time limit: --stop-on-invalid, at the first key the live
// linearizability check found invalid (checker/live_linearizability.h).
struct EarlyStop {
  std::string check;   // the check that stopped it: "linearizable"
  std::string key;     // the failing key, as JSON text ("\"r12\"")
  double at_s = 0;     // when the run was stopped, in seconds since the workload started
  std::string reason;  // the check's words for the failure
};

struct RunResults {
  int schema_version = kResultsSchemaVersion;
  std::string run_id;
  std::string name;       // the test's name (the store folder)
  std::string backend;    // docker | netns; empty when the run failed before choosing one
  std::string db;         // the database: refdb, etcd, or a definition's name
  std::string db_file;    // a definition's file (absolute); empty for a built-in adapter
  std::string db_sha256;  // the SHA-256 of that file's bytes
  bool tls = false;       // the nodes and clients talked mutual TLS (--tls)
  RunVerdict verdict = RunVerdict::kRunFailed;
  int exit_code = 0;
  double workload_s = 0;  // how long the clients ran
  double elapsed_s = 0;   // the whole run, bring-up to checks
  OpCounts ops;
  std::optional<FaultCounts> faults;  // absent when no faults check ran
  std::vector<CheckResult> checks;    // in the order they ran
  // Which fault hit which role in which cluster state (checker/fault_coverage.h). Informational,
  // never part of the verdict; absent for a failed run and for files from before it existed.
  std::optional<checker::FaultCoverage> fault_coverage;
  std::optional<EarlyStop> stopped_early;  // absent: the run went its whole length
  std::string phase;                       // run-failed: the phase it failed in
  std::string error;                       // run-failed: why

  // The check named `check_name`, or nullptr.
  const CheckResult* Check(std::string_view check_name) const;
  // The details of the check named `check_name`, or null JSON.
  const nlohmann::json& Details(std::string_view check_name) const;

  nlohmann::json ToJson() const;
  // InvalidArgument naming the key for a document that does not follow the schema. Files from
  // before schema_version existed (the same keys without it) read as version 0; a newer version
  // than this build knows is refused.
  static common::Result<RunResults> FromJson(const nlohmann::json& json);
};

// RunResults from a results.json file: NotFound when it does not exist, InvalidArgument naming
// the file for one that is not valid JSON or does not follow the schema.
common::Result<RunResults> ReadRunResults(const std::filesystem::path& path);

}  // namespace orchestrator

// RunSpec: every setting of one `splitbrain run`, from flags and/or a spec file. Flags and
// spec-file keys have the same names (`--time-limit 60s` is `"time-limit": "60s"` or
// `"time-limit": 60`); a flag overrides the file. The spec as run (seed included) is written
// to the run's spec.json, and that file given back with --spec repeats the run's settings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "workloads/workload.h"

namespace orchestrator {

enum class DbKind { kRefdb, kEtcd, kDefinition };
enum class BackendKind { kAuto, kDocker, kNetns };
std::string_view DbName(DbKind db);                 // "refdb" | "etcd" | "definition"
std::string_view BackendName(BackendKind backend);  // "auto" | "docker" | "netns"

struct RunSpec {
  std::string name;  // the test's name in the store; default "<db>-<workload>"
  DbKind db = DbKind::kRefdb;
  // With kDefinition: `--db` as given, a definition's name (workloads/dbs/NAME/db.json) or path.
  std::string db_definition;
  BackendKind backend = BackendKind::kAuto;
  int nodes = 5;
  workloads::WorkloadKind workload = workloads::WorkloadKind::kRegister;
  int concurrency = 10;
  double rate = 0;  // ops/s over all clients; 0: unlimited
  double time_limit_s = 60;
  // Fault names; ["none"] in a flag or spec clears it (a run without faults).
  std::vector<std::string> nemesis = {"kill", "pause", "partition-halves", "partition-leader"};
  // --nemesis auto (then `nemesis` is empty): the faults and targets are drawn with weights from
  // the coverage of the runs already in `store` (orchestrator/run/auto_nemesis.h). spec.json
  // keeps "nemesis": ["auto"].
  bool nemesis_auto = false;
  double nemesis_interval_s = 10;
  std::string schedule;              // a schedule file (nemesis/README.md)
  std::vector<std::string> db_bugs;  // the database's bug switches (the plan checks the names)
  double max_failover_s = 5;
  double max_recovery_s = 5;  // after a fault that left no majority, and after the final heal
  // The linearizability check's time budget (live and at the end): past it the check says
  // unknown. Its memory budget is fixed (orchestrator/run/run_checks.h).
  static constexpr double kDefaultCheckTimeLimitS = 300;
  double check_time_limit_s = kDefaultCheckTimeLimitS;
  std::optional<uint64_t> seed;  // drawn at random when absent; always in spec.json
  std::string store = "store";
  std::string junit;      // also write the JUnit XML here (always in the run folder)
  std::string refdb_bin;  // the refdb binary; default: found beside splitbrain
  std::string etcd_bin = "/usr/bin/etcd";
  // election: leader writes carry the lease's fencing token (workloads/lease_candidate.h).
  bool fencing = false;
  // End the run at the first key the live linearizability check finds invalid (healing and
  // tearing down as usual); results.json's stopped_early says which key and when.
  bool stop_on_invalid = false;
  // Mutual TLS between the nodes and to the clients: a throwaway CA and per-node certificates
  // made for the run (orchestrator/run/run_certificates.h). Only for databases that support it.
  bool tls = false;
  // The nightly invocation this run belongs to (`--night ID`; ci/nightly.sh gives all its runs
  // one). Written to spec.json and read back from it, but never taken from a --spec file and
  // not part of ReproduceArgv: a reproduction is not part of the night. Empty: none (the index
  // groups such runs by the UTC day of their folder's stamp).
  std::string night;
  // Recorded by the run in spec.json, not settable (a --spec file's values are ignored).
  std::string run_id;        // "run-id"
  std::string backend_used;  // "backend-used": what --backend auto chose
  std::string db_file;       // "db-file": the definition file a run read (absolute)
  std::string db_sha256;     // "db-sha256": the SHA-256 of its bytes
  // "replay-schedule": the run's schedule.json, for a --nemesis auto run. Its faults were drawn
  // from the store as it was before the run, so ReproduceArgv replays this file instead.
  std::string replay_schedule;

  // "refdb", "etcd", or the definition's folder name (zookeeper for
  // workloads/dbs/zookeeper/db.json).
  std::string DbLabel() const;

  nlohmann::json ToJson() const;
  // A spec.json as a run wrote it (recorded keys included); errors name the key.
  static common::Result<RunSpec> FromJson(const nlohmann::json& json);
  // The argument vector `splitbrain run ...` that repeats this run: every setting that differs
  // from the default, the backend actually used and the seed, so the same seed gives the same
  // workload and fault schedule. A --nemesis auto run with a replay_schedule gives
  // `--schedule REPLAY_SCHEDULE` instead of --nemesis (the store it drew from has changed).
  std::vector<std::string> ReproduceArgv() const;
};

// OK for a night id: 1 to 64 of the characters A-Z a-z 0-9 . _ : - ("20261207T021700Z",
// "gh-1234567"); InvalidArgument saying why otherwise.
common::Status CheckNightId(std::string_view night);

// Parses `args` (the words after "run"); `--spec FILE` is read first, then every flag
// overrides it. Errors are InvalidArgument naming the flag or key.
common::Result<RunSpec> ParseRunSpec(const std::vector<std::string>& args);
// Applies the keys of `object` (a spec file's contents) to `spec`.
common::Status ApplySpecJson(const nlohmann::json& object, RunSpec& spec);

std::string RunUsage();

// A spec.json as a run wrote it: NotFound when it does not exist, InvalidArgument naming the
// file (and the key) otherwise.
common::Result<RunSpec> ReadRunSpec(const std::filesystem::path& path);

// "5", "0.25", "1e+20": a number as a person writes it (no trailing zeros).
std::string PlainNumber(double value);

}  // namespace orchestrator

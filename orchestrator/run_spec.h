// RunSpec: every setting of one `splitbrain run`, from flags and/or a spec file. Flags and
// spec-file keys have the same names (`--time-limit 60s` is `"time-limit": "60s"` or
// `"time-limit": 60`); a flag overrides the file. The spec as run (seed included) is written
// to the run's spec.json, and that file given back with --spec repeats the run's settings.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator {

struct RunSpec {
  std::string name;              // the test's name in the store; default "<db>-<workload>"
  std::string db = "refdb";      // refdb | etcd
  std::string backend = "auto";  // auto | docker | netns
  int nodes = 5;
  std::string workload = "register";  // register | set | election
  int concurrency = 10;
  double rate = 0;  // ops/s over all clients; 0: unlimited
  double time_limit_s = 60;
  // Fault names; ["none"] in a flag or spec clears it (a run without faults).
  std::vector<std::string> nemesis = {"kill", "pause", "partition-halves", "partition-leader"};
  double nemesis_interval_s = 10;
  std::string schedule;              // a schedule file (the nemesis issue)
  std::vector<std::string> db_bugs;  // refdb --bug NAME (etcd has none)
  double max_failover_s = 5;
  double max_recovery_s = 5;     // after a fault that left no majority, and after the final heal
  std::optional<uint64_t> seed;  // drawn at random when absent; always in spec.json
  std::string store = "store";
  std::string junit;      // a JUnit XML path (the report issue)
  std::string refdb_bin;  // the refdb binary; default: found beside splitbrain
  std::string etcd_bin = "/usr/bin/etcd";

  nlohmann::json ToJson() const;
};

// Parses `args` (the words after "run"); `--spec FILE` is read first, then every flag
// overrides it. Errors are InvalidArgument naming the flag or key.
common::Result<RunSpec> ParseRunSpec(const std::vector<std::string>& args);
// Applies the keys of `object` (a spec file's contents) to `spec`.
common::Status ApplySpecJson(const nlohmann::json& object, RunSpec& spec);

std::string RunUsage();

}  // namespace orchestrator

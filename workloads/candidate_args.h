// The command line of `splitbrain-candidate`, one lease candidate (lease_candidate.h) as a
// program of its own:
//
//   splitbrain-candidate --candidate C --candidates K --db refdb|etcd|definition
//       [--definition DB.JSON] --endpoints H:P,H:P,...
//       [--lease-ms 1000] [--renew-deadline-ms 600] [--retry-ms 100] [--call-deadline-ms 1000]
//       [--fencing] [--log FILE]
//
// The election workload builds it (CandidateArgv) and the program parses it
// (ParseCandidateArgs); a round trip gives the same CandidateArgs.
//
// On its stdout the program writes its events (lease_candidate.h), one checker::Event JSON line
// each (time_ns its monotonic clock, extra.wall_ns its wall clock), the same lines to --log.
// After an invoke it waits for the harness's "go" line on its stdin before it sends the
// operation (so the invoke is in the history before the operation can take effect); "stop" or
// the end of its stdin make it end its tenure, if any, and exit 0. Exit 254 for bad arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace workloads {

inline constexpr char kCandidateGo[] = "go";
inline constexpr char kCandidateStop[] = "stop";

// The databases a candidate program can reach: refdb and etcd through the clients it links, any
// other through its definition file's client program (workloads/line_client.h).
enum class CandidateDb { kRefdb, kEtcd, kDefinition };

struct CandidateArgs {
  int candidate = 1;  // 1..candidates
  int candidates = 1;
  CandidateDb db = CandidateDb::kRefdb;
  std::string definition;              // kDefinition: the definition file (db.json)
  std::vector<std::string> endpoints;  // host:port of every node
  int64_t lease_ms = 1000;
  int64_t renew_deadline_ms = 600;
  int64_t retry_ms = 100;
  int64_t call_deadline_ms = 1000;
  bool fencing = false;
  std::string log;  // its own JSONL log (every line it writes on stdout); empty: none
};

// "refdb", "etcd", "definition"; InvalidArgument otherwise.
common::Result<CandidateDb> CandidateDbNamed(const std::string& name);

// The words after the program's name; InvalidArgument naming the flag for bad input.
common::Result<CandidateArgs> ParseCandidateArgs(const std::vector<std::string>& args);
// The words after the program's name for `args`.
std::vector<std::string> CandidateArgv(const CandidateArgs& args);

}  // namespace workloads

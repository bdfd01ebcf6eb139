// Client processes of a run: the programs a defined database's clients run on this machine
// (workloads/line_client.h) carry workloads::kRunIdVariable=<run id> in their environment, so they
// can be found, like every other object of a run, after the orchestrator died.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "orchestrator/run/backend/cleanup.h"
#include "workloads/db.h"

namespace orchestrator {

// Every process of this machine whose environment names a run, with that run's id.
struct RunProcess {
  pid_t pid = 0;
  std::string run_id;
};
std::vector<RunProcess> RunProcesses();

// SIGKILLs every process of a run `filter` accepts; one line per process.
common::Result<std::vector<std::string>> CleanupClients(const RunFilter& filter);

}  // namespace orchestrator

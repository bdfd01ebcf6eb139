// Finding and removing what runs left behind. Each backend can list and remove every object
// it ever creates (labelled or named with the run id) without any state of the run that made
// it, so `splitbrain cleanup` works after the orchestrator was SIGKILLed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator {

// Which runs' objects to remove: called with each run id found; true removes that run's objects.
using RunFilter = std::function<bool(const std::string& run_id)>;

// Each returns one line per removed object ("container sb-1a2b3c4d-n1", "netns ..."). A daemon
// or tool that is not there (no Docker socket, no `ip`) is not an error: nothing to remove.
common::Result<std::vector<std::string>> CleanupDocker(const RunFilter& filter);
common::Result<std::vector<std::string>> CleanupNetns(const RunFilter& filter);

}  // namespace orchestrator

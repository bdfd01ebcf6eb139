// `splitbrain cleanup [--run ID]`: removes what dead runs left behind (a run killed with
// SIGKILL, a crashed machine session): containers and networks labelled splitbrain.run=ID,
// namespaces, links and the processes in them named after ID, and stale registrations.
// Runs that are still alive (registered by a live process) are never touched; `--run ID`
// limits the cleanup to one run. Exit 0 when everything found was removed, 3 otherwise.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

int RunCleanupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace orchestrator

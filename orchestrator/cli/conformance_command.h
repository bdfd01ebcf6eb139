#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

std::string ConformanceUsage();

// `splitbrain conformance --db NAME|PATH [--backend B] [--nodes N] [--store DIR]`: brings up a
// cluster without faults and checks the database's client against the protocol
// (docs/client-protocol.md), one line per rule. Exit 0 when every rule passes, 1 when one does
// not, 3 when the cluster could not be brought up, 254 for bad flags.
int RunConformanceCommand(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err);

}  // namespace orchestrator

// `splitbrain merge --into STORE SOURCE...`: joins the stores of several shards (CI jobs, other
// machines) into one store, each run once (orchestrator/store/merge.h), then writes its
// index.html and one junit.xml for all its runs. Exit codes (DESIGN.md): 0 merged, 3 a copy or a
// page could not be written, 254 bad arguments, a source that is not a store, a run without a
// run id, or one run id standing for two different runs (then nothing is copied).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

int RunMergeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string MergeUsage();

}  // namespace orchestrator

#include "orchestrator/store/store_coverage.h"

#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

StoreCoverage ReadStoreCoverage(const std::filesystem::path& store) {
  StoreCoverage total;
  for (const RunDir& run : ListRuns(store)) {
    auto results = ReadRunResults(run.results());
    if (!results.ok() || !results->fault_coverage.has_value()) continue;
    total.coverage.Add(*results->fault_coverage);
    ++total.runs;
  }
  return total;
}

}  // namespace orchestrator

// The fault coverage of a whole store: the `fault_coverage` of every run's results.json, summed
// (checker/fault_coverage.h). The store index draws it; `--nemesis auto` aims the next run's
// faults at its empty cells. Runs whose results.json is missing, unreadable or from before the
// coverage existed add nothing (the index lists them with their own state). A pure function of
// the files: the same store gives the same coverage, whatever order the folders list in.
#pragma once

#include <cstdint>
#include <filesystem>

#include "checker/fault_coverage.h"

namespace orchestrator {

struct StoreCoverage {
  checker::FaultCoverage coverage;
  int64_t runs = 0;  // runs whose results carry a coverage
};

StoreCoverage ReadStoreCoverage(const std::filesystem::path& store);

}  // namespace orchestrator

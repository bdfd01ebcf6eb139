// CoverageMatrix: a fault coverage (checker/fault_coverage.h) as an HTML table, for the run
// report and the store index: one row per fault kind, one column per (cluster state, role), the
// states as the first header row. Every cell is written, the empty ones as "0" with class
// "empty" so a reader sees what no fault reached; the column of a state no run can observe is
// said under the table. Every fault name is escaped. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checker/fault_coverage.h"

namespace orchestrator::report {

struct CoverageMatrixOptions {
  std::string_view id;              // the table's id attribute (e.g. "coverage-matrix")
  std::vector<std::string> faults;  // rows besides those hit (e.g. faults that ran and missed)
};

// "" when `coverage` counted no fault and options.faults is empty.
std::string CoverageMatrixHtml(const checker::FaultCoverage& coverage,
                               const CoverageMatrixOptions& options);

// The store index's "Fault coverage" section (#coverage): the matrix of every run in the store
// summed, or a line saying no run recorded one.
std::string StoreCoverageSectionHtml(const checker::FaultCoverage& coverage, int64_t runs);

// The number of (row, column) cells of the matrix that no fault reached.
int64_t EmptyCoverageCells(const checker::FaultCoverage& coverage,
                           const std::vector<std::string>& faults);

}  // namespace orchestrator::report

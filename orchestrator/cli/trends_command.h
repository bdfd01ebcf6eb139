// `splitbrain trends --store STORE [--nights 10] [--regression-threshold 50%]
// [--fail-on-regression]`: prints the trends of the store's last nights as a table (per test and
// night: runs, verdicts, not-valid rate, failover median and p99, recovery after heal, ok/s),
// then the regressions of the newest night (orchestrator/report/trends.h), and rewrites
// STORE/index.html with the same options. Exit codes (DESIGN.md): 0 written (regressions or
// not, without --fail-on-regression), 1 a regression with --fail-on-regression, 3 the index
// could not be written, 254 bad arguments or a folder that is not a store.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

int RunTrendsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string TrendsUsage();

}  // namespace orchestrator

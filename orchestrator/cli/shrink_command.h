// `splitbrain shrink RUN_DIR`: the smallest fault schedule under which the run still fails the
// same check (nemesis/shrink.h's search; each candidate tried as real runs, shrink_trials.h).
// Writes OUT (default RUN_DIR/shrink/): schedule.json (the smallest schedule), shrink.json (what
// was tried and found, with the command that reproduces it), smallest -> the run folder of the
// smallest failing run (its report.html), store/ (every run tried, with index.html) and
// candidates/NNN/ (each candidate's schedule and its runs' output).
// Exit codes: 0 done (also when the budget ended the search: shrink.json says "complete":
// false), 3 interrupted or a run could not start, 254 bad arguments or a run that cannot be
// shrunk (not invalid, no schedule).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

int RunShrinkCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string ShrinkUsage();

}  // namespace orchestrator

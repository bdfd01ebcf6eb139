// RunCheckResult: what each check `splitbrain run` applies to a recorded history returns
// (election_safety.h, set_check.h, lease_check.h, run_stats.h; linearizability has its own
// CheckResult). A verdict, a one-line summary a person reads first, and the figures as JSON for
// results.json. Malformed input is verdict unknown with a summary naming "FILE:LINE: ...", never
// an error status or a crash: a run always gets a result for every check.
#pragma once

#include <string>
#include <utility>

#include "checker/history.h"
#include "checker/linearizability.h"

namespace checker {

struct RunCheckResult {
  Verdict verdict = Verdict::kValid;
  std::string summary;
  Json details;  // the check's figures (an object), or null

  // {"verdict":"valid","summary":"...","details":{...}}
  Json ToJson() const {
    return {{"verdict", VerdictName(verdict)}, {"summary", summary}, {"details", details}};
  }
};

// A result with verdict unknown and `summary` (the reason).
inline RunCheckResult UnknownRunCheck(std::string summary, Json details = nullptr) {
  return {Verdict::kUnknown, std::move(summary), std::move(details)};
}

// "SOURCE:LINE" of an event, for messages; the event index when it has no source line.
inline std::string EventWhere(const History& history, const Event& event) {
  const std::string source = history.source.empty() ? "history" : history.source;
  if (event.line > 0) return source + ":" + std::to_string(event.line);
  return source + " event " + std::to_string(event.index);
}

}  // namespace checker

// CounterexampleView: the failing key of an invalid linearizability verdict, for people. From
// the checker's counterexample (CheckResult::ToJson's "counterexample": longest linearization,
// failed op, state before failure, smallest window) and the history it came from, it makes
// - the data the page's script draws on the shared axis: the window's operations per process,
//   the linearization's order and states, the operation that cannot be placed;
// - the HTML facts beside the drawing: why it fails in one sentence, the value the failed read
//   returned and the values it could have seen (the state the linearization reached, the values
//   of writes overlapping it or of unknown outcome, and the latest completed ones before it),
//   the end of the longest linearization and the window as lists.
// Every value is escaped. Pure; bounded: at most kMaxDrawnOps operations are drawn.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "checker/history.h"

namespace orchestrator::report {

inline constexpr size_t kMaxDrawnOps = 200;

struct CounterexampleView {
  nlohmann::json data;  // null when there is nothing to draw
  std::string html;     // the <section id="counterexample"> element
};

// `check` is a linearizability result as JSON (with "counterexample"); `pairing` is how the
// checker paired the history (ids in the counterexample are positions in that pairing).
CounterexampleView BuildCounterexampleView(const nlohmann::json& check,
                                           const checker::History& history,
                                           const checker::PairingOptions& pairing);

}  // namespace orchestrator::report

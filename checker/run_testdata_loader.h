// Test helper: the hand-written histories of checker/run_testdata/, for the run checks' tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checker/formats.h"

namespace checker {

inline const std::string kRunTestdataDir = CHECKER_TESTDATA_DIR "/../run_testdata/";

// run_testdata/NAME as a history; with `name_as_source`, messages name it NAME, not its path.
inline History LoadRunHistory(const std::string& name, bool name_as_source = false) {
  auto history = ReadHistoryFile(kRunTestdataDir + name, Format::kJsonl);
  if (!history.ok()) {
    ADD_FAILURE() << history.status().message();
    return History{};
  }
  if (name_as_source) history->source = name;
  return *history;
}

// The history without the events of the given source lines.
inline History WithoutLines(History history, const std::vector<int64_t>& lines) {
  std::erase_if(history.events, [&lines](const Event& event) {
    return std::find(lines.begin(), lines.end(), event.line) != lines.end();
  });
  return history;
}

}  // namespace checker

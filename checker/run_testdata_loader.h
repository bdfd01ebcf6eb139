// Test helper: the hand-written histories of checker/run_testdata/, for the run checks' tests, and
// the refdb events.jsonl files there folded into a history as node-log events.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "checker/formats.h"
#include "checker/json_util.h"
#include "checker/node_log.h"
#include "checker/run_history.h"
#include "checker/text_util.h"

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

// The same, with the file's name as the history's source (as `splitbrain check FILE` names it).
inline History LoadNamed(const std::string& name) {
  return LoadRunHistory(name, /*name_as_source=*/true);
}

// The history without the events of the given source lines.
inline History WithoutLines(History history, const std::vector<int64_t>& lines) {
  std::erase_if(history.events, [&lines](const Event& event) {
    return std::find(lines.begin(), lines.end(), event.line) != lines.end();
  });
  return history;
}

// A refdb events.jsonl (run_testdata/events-node*.jsonl) as the node log of `node`: a test-only
// copy of workloads::ReadRefdbNodeLog, which the checker may not depend on. A missing file gives
// the problem "no events.jsonl: PATH"; an unreadable one the reason; a malformed line the events
// before it and "PATH:LINE: ...".
inline NodeLog ReadTestNodeLog(int node, const std::string& path) {
  NodeLog log{.node = node};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    log.problem = "no events.jsonl: " + path;
    return log;
  }
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    log.problem = text.status().message();
    return log;
  }
  text::LineCursor cursor(*text);
  std::string_view line;
  while (log.problem.empty() && cursor.Next(&line)) {
    if (text::IsBlank(line)) continue;
    const std::string where = path + ":" + std::to_string(cursor.line_number());
    const Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto term = IntField(object, "term");
    auto role = StringField(object, "role");
    auto logged_node = IntField(object, "node").value_or(node);
    if (object.is_discarded() || !object.is_object()) {
      log.problem = where + ": not a JSON object";
    } else if (!term.has_value()) {
      log.problem = where + R"(: no integer "term")";
    } else if (!role.has_value()) {
      log.problem = where + R"(: no string "role")";
    } else if (logged_node != node) {
      log.problem = where + ": node " + std::to_string(logged_node) + " in the event log of node " +
                    std::to_string(node);
    } else {
      log.events.push_back({.time_ns = IntField(object, "time_ns").value_or(0),
                            .node = node,
                            .role = *role,
                            .term = *term,
                            .leader = IntField(object, "leader").value_or(0)});
    }
  }
  return log;
}

// `history` with one node-log event per log appended, as the orchestrator appends them.
inline History WithNodeLogs(History history, const std::vector<NodeLog>& logs) {
  for (const NodeLog& log : logs) {
    Event event = NodeLogEvent(log);
    if (!history.events.empty()) {
      event.index = history.events.back().index + 1;
      event.time_ns = history.events.back().time_ns;
    }
    history.events.push_back(std::move(event));
  }
  return history;
}

}  // namespace checker

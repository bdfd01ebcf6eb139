// Node logs: what a database node recorded itself about its elections, carried in the history.
//
// Some databases keep their own log of role changes (refdb writes DATA_DIR/events.jsonl, one line
// per change; workloads::Db::ReadNodeLog reads it). After a run the orchestrator appends each
// node's log to the history as ONE event, so the history alone holds everything the checks read
// and the checker never opens a database's files:
//   {"process":"node-log","type":"info","f":"node-log","value":{"node":3,
//    "events":[{"time_ns":1712345678100000000,"node":3,"term":1,"role":"follower","leader":1},
//              {"time_ns":1712345679100000000,"node":3,"term":2,"role":"leader","leader":3}],
//    "problem":"nodes/n3/data/events.jsonl:3: not a JSON object"}}
// A node event's `time_ns` is the node's own wall clock, not the history's; `leader` 0 means no
// leader known. `problem` (absent when empty) says why the log could not be read fully: a missing
// or unreadable file (no events), or a malformed line (the events before it are kept).
// election_safety.h reads the events and reports the problems. Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker/history.h"

namespace checker {

// One role or leader change of a node, as the node logged it.
struct NodeEvent {
  int64_t time_ns = 0;  // the node's wall clock, ns since the epoch
  int64_t node = 0;
  std::string role;  // follower | pre-candidate | candidate | leader
  int64_t term = 0;
  int64_t leader = 0;  // 0: unknown
};

// One node's log of role changes.
struct NodeLog {
  int node = 0;
  std::vector<NodeEvent> events;
  std::string problem;  // non-empty: the log could not be read fully, and why
};

// The process name and f of node-log events.
inline constexpr char kNodeLogProcess[] = "node-log";

// The history event that carries `log` (index and time_ns are the appender's to set).
Event NodeLogEvent(const NodeLog& log);

// True for an event of the node-log process.
bool IsNodeLogEvent(const Event& event);

// The log a node-log event carries. InvalidArgument "SOURCE:LINE: ..." when its value is not an
// object with a positive integer "node" and an array "events" of objects each with an integer
// "term" and a string "role" (integer "time_ns", "node" and "leader" optional; a "node" must be
// the log's), or when "problem" is present but not a string.
Result<NodeLog> ParseNodeLogEvent(const History& history, const Event& event);

}  // namespace checker

#include "checker/node_log.h"

#include "checker/json_util.h"
#include "checker/run_check_result.h"

namespace checker {
namespace {

Json NodeEventToJson(const NodeEvent& event) {
  return {{"time_ns", event.time_ns},
          {"node", event.node},
          {"term", event.term},
          {"role", event.role},
          {"leader", event.leader}};
}

Result<NodeEvent> NodeEventFromJson(const Json& object, int node, const std::string& where) {
  auto term = IntField(object, "term");
  auto role = StringField(object, "role");
  if (!term.has_value() || !role.has_value()) {
    return Status::InvalidArgument(where + R"(: without an integer "term" and a string "role")");
  }
  NodeEvent event{.time_ns = IntField(object, "time_ns").value_or(0),
                  .node = IntField(object, "node").value_or(node),
                  .role = *role,
                  .term = *term,
                  .leader = IntField(object, "leader").value_or(0)};
  if (event.node != node) {
    return Status::InvalidArgument(where + ": an event of node " + std::to_string(event.node) +
                                   " in the log of node " + std::to_string(node));
  }
  return event;
}

}  // namespace

Event NodeLogEvent(const NodeLog& log) {
  Json events = Json::array();
  for (const NodeEvent& event : log.events) events.push_back(NodeEventToJson(event));
  Json value = {{"node", log.node}, {"events", std::move(events)}};
  if (!log.problem.empty()) value["problem"] = log.problem;
  return {.process = Process::Named(kNodeLogProcess),
          .type = EventType::kInfo,
          .f = kNodeLogProcess,
          .value = std::move(value)};
}

bool IsNodeLogEvent(const Event& event) {
  return !event.process.is_client() && event.process.name == kNodeLogProcess;
}

Result<NodeLog> ParseNodeLogEvent(const History& history, const Event& event) {
  const std::string where = EventWhere(history, event);
  auto node = IntField(event.value, "node");
  if (!node.has_value() || *node < 1 || *node > INT32_MAX) {
    return Status::InvalidArgument(where + R"(: node log without a positive integer "node")");
  }
  NodeLog log{.node = static_cast<int>(*node)};
  auto events = event.value.find("events");
  if (events == event.value.end() || !events->is_array()) {
    return Status::InvalidArgument(where + R"(: node log without an array "events")");
  }
  for (size_t i = 0; i < events->size(); ++i) {
    const std::string item = where + ": node log event " + std::to_string(i + 1);
    ASSIGN_OR_RETURN(NodeEvent node_event, NodeEventFromJson((*events)[i], log.node, item));
    log.events.push_back(std::move(node_event));
  }
  if (auto problem = event.value.find("problem");
      problem != event.value.end() && !problem->is_null()) {
    if (!problem->is_string()) {
      return Status::InvalidArgument(where + R"(: node log whose "problem" is not a string)");
    }
    log.problem = problem->get<std::string>();
  }
  return log;
}

}  // namespace checker

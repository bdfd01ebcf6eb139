#include "checker/history.h"

#include <array>
#include <map>
#include <unordered_map>

namespace checker {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kInvoke:
      return "invoke";
    case EventType::kOk:
      return "ok";
    case EventType::kFail:
      return "fail";
    case EventType::kInfo:
      return "info";
  }
  return "?";
}

Result<EventType> ParseEventType(std::string_view name) {
  if (name == "invoke") return EventType::kInvoke;
  if (name == "ok") return EventType::kOk;
  if (name == "fail") return EventType::kFail;
  if (name == "info") return EventType::kInfo;
  return Status::InvalidArgument("unknown type \"" + std::string(name) +
                                 "\" (expected invoke, ok, fail or info)");
}

namespace {

std::string Where(const History& history, const Event& event) {
  std::string where = history.source.empty() ? "history" : history.source;
  if (event.line > 0) {
    // Two appends, not `":" + std::to_string(...)`: GCC 12 at -O3 warns a false -Wrestrict on
    // operator+(const char*, std::string&&) once inlined (GCC bug 105329).
    where += ':';
    where += std::to_string(event.line);
  }
  return where;
}

Operation OpenOperation(const Event& event) {
  Operation op;
  op.process = event.process.id;
  op.f = event.f;
  op.key = event.key;
  op.input = event.value;
  op.call = event.index;
  op.call_time_ns = event.time_ns;
  op.line = event.line;
  op.is_unknown = true;  // until a completion says otherwise
  return op;
}

// Applies a completion to its open operation. Returns false when the operation did not happen.
bool Complete(const Event& event, Operation& op) {
  if (event.type == EventType::kFail) return false;
  if (event.type == EventType::kInfo) return true;  // stays unknown, completes at infinity
  op.is_unknown = false;
  op.output = event.value;
  op.ret = event.index;
  op.ret_time_ns = event.time_ns;
  return true;
}

}  // namespace

Result<std::vector<Operation>> PairOperations(const History& history,
                                              const PairingOptions& options) {
  // Slots keep invocation order; `open` maps a process to its open slot.
  std::vector<std::optional<Operation>> slots;
  std::unordered_map<int64_t, size_t> open;
  for (const Event& event : history.events) {
    if (!event.process.is_client()) continue;
    auto it = open.find(event.process.id);
    if (event.type == EventType::kInvoke) {
      if (it != open.end()) {
        if (!options.allow_reinvoke) {
          return Status::InvalidArgument(
              Where(history, event) + ": process " + std::to_string(event.process.id) +
              " invokes again while its operation from line " +
              std::to_string(slots[it->second]->line) + " is still open");
        }
        open.erase(it);  // the earlier operation stays unknown
      }
      open[event.process.id] = slots.size();
      slots.emplace_back(OpenOperation(event));
      continue;
    }
    if (it == open.end()) {
      return Status::InvalidArgument(
          Where(history, event) + ": " + std::string(EventTypeName(event.type)) + " for process " +
          std::to_string(event.process.id) + ", which has no open invocation");
    }
    Operation& op = *slots[it->second];
    if (op.f != event.f) {
      return Status::InvalidArgument(Where(history, event) + ": completion of \"" + event.f +
                                     "\" for process " + std::to_string(event.process.id) +
                                     ", whose open invocation (line " + std::to_string(op.line) +
                                     ") is \"" + op.f + "\"");
    }
    if (!Complete(event, op)) slots[it->second].reset();
    open.erase(it);
  }
  std::vector<Operation> ops;
  ops.reserve(slots.size());
  for (auto& slot : slots) {
    if (!slot) continue;
    slot->id = static_cast<int64_t>(ops.size());
    ops.push_back(std::move(*slot));
  }
  return ops;
}

std::string EventToJsonLine(const Event& event) {
  Json object = event.extra.is_object() ? event.extra : Json::object();
  object["index"] = event.index;
  object["time_ns"] = event.time_ns;
  if (event.process.is_client()) {
    object["process"] = event.process.id;
  } else {
    object["process"] = event.process.name;
  }
  object["type"] = EventTypeName(event.type);
  object["f"] = event.f;
  if (!event.key.is_null()) object["key"] = event.key;
  object["value"] = event.value;
  return object.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

Result<int64_t> IntegerField(const Json& object, const char* name, bool required) {
  auto it = object.find(name);
  if (it == object.end()) {
    if (required) return Status::InvalidArgument(std::string("missing field \"") + name + "\"");
    return int64_t{0};
  }
  if (!it->is_number_integer()) {
    return Status::InvalidArgument(std::string("field \"") + name + "\" must be an integer, not " +
                                   it->dump());
  }
  return it->get<int64_t>();
}

Result<Process> ProcessField(const Json& object) {
  auto it = object.find("process");
  if (it == object.end()) return Status::InvalidArgument("missing field \"process\"");
  if (it->is_number_integer()) {
    int64_t id = it->get<int64_t>();
    if (id < 0) return Status::InvalidArgument("process must be >= 0, not " + it->dump());
    return Process::Client(id);
  }
  if (it->is_string() && !it->get<std::string>().empty()) {
    return Process::Named(it->get<std::string>());
  }
  return Status::InvalidArgument("field \"process\" must be an integer or a name, not " +
                                 it->dump());
}

}  // namespace

Result<Event> EventFromJson(const Json& object) {
  if (!object.is_object()) {
    return Status::InvalidArgument("expected a JSON object, not " + object.dump());
  }
  Event event;
  ASSIGN_OR_RETURN(event.index, IntegerField(object, "index", false));
  ASSIGN_OR_RETURN(event.time_ns, IntegerField(object, "time_ns", false));
  ASSIGN_OR_RETURN(event.process, ProcessField(object));
  auto type = object.find("type");
  if (type == object.end()) return Status::InvalidArgument("missing field \"type\"");
  if (!type->is_string()) return Status::InvalidArgument("field \"type\" must be a string");
  ASSIGN_OR_RETURN(event.type, ParseEventType(type->get<std::string>()));
  auto f = object.find("f");
  if (f == object.end()) return Status::InvalidArgument("missing field \"f\"");
  if (!f->is_string()) return Status::InvalidArgument("field \"f\" must be a string");
  event.f = f->get<std::string>();
  if (auto key = object.find("key"); key != object.end()) event.key = *key;
  if (auto value = object.find("value"); value != object.end()) event.value = *value;
  for (auto it = object.begin(); it != object.end(); ++it) {
    constexpr std::array<std::string_view, 7> kKnownFields = {"index", "time_ns", "process", "type",
                                                              "f",     "key",     "value"};
    bool known = false;
    for (std::string_view k : kKnownFields) known = known || it.key() == k;
    if (!known) {
      if (event.extra.is_null()) event.extra = Json::object();
      event.extra[it.key()] = it.value();
    }
  }
  return event;
}

}  // namespace checker

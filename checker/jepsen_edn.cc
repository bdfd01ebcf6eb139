// The jepsen-edn reader: EDN forms (edn.h) to Events, with Jepsen's op semantics (formats.h).
#include <limits>
#include <utility>

#include "checker/edn.h"
#include "checker/formats.h"
#include "checker/text_util.h"

namespace checker {
namespace {

// An op map as read, with the line it starts on.
struct RawOp {
  Json map;
  int64_t line = 0;
};

Result<std::vector<RawOp>> CollectOps(std::string_view text, const std::string& source) {
  std::vector<RawOp> ops;
  EdnReader reader(text, source);
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<EdnForm> form, reader.Next());
    if (!form) return ops;
    const bool is_sequence = form->kind == EdnKind::kVector || form->kind == EdnKind::kList;
    if (!is_sequence) {
      ops.push_back({std::move(form->value), form->line});
      continue;
    }
    for (size_t i = 0; i < form->value.size(); ++i) {
      ops.push_back({std::move(form->value[i]), form->element_lines[i]});
    }
  }
}

std::string Show(const Json& value) {
  return text::Excerpt(value.dump(-1, ' ', false, Json::error_handler_t::replace), 60);
}

Result<Process> ProcessOf(const Json& process) {
  if (process.is_number_integer() &&
      (process.is_number_unsigned() || process.get<int64_t>() >= 0)) {
    if (process.is_number_unsigned() &&
        process.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Process::Named(process.dump());
    }
    return Process::Client(process.get<int64_t>());
  }
  if (process.is_string()) {
    if (process.get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(":process must not be an empty name");
    }
    return Process::Named(process.get<std::string>());
  }
  return Process::Named(Show(process));
}

Result<int64_t> IntegerOf(const Json& value, std::string_view key, std::string_view meaning) {
  if (value.is_number_integer() &&
      (!value.is_number_unsigned() ||
       value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    return value.get<int64_t>();
  }
  return Status::InvalidArgument(std::string(key) + " must be " + std::string(meaning) + ", not " +
                                 Show(value));
}

Result<std::string> NameOf(Json& map, const char* key) {
  auto it = map.find(key);
  if (it == map.end() || it->is_null()) {
    return Status::InvalidArgument(std::string("op has no :") + key);
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string(":") + key + " must be a keyword, not " + Show(*it));
  }
  return std::move(it->get_ref<std::string&>());
}

// Converts one op map; index and keys are assigned later. Errors carry no location.
Status ConvertOp(Json& map, Event* event) {
  if (!map.is_object() || map.contains("#edn/map")) {
    return Status::InvalidArgument("expected an op map with keyword keys, not " + Show(map));
  }
  ASSIGN_OR_RETURN(std::string type, NameOf(map, "type"));
  ASSIGN_OR_RETURN(event->type, ParseEventType(type));
  auto process = map.find("process");
  if (process == map.end() || process->is_null()) {
    return Status::InvalidArgument("op has no :process");
  }
  ASSIGN_OR_RETURN(event->process, ProcessOf(*process));
  ASSIGN_OR_RETURN(event->f, NameOf(map, "f"));
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string& key = it.key();
    if (key == "type" || key == "process" || key == "f") continue;
    if (key == "value") {
      event->value = std::move(it.value());
    } else if (key == "time") {
      ASSIGN_OR_RETURN(event->time_ns, IntegerOf(*it, ":time", "an integer (nanoseconds)"));
    } else if (key == "index") {
      continue;  // AssignIndexes reads it
    } else {
      if (event->extra.is_null()) event->extra = Json::object();
      event->extra[key] = std::move(it.value());
    }
  }
  return Status::Ok();
}

bool IsPair(const Json& value) { return value.is_array() && value.size() == 2; }

bool LooksIndependent(const std::vector<Event>& events) {
  bool any = false;
  for (const Event& event : events) {
    if (!event.process.is_client()) continue;
    if (event.type != EventType::kInvoke && event.type != EventType::kOk) continue;
    any = true;
    if (!IsPair(event.value)) return false;
    if (event.f == "cas" && !(event.value[1].is_null() || IsPair(event.value[1]))) return false;
  }
  return any;
}

Status SplitKeys(History& history, bool forced) {
  for (Event& event : history.events) {
    if (!event.process.is_client()) continue;
    if (!IsPair(event.value)) {
      if (forced && (event.type == EventType::kInvoke || event.type == EventType::kOk)) {
        return text::ErrorAt(history.source, event.line,
                             ":value " + Show(event.value) +
                                 " is not a [key value] tuple, but the history is read as "
                                 "independent");
      }
      continue;
    }
    Json tuple = std::move(event.value);
    event.key = std::move(tuple[0]);
    event.value = std::move(tuple[1]);
  }
  return Status::Ok();
}

}  // namespace

Result<History> ParseJepsenEdn(std::string_view text, const std::string& source) {
  return ParseJepsenEdn(text, source, JepsenEdnOptions{});
}

Result<History> ParseJepsenEdn(std::string_view text, const std::string& source,
                               const JepsenEdnOptions& options) {
  ASSIGN_OR_RETURN(std::vector<RawOp> ops, CollectOps(text, source));
  History history;
  history.source = source;
  history.nil_read_is_unknown = true;
  history.events.reserve(ops.size());
  std::optional<int64_t> previous_index;
  for (RawOp& op : ops) {
    Event event;
    event.line = op.line;
    Status status = ConvertOp(op.map, &event);
    if (!status.ok()) return text::ErrorAt(source, op.line, status.message());
    if (previous_index == std::numeric_limits<int64_t>::max()) {
      return text::ErrorAt(source, op.line, "index overflows after the previous op's index");
    }
    event.index = previous_index ? *previous_index + 1 : 0;
    if (auto index = op.map.find("index"); index != op.map.end()) {
      auto explicit_index = IntegerOf(*index, ":index", "an integer");
      if (!explicit_index.ok())
        return text::ErrorAt(source, op.line, explicit_index.status().message());
      if (previous_index && *explicit_index <= *previous_index) {
        return text::ErrorAt(source, op.line,
                             ":index " + std::to_string(*explicit_index) +
                                 " is not greater than the previous op's index " +
                                 std::to_string(*previous_index));
      }
      event.index = *explicit_index;
    }
    previous_index = event.index;
    history.events.push_back(std::move(event));
  }
  const bool independent = options.independent.value_or(LooksIndependent(history.events));
  if (independent) RETURN_IF_ERROR(SplitKeys(history, options.independent.has_value()));
  return history;
}

}  // namespace checker

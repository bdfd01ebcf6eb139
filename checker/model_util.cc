#include "checker/model_util.h"

namespace checker::model_util {

Status Unsupported(std::string_view model, const Operation& op, std::string_view expected) {
  return Status::InvalidArgument("model " + std::string(model) + ": operation \"" + op.f +
                                 "\" (line " + std::to_string(op.line) +
                                 ") is not supported; expected " + std::string(expected));
}

Status BadValue(std::string_view model, const Operation& op, std::string_view need,
                const Json& got) {
  return Status::InvalidArgument("model " + std::string(model) + ": " + op.f + " (line " +
                                 std::to_string(op.line) + ") needs " + std::string(need) +
                                 ", not " + got.dump());
}

std::string Show(const ValueTable& values, int64_t id) {
  if (id == ValueTable::kNil) return "nil";
  return values.Get(id).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string KeyPrefix(const ValueTable& values, int64_t key) {
  if (key == ValueTable::kNil) return "";
  const Json& k = values.Get(key);
  return (k.is_string() ? k.get<std::string>() : k.dump()) + ": ";
}

CompiledOp SingleKeyOp(int32_t f, const Operation& op, ValueTable& values) {
  CompiledOp compiled;
  compiled.f = f;
  compiled.is_unknown = op.is_unknown;
  compiled.key = values.Intern(op.key);
  compiled.keys = {compiled.key};
  return compiled;
}

State KeyedInitial(const Json& initial, ValueTable& values) {
  if (!initial.is_object()) return keyed_state::Make(values.Intern(initial));
  State state = keyed_state::Make(ValueTable::kNil);
  State next;
  for (auto it = initial.begin(); it != initial.end(); ++it) {
    keyed_state::Set(state, values.Intern(Json(it.key())), values.Intern(it.value()), &next);
    state.swap(next);
  }
  return state;
}

Result<std::optional<CompiledOp>> CompileRead(const ModelOptions& options, const Operation& op,
                                              ValueTable& values) {
  if (op.is_unknown || (op.output.is_null() && options.nil_read_is_unknown)) {
    return std::optional<CompiledOp>();
  }
  CompiledOp c = SingleKeyOp(kRead, op, values);
  c.b = values.Intern(op.output);
  return std::optional<CompiledOp>(std::move(c));
}

CompiledOp CompileWrite(const Operation& op, ValueTable& values) {
  CompiledOp c = SingleKeyOp(kWrite, op, values);
  c.a = values.Intern(op.input);
  return c;
}

Result<std::optional<CompiledOp>> CompileCas(std::string_view model, const Operation& op,
                                             ValueTable& values) {
  if (!op.input.is_array() || op.input.size() != 2) {
    return BadValue(model, op, "[expected new]", op.input);
  }
  bool failed = !op.is_unknown && op.output.is_boolean() && !op.output.get<bool>();
  CompiledOp c = SingleKeyOp(failed ? kCasFailed : kCas, op, values);
  c.a = values.Intern(op.input[0]);
  c.b = values.Intern(op.input[1]);
  return std::optional<CompiledOp>(std::move(c));
}

bool RegisterOpChangesNoState(const CompiledOp& op) { return op.f == kRead || op.f == kCasFailed; }

Model::ValueUse RegisterOpUses(const CompiledOp& op) {
  switch (op.f) {
    case kRead:
      return {.observes = op.b, .writes = std::nullopt};
    case kWrite:
      return {.observes = std::nullopt, .writes = op.a};
    case kCas:
      return {.observes = op.is_unknown ? std::nullopt : std::optional(op.a), .writes = op.b};
    default:
      return {};
  }
}

bool RegisterOpAccepts(const State& state, const CompiledOp& op) {
  const int64_t current = keyed_state::Get(state, op.key);
  switch (op.f) {
    case kRead:
      return current == op.b;
    case kWrite:
      return true;
    case kCas:
      return current == op.a;
    case kCasFailed:
      return current != op.a;
    default:
      return false;
  }
}

bool StepRegisterOp(const State& state, const CompiledOp& op, State* next) {
  const int64_t current = keyed_state::Get(state, op.key);
  switch (op.f) {
    case kRead:
      if (current != op.b) return false;
      *next = state;
      return true;
    case kWrite:
      keyed_state::Set(state, op.key, op.a, next);
      return true;
    case kCas:
      if (current != op.a) return false;
      keyed_state::Set(state, op.key, op.b, next);
      return true;
    case kCasFailed:
      if (current == op.a) return false;
      *next = state;
      return true;
    default:
      return false;
  }
}

std::string DescribeRegisterOp(const CompiledOp& op, const ValueTable& values,
                               std::string_view read_name, std::string_view write_name) {
  std::string text = KeyPrefix(values, op.key);
  switch (op.f) {
    case kRead:
      return text + std::string(read_name) + "() -> " + Show(values, op.b);
    case kWrite:
      text += std::string(write_name) + "(" + Show(values, op.a) + ")";
      break;
    case kCas:
      text += "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ")";
      break;
    case kCasFailed:
      return text + "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ") -> false";
    default:
      text += "?";
      break;
  }
  return text + (op.is_unknown ? " -> ?" : "");
}

}  // namespace checker::model_util

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

}  // namespace checker::model_util

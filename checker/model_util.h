// Small helpers shared by the model files: compile-time errors and descriptions.
#pragma once

#include <string>

#include "checker/model.h"

namespace checker::model_util {

// "model register: operation \"scan\" (line 12) is not supported; expected read, write".
Status Unsupported(std::string_view model, const Operation& op, std::string_view expected);
// "model cas-register: cas (line 12) needs [expected new], not 3".
Status BadValue(std::string_view model, const Operation& op, std::string_view need,
                const Json& got);
// The value as short text: 3, "abc", nil.
std::string Show(const ValueTable& values, int64_t id);
// "k4: " for keyed operations, "" otherwise.
std::string KeyPrefix(const ValueTable& values, int64_t key);
// A compiled op that touches one key.
CompiledOp SingleKeyOp(int32_t f, const Operation& op, ValueTable& values);

}  // namespace checker::model_util

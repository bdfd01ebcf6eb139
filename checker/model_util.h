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

// A map of keys from --initial: a JSON object sets each key (the rest absent); any other value
// is every key's value.
State KeyedInitial(const Json& initial, ValueTable& values);

// The register operations register.cc and kv.cc share. Models with more operations number
// theirs from kFirstFree.
enum RegisterOp : int32_t { kRead, kWrite, kCas, kCasFailed, kFirstFree };

// Compiles read (nullopt when its outcome cannot constrain anything), write, or cas of
// [expected new]; an ok cas whose output is false is a failed compare observed.
Result<std::optional<CompiledOp>> CompileRead(const ModelOptions& options, const Operation& op,
                                              ValueTable& values);
CompiledOp CompileWrite(const Operation& op, ValueTable& values);
Result<std::optional<CompiledOp>> CompileCas(std::string_view model, const Operation& op,
                                             ValueTable& values);
// Whether a RegisterOp never changes the state (read, failed cas).
bool RegisterOpChangesNoState(const CompiledOp& op);
// What a RegisterOp observes and writes (Model::Uses).
Model::ValueUse RegisterOpUses(const CompiledOp& op);
// Whether StepRegisterOp accepts op, without building the next state.
bool RegisterOpAccepts(const State& state, const CompiledOp& op);
// Steps a RegisterOp (see register.cc for the rules).
bool StepRegisterOp(const State& state, const CompiledOp& op, State* next);
// "k: read() -> 3", "k: write(3) -> ?", "cas(1, 2) -> false"; read_name / write_name name the
// operations as the model calls them (get / put for kv).
std::string DescribeRegisterOp(const CompiledOp& op, const ValueTable& values,
                               std::string_view read_name, std::string_view write_name);

}  // namespace checker::model_util

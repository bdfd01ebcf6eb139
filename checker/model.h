// Model: the sequential specification a history is checked against.
//
// Every model is a small pure class in its own file (register.cc, cas_register.cc, kv.cc,
// multi_register.cc, mutex.cc). The checker never looks inside a state: it asks the model for
// the initial state, to compile each operation once, and to step a state by an operation.
//
// One state layout serves all models: a map from key to value, stored as a sorted flat vector
//   [default, key_1, value_1, key_2, value_2, ...]   (key_1 < key_2 < ...)
// where keys and values are ValueTable ids (or model-defined constants such as a mutex's
// "locked"), `default` is the value of every key not listed, and a key whose value equals the
// default is never listed, so equal maps are equal vectors. Operations without an independent
// key use the key ValueTable::kNil. Partitioned checks see one key per state, so states stay
// three words long; unpartitioned checks (--no-partition) get the whole map.
//
// Semantics follow Knossos (model.clj) for Jepsen histories and Porcupine for its formats; each
// model's file states its rules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"
#include "checker/value_table.h"

namespace checker {

using State = std::vector<int64_t>;

// One micro-operation of a multi-register transaction.
struct MicroOp {
  int32_t f = 0;  // model-defined (read / write)
  int64_t key = ValueTable::kNil;
  int64_t value = ValueTable::kNil;
};

// An operation translated once into ids, so stepping never touches JSON.
struct CompiledOp {
  int32_t f = 0;            // model-defined operation code
  bool is_unknown = false;  // outcome unknown: the output does not constrain the step
  int64_t key = ValueTable::kNil;
  int64_t a = ValueTable::kNil;  // model-defined arguments, e.g. written value, cas expected
  int64_t b = ValueTable::kNil;  // e.g. cas new value, value read
  std::vector<MicroOp> txn;      // multi-register only
  // Every key the operation touches: partitions are the connected components of these.
  std::vector<int64_t> keys;
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view name() const = 0;

  // The state before the first operation. `initial` is the user's --initial value, else the
  // format's default (porcupine-kv: ""), else null for the model's own default. Errors name
  // what is wrong with `initial`.
  virtual Result<State> Initial(const Json& initial, ValueTable& values) const = 0;

  // Translates `op` once. std::nullopt means the operation can never constrain a linearization
  // (e.g. a read with an unknown outcome) and is left out. Errors name the operation:
  // "unsupported operation \"scan\" for model register".
  virtual Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                                    ValueTable& values) const = 0;

  // Applies `op` to `state`. Returns true and sets *next when the operation may take effect
  // here with its recorded output (any output if op.is_unknown); false otherwise. Pure apart
  // from interning new values (append) into `values`.
  virtual bool Step(const State& state, const CompiledOp& op, ValueTable& values,
                    State* next) const = 0;

  // Whether Step accepts op in state; the search probes the operations that change no state with
  // it often (forced reads), so models answer those without building the next state. `scratch`
  // may be overwritten.
  virtual bool Accepts(const State& state, const CompiledOp& op, ValueTable& values,
                       State* scratch) const {
    return Step(state, op, values, scratch);
  }

  // True when Step, wherever it accepts op, leaves the state as it is (a read, a failed CAS):
  // the search may then place it as soon as it is accepted (wgl_search.h, forced no-ops).
  virtual bool ChangesNoState(const CompiledOp& /*op*/) const { return false; }

  // The search's lookahead (wgl_search.h): whether op only extends its key's value (kv's
  // append), and whether a read (ChangesNoState) may still be accepted once `state`, extended
  // first by `extension` if not null, has been extended by such operations alone (false only
  // when it provably cannot: kv's value is no prefix of what the read returned).
  virtual bool OnlyExtends(const CompiledOp& /*op*/) const { return false; }
  virtual bool MayAcceptAfterExtending(const State& /*state*/, const CompiledOp* /*extension*/,
                                       const CompiledOp& /*read*/,
                                       const ValueTable& /*values*/) const {
    return true;
  }

  // The search's observed-value cut (wgl_search.h), for models where a key only ever takes a
  // value some operation writes (register, cas-register; ReplacesValues): the value op's key
  // must hold for Step to accept op with its recorded output (a known read, a successful CAS),
  // and the value op may write (a write, a CAS's new value, whatever its outcome).
  struct ValueUse {
    std::optional<int64_t> observes;
    std::optional<int64_t> writes;
  };
  virtual bool ReplacesValues() const { return false; }
  virtual ValueUse Uses(const CompiledOp& /*op*/) const { return {}; }

  // The state as JSON for reports: {"key": value, ...}, or just the value when the only key is
  // kNil.
  virtual Json StateToJson(const State& state, const ValueTable& values) const;

  // A short human description of an operation: "cas(1, 2)", "read() -> 3", "get(\"k\") -> nil".
  virtual std::string Describe(const CompiledOp& op, const ValueTable& values) const = 0;
};

struct ModelOptions {
  // See History::nil_read_is_unknown.
  bool nil_read_is_unknown = false;
};

// The models, a closed set: what a workload declares and what --model names.
enum class ModelKind { kRegister, kCasRegister, kKv, kMultiRegister, kMutex };

// "register", "cas-register", "kv", "multi-register", "mutex": the names --model takes.
std::string_view ModelKindName(ModelKind kind);
// The kind `name` names; InvalidArgument "unknown model \"queue\" (expected register, ...)".
Result<ModelKind> ParseModelKind(std::string_view name);
std::vector<std::string> ModelNames();

std::unique_ptr<Model> MakeModel(ModelKind kind, const ModelOptions& options = {});
// By name (the user's --model text): ParseModelKind, then MakeModel.
Result<std::unique_ptr<Model>> MakeModel(std::string_view name, const ModelOptions& options = {});

// Helpers for the shared state layout, used by every model.
namespace keyed_state {
State Make(int64_t default_value);
int64_t GetListed(const State& state, int64_t key);
inline int64_t Get(const State& state, int64_t key) {
  // A partitioned check's states hold one key at most: no search.
  if (state.size() == 1) return state[0];
  if (state.size() == 3 && state[1] == key) return state[2];
  return GetListed(state, key);
}
// Writes into *next the state with key set to value (next may not alias state).
void Set(const State& state, int64_t key, int64_t value, State* next);
}  // namespace keyed_state

}  // namespace checker

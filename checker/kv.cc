// kv: a map of independent string-or-any values, one per key (Porcupine's kvModel, extended).
//   get            legal iff the value read equals the key's value (nil: absent; with
//                  nil_read_is_unknown a nil get constrains nothing).
//   put v          key := v.
//   append s       key := key's string + s (an absent key counts as ""); s must be a string,
//                  and appending to a non-string value is illegal.
//   cas [a b]      legal iff key's value == a (nil: absent), then key := b; an ok output of
//                  `false` is a failed compare observed: legal iff value != a.
//   delete         key := absent.
// `read` and `write` are accepted as get and put. Initial state: --initial {"k": v, ...} sets
// keys, any other value is every key's value (porcupine-kv: ""); default: every key absent.
#include "checker/model_util.h"
#include "checker/models.h"

namespace checker {
namespace {

using model_util::kFirstFree;
enum : int32_t { kAppend = kFirstFree, kDelete };

class KvModel final : public Model {
 public:
  explicit KvModel(const ModelOptions& options) : options_(options) {}

  std::string_view name() const override { return "kv"; }

  Result<State> Initial(const Json& initial, ValueTable& values) const override {
    return model_util::KeyedInitial(initial, values);
  }

  Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                            ValueTable& values) const override {
    if (op.f == "get" || op.f == "read") return model_util::CompileRead(options_, op, values);
    if (op.f == "put" || op.f == "write") {
      return std::optional(model_util::CompileWrite(op, values));
    }
    if (op.f == "append") {
      if (!op.input.is_string()) return model_util::BadValue(name(), op, "a string", op.input);
      CompiledOp c = model_util::CompileWrite(op, values);
      c.f = kAppend;
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "cas") return model_util::CompileCas(name(), op, values);
    if (op.f == "delete") return std::optional(model_util::SingleKeyOp(kDelete, op, values));
    return model_util::Unsupported(name(), op, "get, put, append, cas, delete");
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& values,
            State* next) const override {
    if (op.f == kAppend) {
      const int64_t current = keyed_state::Get(state, op.key);
      if (current != ValueTable::kNil && !values.IsString(current)) return false;
      keyed_state::Set(state, op.key, values.Concat(current, op.a), next);
      return true;
    }
    if (op.f == kDelete) {
      keyed_state::Set(state, op.key, ValueTable::kNil, next);
      return true;
    }
    return model_util::StepRegisterOp(state, op, next);
  }

  bool Accepts(const State& state, const CompiledOp& op, ValueTable& values,
               State* scratch) const override {
    if (op.f == kAppend || op.f == kDelete) return Step(state, op, values, scratch);
    return model_util::RegisterOpAccepts(state, op);
  }

  bool OnlyExtends(const CompiledOp& op) const override { return op.f == kAppend; }

  bool MayAcceptAfterExtending(const State& state, const CompiledOp* extension,
                               const CompiledOp& read, const ValueTable& values) const override {
    if (read.f != model_util::kRead) return true;
    const int64_t current = keyed_state::Get(state, read.key);
    // An extension of another key leaves this one as it is.
    if (extension == nullptr || extension->key != read.key) {
      return values.MayBePrefixOf(current, read.b);
    }
    return values.MayStandAt(read.b, current, extension->a);
  }

  bool ChangesNoState(const CompiledOp& op) const override {
    return op.f != kAppend && op.f != kDelete && model_util::RegisterOpChangesNoState(op);
  }

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    std::string unknown = op.is_unknown ? " -> ?" : "";
    if (op.f == kAppend) {
      return model_util::KeyPrefix(values, op.key) + "append(" + model_util::Show(values, op.a) +
             ")" + unknown;
    }
    if (op.f == kDelete) return model_util::KeyPrefix(values, op.key) + "delete()" + unknown;
    return model_util::DescribeRegisterOp(op, values, "get", "put");
  }

 private:
  ModelOptions options_;
};

}  // namespace

std::unique_ptr<Model> MakeKvModel(const ModelOptions& options) {
  return std::make_unique<KvModel>(options);
}

}  // namespace checker

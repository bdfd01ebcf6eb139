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

enum : int32_t { kGet, kPut, kAppend, kCas, kCasFailed, kDelete };

class KvModel final : public Model {
 public:
  explicit KvModel(const ModelOptions& options) : options_(options) {}

  std::string_view name() const override { return "kv"; }

  Result<State> Initial(const Json& initial, ValueTable& values) const override {
    if (!initial.is_object()) return keyed_state::Make(values.Intern(initial));
    State state = keyed_state::Make(ValueTable::kNil);
    State next;
    for (auto it = initial.begin(); it != initial.end(); ++it) {
      keyed_state::Set(state, values.Intern(Json(it.key())), values.Intern(it.value()), &next);
      state.swap(next);
    }
    return state;
  }

  Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                            ValueTable& values) const override {
    using model_util::SingleKeyOp;
    if (op.f == "get" || op.f == "read") {
      if (op.is_unknown || (op.output.is_null() && options_.nil_read_is_unknown)) {
        return std::optional<CompiledOp>();
      }
      CompiledOp c = SingleKeyOp(kGet, op, values);
      c.b = values.Intern(op.output);
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "put" || op.f == "write" || op.f == "append") {
      if (op.f == "append" && !op.input.is_string()) {
        return model_util::BadValue(name(), op, "a string", op.input);
      }
      CompiledOp c = SingleKeyOp(op.f == "append" ? kAppend : kPut, op, values);
      c.a = values.Intern(op.input);
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "cas") {
      if (!op.input.is_array() || op.input.size() != 2) {
        return model_util::BadValue(name(), op, "[expected new]", op.input);
      }
      bool failed = !op.is_unknown && op.output.is_boolean() && !op.output.get<bool>();
      CompiledOp c = SingleKeyOp(failed ? kCasFailed : kCas, op, values);
      c.a = values.Intern(op.input[0]);
      c.b = values.Intern(op.input[1]);
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "delete") return std::optional<CompiledOp>(SingleKeyOp(kDelete, op, values));
    return model_util::Unsupported(name(), op, "get, put, append, cas, delete");
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& values,
            State* next) const override {
    const int64_t current = keyed_state::Get(state, op.key);
    switch (op.f) {
      case kGet:
        if (current != op.b) return false;
        *next = state;
        return true;
      case kPut:
        keyed_state::Set(state, op.key, op.a, next);
        return true;
      case kAppend: {
        if (current != ValueTable::kNil && !values.IsString(current)) return false;
        keyed_state::Set(state, op.key, values.Concat(current, op.a), next);
        return true;
      }
      case kCas:
        if (current != op.a) return false;
        keyed_state::Set(state, op.key, op.b, next);
        return true;
      case kCasFailed:
        if (current == op.a) return false;
        *next = state;
        return true;
      case kDelete:
        keyed_state::Set(state, op.key, ValueTable::kNil, next);
        return true;
      default:
        return false;
    }
  }

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    using model_util::Show;
    std::string text = model_util::KeyPrefix(values, op.key);
    switch (op.f) {
      case kGet:
        return text + "get() -> " + Show(values, op.b);
      case kPut:
        text += "put(" + Show(values, op.a) + ")";
        break;
      case kAppend:
        text += "append(" + Show(values, op.a) + ")";
        break;
      case kCas:
        text += "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ")";
        break;
      case kCasFailed:
        return text + "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ") -> false";
      case kDelete:
        text += "delete()";
        break;
      default:
        break;
    }
    return text + (op.is_unknown ? " -> ?" : "");
  }

 private:
  ModelOptions options_;
};

}  // namespace

std::unique_ptr<Model> MakeKvModel(const ModelOptions& options) {
  return std::make_unique<KvModel>(options);
}

}  // namespace checker

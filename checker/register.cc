// register and cas-register: one value per key (Knossos Register / CASRegister, Porcupine's etcd
// model).
//   read        legal iff the value read equals the register (nil: the key is absent; with
//               nil_read_is_unknown, Knossos's rule, a nil read constrains nothing).
//   write v     register := v.
//   cas [a b]   cas-register only. ok: legal iff register == a, then register := b. An ok whose
//               output is `false` is a failed compare observed (Porcupine): legal iff
//               register != a, no change. Unknown: applies like ok (an unknown op that did not
//               happen is simply left out by the search).
// Initial state: --initial gives every key's value; default nil.
#include "checker/model_util.h"
#include "checker/models.h"

namespace checker {
namespace {

enum : int32_t { kRead, kWrite, kCas, kCasFailed };

class RegisterModel final : public Model {
 public:
  RegisterModel(const ModelOptions& options, bool with_cas)
      : options_(options), with_cas_(with_cas) {}

  std::string_view name() const override { return with_cas_ ? "cas-register" : "register"; }

  Result<State> Initial(const Json& initial, ValueTable& values) const override {
    return keyed_state::Make(values.Intern(initial));
  }

  Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                            ValueTable& values) const override {
    using model_util::SingleKeyOp;
    if (op.f == "read") {
      if (op.is_unknown || (op.output.is_null() && options_.nil_read_is_unknown)) {
        return std::optional<CompiledOp>();
      }
      CompiledOp c = SingleKeyOp(kRead, op, values);
      c.b = values.Intern(op.output);
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "write") {
      CompiledOp c = SingleKeyOp(kWrite, op, values);
      c.a = values.Intern(op.input);
      return std::optional<CompiledOp>(std::move(c));
    }
    if (op.f == "cas" && with_cas_) {
      if (!op.input.is_array() || op.input.size() != 2) {
        return model_util::BadValue(name(), op, "[expected new]", op.input);
      }
      bool failed = !op.is_unknown && op.output.is_boolean() && !op.output.get<bool>();
      CompiledOp c = SingleKeyOp(failed ? kCasFailed : kCas, op, values);
      c.a = values.Intern(op.input[0]);
      c.b = values.Intern(op.input[1]);
      return std::optional<CompiledOp>(std::move(c));
    }
    return model_util::Unsupported(name(), op, with_cas_ ? "read, write, cas" : "read, write");
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& /*values*/,
            State* next) const override {
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

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    using model_util::Show;
    std::string text = model_util::KeyPrefix(values, op.key);
    switch (op.f) {
      case kRead:
        return text + "read() -> " + Show(values, op.b);
      case kWrite:
        text += "write(" + Show(values, op.a) + ")";
        break;
      case kCas:
        text += "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ")";
        break;
      case kCasFailed:
        return text + "cas(" + Show(values, op.a) + ", " + Show(values, op.b) + ") -> false";
      default:
        break;
    }
    return text + (op.is_unknown ? " -> ?" : "");
  }

 private:
  ModelOptions options_;
  bool with_cas_;
};

}  // namespace

std::unique_ptr<Model> MakeRegisterModel(const ModelOptions& options, bool with_cas) {
  return std::make_unique<RegisterModel>(options, with_cas);
}

}  // namespace checker

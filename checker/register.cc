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
    if (op.f == "read") return model_util::CompileRead(options_, op, values);
    if (op.f == "write") return std::optional(model_util::CompileWrite(op, values));
    if (op.f == "cas" && with_cas_) return model_util::CompileCas(name(), op, values);
    return model_util::Unsupported(name(), op, with_cas_ ? "read, write, cas" : "read, write");
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& /*values*/,
            State* next) const override {
    return model_util::StepRegisterOp(state, op, next);
  }

  bool Accepts(const State& state, const CompiledOp& op, ValueTable& /*values*/,
               State* /*scratch*/) const override {
    return model_util::RegisterOpAccepts(state, op);
  }

  bool ChangesNoState(const CompiledOp& op) const override {
    return model_util::RegisterOpChangesNoState(op);
  }

  bool ReplacesValues() const override { return true; }
  ValueUse Uses(const CompiledOp& op) const override { return model_util::RegisterOpUses(op); }

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    return model_util::DescribeRegisterOp(op, values, "read", "write");
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

// mutex: a lock per key (Knossos Mutex).
//   acquire   legal iff free, then held.
//   release   legal iff held, then free.
// Initial state: --initial true means held; default free.
#include "checker/model_util.h"
#include "checker/models.h"

namespace checker {
namespace {

enum : int32_t { kAcquire, kRelease };
constexpr int64_t kFree = ValueTable::kNil;
constexpr int64_t kHeld = -2;

class MutexModel final : public Model {
 public:
  std::string_view name() const override { return "mutex"; }

  Result<State> Initial(const Json& initial, ValueTable& /*values*/) const override {
    if (initial.is_null() || initial == false) return keyed_state::Make(kFree);
    if (initial == true) return keyed_state::Make(kHeld);
    return Status::InvalidArgument("model mutex: initial state must be true (held) or false, not " +
                                   initial.dump());
  }

  Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                            ValueTable& values) const override {
    if (op.f == "acquire") return std::optional(model_util::SingleKeyOp(kAcquire, op, values));
    if (op.f == "release") return std::optional(model_util::SingleKeyOp(kRelease, op, values));
    return model_util::Unsupported(name(), op, "acquire, release");
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& /*values*/,
            State* next) const override {
    const bool held = keyed_state::Get(state, op.key) == kHeld;
    if (held == (op.f == kAcquire)) return false;
    keyed_state::Set(state, op.key, held ? kFree : kHeld, next);
    return true;
  }

  Json StateToJson(const State& state, const ValueTable& values) const override {
    Json object = Json::object();
    object["default"] = state[0] == kHeld ? "held" : "free";
    for (size_t i = 1; i + 1 < state.size(); i += 2) {
      object[model_util::Show(values, state[i])] = state[i + 1] == kHeld ? "held" : "free";
    }
    return object;
  }

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    return model_util::KeyPrefix(values, op.key) + (op.f == kAcquire ? "acquire()" : "release()") +
           (op.is_unknown ? " -> ?" : "");
  }
};

}  // namespace

std::unique_ptr<Model> MakeMutexModel(const ModelOptions& /*options*/) {
  return std::make_unique<MutexModel>();
}

}  // namespace checker

// multi-register: atomic transactions of reads and writes over keyed registers (Knossos
// MultiRegister). The only operation is `txn`, whose value is a list of micro-operations
// [f key value] with f "read" or "write", applied in order, all or nothing:
//   [read k v]   legal iff register k == v (nil: absent; with nil_read_is_unknown, Knossos's
//                rule, a nil read constrains nothing);
//   [write k v]  register k := v.
// An ok transaction is checked with its completion's value (reads filled in); an unknown one with
// its invocation's (its reads constrain nothing). Initial state: --initial {"k": v, ...}, or one
// value for every key; default: every key absent.
#include <algorithm>

#include "checker/model_util.h"
#include "checker/models.h"

namespace checker {
namespace {

enum : int32_t { kTxn };
enum : int32_t { kMicroRead, kMicroWrite, kMicroUnknownRead };

class MultiRegisterModel final : public Model {
 public:
  explicit MultiRegisterModel(const ModelOptions& options) : options_(options) {}

  std::string_view name() const override { return "multi-register"; }

  Result<State> Initial(const Json& initial, ValueTable& values) const override {
    return model_util::KeyedInitial(initial, values);
  }

  Result<std::optional<CompiledOp>> Compile(const Operation& op,
                                            ValueTable& values) const override {
    if (op.f != "txn") return model_util::Unsupported(name(), op, "txn");
    const Json& txn = op.is_unknown ? op.input : op.output;
    if (!txn.is_array()) {
      return model_util::BadValue(name(), op, "a list of [f key value]", txn);
    }
    CompiledOp c;
    c.f = kTxn;
    c.is_unknown = op.is_unknown;
    for (const Json& micro : txn) {
      if (!micro.is_array() || micro.size() != 3 || !micro[0].is_string()) {
        return model_util::BadValue(name(), op, "micro-operations [f key value]", micro);
      }
      const std::string f = micro[0].get<std::string>();
      if (f != "read" && f != "write") {
        return model_util::BadValue(name(), op, "micro-operations read or write", micro);
      }
      MicroOp m;
      m.key = values.Intern(micro[1]);
      m.value = values.Intern(micro[2]);
      m.f = f == "write" ? kMicroWrite : kMicroRead;
      if (m.f == kMicroRead &&
          (op.is_unknown || (m.value == ValueTable::kNil && options_.nil_read_is_unknown))) {
        m.f = kMicroUnknownRead;
      }
      c.txn.push_back(m);
      c.keys.push_back(m.key);
    }
    std::sort(c.keys.begin(), c.keys.end());
    c.keys.erase(std::unique(c.keys.begin(), c.keys.end()), c.keys.end());
    if (c.keys.empty()) c.keys.push_back(ValueTable::kNil);
    return std::optional<CompiledOp>(std::move(c));
  }

  bool Step(const State& state, const CompiledOp& op, ValueTable& /*values*/,
            State* next) const override {
    *next = state;
    State scratch;
    for (const MicroOp& m : op.txn) {
      if (m.f == kMicroRead) {
        if (keyed_state::Get(*next, m.key) != m.value) return false;
      } else if (m.f == kMicroWrite) {
        keyed_state::Set(*next, m.key, m.value, &scratch);
        next->swap(scratch);
      }
    }
    return true;
  }

  bool ChangesNoState(const CompiledOp& op) const override {
    return std::none_of(op.txn.begin(), op.txn.end(),
                        [](const MicroOp& m) { return m.f == kMicroWrite; });
  }

  std::string Describe(const CompiledOp& op, const ValueTable& values) const override {
    std::string text = "txn[";
    for (size_t i = 0; i < op.txn.size(); ++i) {
      const MicroOp& m = op.txn[i];
      if (i > 0) text += ", ";
      text += m.f == kMicroWrite ? "w " : "r ";
      text += model_util::Show(values, m.key) + " ";
      text += m.f == kMicroUnknownRead ? "?" : model_util::Show(values, m.value);
    }
    return text + "]" + (op.is_unknown ? " -> ?" : "");
  }

 private:
  ModelOptions options_;
};

}  // namespace

std::unique_ptr<Model> MakeMultiRegisterModel(const ModelOptions& options) {
  return std::make_unique<MultiRegisterModel>(options);
}

}  // namespace checker

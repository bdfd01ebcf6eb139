#include "checker/observed_values.h"

#include <gtest/gtest.h>

#include <vector>

#include "checker/model_util.h"
#include "checker/wgl_search.h"

namespace checker {
namespace {

using model_util::kCas;
using model_util::kRead;
using model_util::kWrite;

// Register operations on one key; values are small ints (ids from one ValueTable).
struct Ops {
  ValueTable values;
  std::vector<CompiledOp> compiled;
  std::vector<SearchOp> search;
  std::unique_ptr<Model> model = MakeModel(ModelKind::kCasRegister);

  int32_t Add(int32_t f, int64_t a, int64_t b, bool crashed = false) {
    CompiledOp op{.f = f, .is_unknown = crashed};
    op.a = a < 0 ? ValueTable::kNil : values.Intern(a);
    op.b = b < 0 ? ValueTable::kNil : values.Intern(b);
    compiled.push_back(op);
    const auto at = static_cast<int64_t>(2 * search.size());
    search.push_back({nullptr, at, crashed ? Operation::kNever : at + 1});
    return static_cast<int32_t>(search.size() - 1);
  }
  int32_t Write(int64_t v, bool crashed = false) { return Add(kWrite, v, -1, crashed); }
  int32_t Read(int64_t v) { return Add(kRead, -1, v); }
  int32_t Cas(int64_t from, int64_t to) { return Add(kCas, from, to); }

  State Holding(int64_t v) {
    return keyed_state::Make(v < 0 ? ValueTable::kNil : values.Intern(v));
  }
  ObservedValues Make(bool enabled = true) {
    for (size_t i = 0; i < search.size(); ++i) search[i].op = &compiled[i];
    return ObservedValues(*model, search, Holding(-1), enabled);
  }
};

TEST(ObservedValues, AValueWithOneWriterMayNotBeReplacedWhileAReadOfItIsUnplaced) {
  Ops o;
  const int32_t w1 = o.Write(1);
  const int32_t r1 = o.Read(1);
  const int32_t w2 = o.Write(2);
  ObservedValues cut = o.Make();
  ASSERT_TRUE(cut.enabled());
  cut.Placed(w1);
  EXPECT_FALSE(cut.Keeps(o.Holding(1), w2, o.Holding(2)));
  cut.Placed(r1);
  EXPECT_TRUE(cut.Keeps(o.Holding(1), w2, o.Holding(2)));
  cut.Unplaced(r1);
  EXPECT_FALSE(cut.Keeps(o.Holding(1), w2, o.Holding(2)));
}

TEST(ObservedValues, TheInitialValueIsItsOwnSource) {
  Ops o;
  o.Read(-1);  // nil, the initial value, which nobody writes
  const int32_t w1 = o.Write(1);
  ObservedValues cut = o.Make();
  EXPECT_FALSE(cut.Keeps(o.Holding(-1), w1, o.Holding(1)));
}

TEST(ObservedValues, AValueWithTwoPossibleWritersMayComeBack) {
  Ops o;
  o.Write(1);
  o.Read(1);
  const int32_t w2 = o.Write(2);
  o.Write(1, /*crashed=*/true);  // may write 1 again later
  ObservedValues cut = o.Make();
  EXPECT_TRUE(cut.Keeps(o.Holding(1), w2, o.Holding(2)));
}

TEST(ObservedValues, TheLastObserverMayReplaceTheValueItself) {
  Ops o;
  o.Write(1);
  const int32_t r1 = o.Read(1);
  const int32_t cas = o.Cas(1, 2);
  ObservedValues cut = o.Make();
  EXPECT_FALSE(cut.Keeps(o.Holding(1), cas, o.Holding(2)));  // the read of 1 is still to come
  cut.Placed(r1);
  EXPECT_TRUE(cut.Keeps(o.Holding(1), cas, o.Holding(2)));
}

TEST(ObservedValues, APlacementThatKeepsTheValueIsAlwaysAllowed) {
  Ops o;
  o.Write(1);
  o.Read(1);
  const int32_t w3 = o.Write(3);
  ObservedValues cut = o.Make();
  EXPECT_TRUE(cut.Keeps(o.Holding(3), w3, o.Holding(3)));
}

TEST(ObservedValues, OffWithoutReductionsOrForModelsThatDoNotReplaceValues) {
  Ops o;
  o.Write(1);
  o.Read(1);
  const int32_t w2 = o.Write(2);
  EXPECT_FALSE(o.Make(/*enabled=*/false).enabled());
  EXPECT_TRUE(o.Make(false).Keeps(o.Holding(1), w2, o.Holding(2)));
  o.model = MakeModel(ModelKind::kKv);
  EXPECT_FALSE(o.Make().enabled());
}

}  // namespace
}  // namespace checker

// The search's reductions (CheckOptions::reduce: unobserved values merged, identical unknown
// operations placed in call order, unknown no-ops not placed) against the plain search: on
// thousands of small random register histories, with few distinct values (so values repeat,
// twins and merges happen) and many crashed operations, both give the same verdict. And the
// case they are for: unknown writes whose values no one reads, answered at once.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/linearizability.h"
#include "common/rng.h"

namespace checker {
namespace {

struct Builder {
  History history;
  void Add(int64_t process, EventType type, const std::string& f, Json value, Json key = nullptr) {
    Event e;
    e.index = static_cast<int64_t>(history.events.size());
    e.line = e.index + 1;
    e.process = Process::Client(process);
    e.type = type;
    e.f = f;
    e.value = std::move(value);
    e.key = std::move(key);
    history.events.push_back(std::move(e));
  }
};

struct Pending {
  std::string f;
  Json input;
};

// A random history on one register: four clients, each invoking and completing in turn. The
// register is simulated (each op takes effect at its completion, a crashed one at its crash,
// half of the time), so the answers are consistent; then, half of the time, one read's answer
// is changed, which usually makes it invalid. Values are 0..2, so they repeat; with `fresh`, every
// write and CAS writes a new value (Jepsen's and Porcupine's register histories, where the
// observed-value cut of observed_values.h applies to every value) and a changed read returns
// one written earlier or nil.
History RandomHistory(common::Rng& rng, bool with_cas, bool fresh = false) {
  Builder b;
  std::vector<int64_t> process = {0, 1, 2, 3};
  int64_t next_process = 4;
  std::vector<std::optional<Pending>> busy(4);
  Json state = nullptr;
  std::vector<size_t> reads;  // event indices of ok reads
  std::vector<Json> written = {nullptr};
  for (int step = 0; step < 26; ++step) {
    const size_t c = rng.Uniform(4);
    if (!busy[c]) {
      const uint64_t kind = rng.Uniform(with_cas ? 3 : 2);
      const Json v = fresh ? static_cast<int64_t>(written.size()) : rng.Uniform(3);
      const Json expected = fresh ? written[rng.Uniform(written.size())] : v;
      const Json next = fresh ? v : Json(rng.Uniform(3));
      if (fresh && kind != 0) written.push_back(v);
      Pending op = kind == 0   ? Pending{"read", nullptr}
                   : kind == 1 ? Pending{"write", v}
                               : Pending{"cas", Json::array({expected, next})};
      b.Add(process[c], EventType::kInvoke, op.f, op.input);
      busy[c] = op;
      continue;
    }
    const Pending op = *busy[c];
    busy[c].reset();
    const bool crash = op.f != "read" && rng.Chance(1, 4);
    const bool applies = !crash || rng.Chance(1, 2);
    if (op.f == "read") {
      reads.push_back(b.history.events.size());
      b.Add(process[c], EventType::kOk, "read", state);
    } else if (op.f == "write") {
      if (applies) state = op.input;
      if (!crash) b.Add(process[c], EventType::kOk, "write", op.input);
    } else {
      const bool match = state == op.input[0];
      if (applies && match) state = op.input[1];
      if (!crash) b.Add(process[c], match ? EventType::kOk : EventType::kFail, "cas", op.input);
    }
    if (crash) {
      b.Add(process[c], EventType::kInfo, op.f, nullptr);
      process[c] = next_process++;
    }
  }
  if (!reads.empty() && rng.Chance(1, 2)) {
    b.history.events[reads[rng.Uniform(reads.size())]].value =
        fresh ? written[rng.Uniform(written.size())] : Json(rng.Uniform(3));
  }
  return b.history;
}

// The same for kv on two keys: gets, appends of "a", "b" and "ab" (so one string has several
// splits), puts of "" or "b", deletes; a changed get returns another short string. Checked per
// key and, with partition false, with both keys in one search.
History RandomKvHistory(common::Rng& rng) {
  Builder b;
  std::vector<int64_t> process = {0, 1, 2, 3};
  int64_t next_process = 4;
  std::vector<std::optional<Pending>> busy(4);
  std::vector<std::string> busy_key(4);
  std::map<std::string, Json> state;  // absent: nil
  std::vector<size_t> reads;
  const std::vector<std::string> atoms = {"a", "b", "ab"};
  for (int step = 0; step < 26; ++step) {
    const size_t c = rng.Uniform(4);
    if (!busy[c]) {
      const uint64_t kind = rng.Uniform(8);
      Pending op = kind < 3   ? Pending{"get", nullptr}
                   : kind < 6 ? Pending{"append", atoms[rng.Uniform(3)]}
                   : kind < 7 ? Pending{"put", rng.Chance(1, 2) ? "" : "b"}
                              : Pending{"delete", nullptr};
      busy_key[c] = rng.Chance(1, 2) ? "x" : "y";
      b.Add(process[c], EventType::kInvoke, op.f, op.input, busy_key[c]);
      busy[c] = op;
      continue;
    }
    const Pending op = *busy[c];
    const std::string key = busy_key[c];
    busy[c].reset();
    const bool crash = op.f != "get" && rng.Chance(1, 4);
    Json& value = state[key];
    if (!crash || rng.Chance(1, 2)) {
      if (op.f == "append") {
        value = (value.is_null() ? "" : value.get<std::string>()) + op.input.get<std::string>();
      }
      if (op.f == "put") value = op.input;
      if (op.f == "delete") value = nullptr;
    }
    if (op.f == "get") reads.push_back(b.history.events.size());
    if (crash) {
      b.Add(process[c], EventType::kInfo, op.f, nullptr, key);
      process[c] = next_process++;
    } else {
      b.Add(process[c], EventType::kOk, op.f, op.f == "get" ? value : op.input, key);
    }
  }
  if (!reads.empty() && rng.Chance(1, 2)) {
    std::string text;
    for (uint64_t n = rng.Uniform(4); n > 0; --n) text += atoms[rng.Uniform(3)];
    b.history.events[reads[rng.Uniform(reads.size())]].value = text;
  }
  return b.history;
}

Verdict VerdictOf(const History& history, ModelKind model, bool reduce, bool partition = true) {
  auto ops = PairOperations(history);
  EXPECT_TRUE(ops.ok()) << ops.status().message();
  if (!ops.ok()) return Verdict::kUnknown;
  auto result =
      CheckLinearizability(*ops, {.model = model, .partition = partition, .reduce = reduce});
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? result->verdict : Verdict::kUnknown;
}

void CompareOn(ModelKind model, bool with_cas, uint64_t seed, bool fresh = false) {
  common::Rng rng(seed);
  int valid = 0;
  int invalid = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const History history =
        model == ModelKind::kKv ? RandomKvHistory(rng) : RandomHistory(rng, with_cas, fresh);
    const Verdict plain = VerdictOf(history, model, false);
    const Verdict reduced = VerdictOf(history, model, true);
    ASSERT_NE(plain, Verdict::kUnknown);
    ASSERT_EQ(reduced, plain) << "trial " << trial << " of seed " << seed;
    if (model == ModelKind::kKv) {  // both keys in one search
      ASSERT_EQ(VerdictOf(history, model, true, false), plain) << "unpartitioned, trial " << trial;
    }
    (plain == Verdict::kValid ? valid : invalid) += 1;
  }
  // Both answers are well represented, so the comparison means something.
  EXPECT_GT(valid, 600);
  EXPECT_GT(invalid, 600);
}

TEST(Reductions, TheSameVerdictAsThePlainSearchOnRandomCasRegisterHistories) {
  CompareOn(ModelKind::kCasRegister, true, 1);
}

TEST(Reductions, TheSameVerdictAsThePlainSearchOnRandomRegisterHistories) {
  CompareOn(ModelKind::kRegister, false, 2);
}

TEST(Reductions, TheSameVerdictAsThePlainSearchOnRandomCasRegisterHistoriesOfFreshValues) {
  CompareOn(ModelKind::kCasRegister, true, 4, /*fresh=*/true);
}

TEST(Reductions, TheSameVerdictAsThePlainSearchOnRandomRegisterHistoriesOfFreshValues) {
  CompareOn(ModelKind::kRegister, false, 5, /*fresh=*/true);
}

TEST(Reductions, TheSameVerdictAsThePlainSearchOnRandomKvHistories) {
  CompareOn(ModelKind::kKv, false, 3);
}

// 40 crashed writes of distinct values no read returns, then a read of a value written only by
// a crashed write called after the read returned (so impossible_reads.h, which trusts nothing
// about crashed writers, stays silent): the plain search must rule out every subset and order
// of the writes; merged, they are 40 twins of one value, placed in call order.
TEST(Reductions, UnobservedCrashedWritesNoLongerMultiplyTheStates) {
  Builder b;
  for (int p = 0; p < 40; ++p) b.Add(p, EventType::kInvoke, "write", p);
  for (int p = 0; p < 40; ++p) b.Add(p, EventType::kInfo, "write", nullptr);
  b.Add(1000, EventType::kInvoke, "read", nullptr);
  b.Add(1000, EventType::kOk, "read", 12345);
  b.Add(1001, EventType::kInvoke, "write", 12345);
  b.Add(1001, EventType::kInfo, "write", nullptr);
  auto ops = PairOperations(b.history);
  ASSERT_TRUE(ops.ok());
  auto reduced = CheckLinearizability(*ops, {.model = ModelKind::kRegister, .time_limit_s = 10});
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(reduced->verdict, Verdict::kInvalid) << reduced->reason;
  EXPECT_LT(reduced->states_explored, 200);
  // The counterexample shows the values as recorded, not the merged one.
  ASSERT_TRUE(reduced->counterexample.has_value());
  EXPECT_EQ(reduced->reason.find("observes"), std::string::npos) << reduced->reason;
  const Json shown = reduced->ToJson()["counterexample"];
  EXPECT_EQ(shown.dump().find("observes"), std::string::npos) << shown.dump();
  EXPECT_NE(shown["window"].dump().find("write("), std::string::npos) << shown.dump();
  auto plain = CheckLinearizability(
      *ops, {.model = ModelKind::kRegister, .time_limit_s = 0.2, .reduce = false});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->verdict, Verdict::kUnknown);  // the same history, without the reductions
}

}  // namespace
}  // namespace checker

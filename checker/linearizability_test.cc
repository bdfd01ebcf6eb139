#include "checker/linearizability.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "common/rng.h"

namespace checker {
namespace {

// A tiny language for histories: h.Invoke(1, "write", 3).Ok(1, "write", 3) ...
class H {
 public:
  H& Invoke(int64_t p, std::string f, Json value = nullptr, Json key = nullptr) {
    return Add(p, EventType::kInvoke, std::move(f), std::move(value), std::move(key));
  }
  H& Ok(int64_t p, std::string f, Json value = nullptr, Json key = nullptr) {
    return Add(p, EventType::kOk, std::move(f), std::move(value), std::move(key));
  }
  H& Info(int64_t p, std::string f) { return Add(p, EventType::kInfo, std::move(f), nullptr, {}); }
  H& Fail(int64_t p, std::string f) { return Add(p, EventType::kFail, std::move(f), nullptr, {}); }

  std::vector<Operation> Ops() const {
    auto ops = PairOperations(history_);
    EXPECT_TRUE(ops.ok()) << ops.status().message();
    return ops.ok() ? *ops : std::vector<Operation>{};
  }

 private:
  H& Add(int64_t p, EventType type, std::string f, Json value, Json key) {
    Event e;
    e.index = static_cast<int64_t>(history_.events.size());
    e.line = e.index + 1;
    e.process = Process::Client(p);
    e.type = type;
    e.f = std::move(f);
    e.value = std::move(value);
    e.key = std::move(key);
    history_.events.push_back(std::move(e));
    return *this;
  }
  History history_;
};

CheckResult Check(const H& h, const std::string& model, CheckOptions options = {}) {
  auto kind = ParseModelKind(model);
  EXPECT_TRUE(kind.ok()) << kind.status().message();
  if (kind.ok()) options.model = *kind;
  auto result = CheckLinearizability(h.Ops(), options);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? *result : CheckResult{};
}

Verdict V(const H& h, const std::string& model, CheckOptions options = {}) {
  return Check(h, model, std::move(options)).verdict;
}

TEST(Register, SequentialWriteThenReadIsValid) {
  H h;
  h.Invoke(1, "write", 3).Ok(1, "write", 3).Invoke(2, "read").Ok(2, "read", 3);
  EXPECT_EQ(V(h, "register"), Verdict::kValid);
}

TEST(Register, StaleReadAfterCompletedWriteIsInvalid) {
  H h;
  h.Invoke(1, "write", 1).Ok(1, "write", 1).Invoke(1, "write", 2).Ok(1, "write", 2);
  h.Invoke(2, "read").Ok(2, "read", 1);
  EXPECT_EQ(V(h, "register"), Verdict::kInvalid);
}

TEST(Register, ConcurrentReadMaySeeEitherValue) {
  for (int seen : {1, 2}) {
    H h;
    h.Invoke(1, "write", 1).Ok(1, "write", 1).Invoke(1, "write", 2);
    h.Invoke(2, "read").Ok(2, "read", seen).Ok(1, "write", 2);
    EXPECT_EQ(V(h, "register"), Verdict::kValid) << seen;
  }
}

TEST(Register, ReadOfAbsentRegisterIsNil) {
  H h;
  h.Invoke(1, "read").Ok(1, "read", nullptr);
  EXPECT_EQ(V(h, "register"), Verdict::kValid);
  H bad;
  bad.Invoke(1, "write", 1).Ok(1, "write", 1).Invoke(1, "read").Ok(1, "read", nullptr);
  EXPECT_EQ(V(bad, "register"), Verdict::kInvalid);
  EXPECT_EQ(V(bad, "register", {.nil_read_is_unknown = true}), Verdict::kValid);
}

TEST(Register, InitialStateIsHonoured) {
  H h;
  h.Invoke(1, "read").Ok(1, "read", 7);
  EXPECT_EQ(V(h, "register"), Verdict::kInvalid);
  EXPECT_EQ(V(h, "register", {.initial = 7}), Verdict::kValid);
}

TEST(CasRegister, CasSucceedsOnlyFromTheExpectedValue) {
  H h;
  h.Invoke(1, "write", 1).Ok(1, "write", 1);
  h.Invoke(1, "cas", Json::array({2, 3})).Ok(1, "cas", Json::array({2, 3}));
  EXPECT_EQ(V(h, "cas-register"), Verdict::kInvalid);
  H good;
  good.Invoke(1, "write", 2).Ok(1, "write", 2);
  good.Invoke(1, "cas", Json::array({2, 3})).Ok(1, "cas", Json::array({2, 3}));
  good.Invoke(2, "read").Ok(2, "read", 3);
  EXPECT_EQ(V(good, "cas-register"), Verdict::kValid);
}

TEST(CasRegister, FailedCompareObservedRequiresAMismatch) {
  H h;
  h.Invoke(1, "write", 2).Ok(1, "write", 2);
  h.Invoke(1, "cas", Json::array({2, 3})).Ok(1, "cas", false);
  EXPECT_EQ(V(h, "cas-register"), Verdict::kInvalid);
  H good;
  good.Invoke(1, "write", 1).Ok(1, "write", 1);
  good.Invoke(1, "cas", Json::array({2, 3})).Ok(1, "cas", false);
  EXPECT_EQ(V(good, "cas-register"), Verdict::kValid);
}

TEST(CasRegister, FailedOperationsDidNotHappen) {
  H h;
  h.Invoke(1, "write", 5).Fail(1, "write").Invoke(2, "read").Ok(2, "read", 5);
  EXPECT_EQ(V(h, "cas-register"), Verdict::kInvalid);
}

TEST(Unknown, InfoWriteMayHaveTakenEffectLater) {
  H h;
  h.Invoke(1, "write", 5).Info(1, "write");
  h.Invoke(2, "read").Ok(2, "read", nullptr).Invoke(2, "read").Ok(2, "read", 5);
  h.Invoke(2, "read").Ok(2, "read", 5);
  EXPECT_EQ(V(h, "register"), Verdict::kValid);
}

TEST(Unknown, InfoWriteMayNeverHaveTakenEffect) {
  H h;
  h.Invoke(1, "write", 5).Info(1, "write").Invoke(2, "read").Ok(2, "read", nullptr);
  EXPECT_EQ(V(h, "register"), Verdict::kValid);
}

TEST(Unknown, InfoWriteCannotTakeEffectBeforeItsInvocation) {
  H h;
  h.Invoke(2, "read").Ok(2, "read", 5).Invoke(1, "write", 5).Info(1, "write");
  EXPECT_EQ(V(h, "register"), Verdict::kInvalid);
}

TEST(Unknown, InfoWriteTakesEffectAtMostOnce) {
  H h;
  h.Invoke(1, "write", 5).Info(1, "write");
  h.Invoke(2, "read").Ok(2, "read", 5).Invoke(2, "write", 6).Ok(2, "write", 6);
  h.Invoke(2, "read").Ok(2, "read", 5);
  EXPECT_EQ(V(h, "register"), Verdict::kInvalid);
}

TEST(Kv, AppendsConcatenateAndPartitionsAgree) {
  H h;
  h.Invoke(1, "append", "a", "x").Ok(1, "append", "a", "x");
  h.Invoke(2, "append", "b", "x").Invoke(3, "append", "z", "y");
  h.Ok(2, "append", "b", "x").Ok(3, "append", "z", "y");
  h.Invoke(1, "get", nullptr, "x").Ok(1, "get", "ab", "x");
  h.Invoke(1, "get", nullptr, "y").Ok(1, "get", "z", "y");
  EXPECT_EQ(V(h, "kv"), Verdict::kValid);
  EXPECT_EQ(V(h, "kv", {.partition = false}), Verdict::kValid);
  EXPECT_EQ(Check(h, "kv").partitions, 2);
  h.Invoke(1, "get", nullptr, "x").Ok(1, "get", "ba", "x");
  EXPECT_EQ(V(h, "kv"), Verdict::kInvalid);
  EXPECT_EQ(V(h, "kv", {.partition = false}), Verdict::kInvalid);
}

TEST(Kv, DeleteMakesTheKeyAbsentAndCasExpectsAbsence) {
  H h;
  h.Invoke(1, "put", 1, "k").Ok(1, "put", 1, "k").Invoke(1, "delete", nullptr, "k");
  h.Ok(1, "delete", nullptr, "k");
  h.Invoke(1, "cas", Json::array({nullptr, 2}), "k").Ok(1, "cas", Json::array({nullptr, 2}), "k");
  h.Invoke(1, "get", nullptr, "k").Ok(1, "get", 2, "k");
  EXPECT_EQ(V(h, "kv"), Verdict::kValid);
}

TEST(Kv, InitialObjectSetsKeysAndOtherValuesSetEveryKey) {
  H h;
  h.Invoke(1, "get", nullptr, "a").Ok(1, "get", "", "a");
  EXPECT_EQ(V(h, "kv"), Verdict::kInvalid);
  EXPECT_EQ(V(h, "kv", {.initial = ""}), Verdict::kValid);
  EXPECT_EQ(V(h, "kv", {.initial = Json{{"a", ""}}}), Verdict::kValid);
}

TEST(MultiRegister, TransactionsAreAtomic) {
  H h;
  Json write_both = Json::array({Json::array({"write", "x", 1}), Json::array({"write", "y", 1})});
  Json read_torn =
      Json::array({Json::array({"read", "x", 1}), Json::array({"read", "y", nullptr})});
  h.Invoke(1, "txn", write_both).Ok(1, "txn", write_both);
  h.Invoke(2, "txn", read_torn).Ok(2, "txn", read_torn);
  EXPECT_EQ(V(h, "multi-register"), Verdict::kInvalid);
  EXPECT_EQ(V(h, "multi-register", {.nil_read_is_unknown = true}), Verdict::kValid);
}

TEST(MultiRegister, TransactionsJoinTheirKeysIntoOnePartition) {
  H h;
  Json t1 = Json::array({Json::array({"write", "x", 1}), Json::array({"write", "y", 1})});
  Json t2 = Json::array({Json::array({"write", "z", 1})});
  h.Invoke(1, "txn", t1).Ok(1, "txn", t1).Invoke(1, "txn", t2).Ok(1, "txn", t2);
  EXPECT_EQ(Check(h, "multi-register").partitions, 2);
}

TEST(Mutex, DoubleAcquireIsInvalid) {
  H h;
  h.Invoke(1, "acquire").Ok(1, "acquire").Invoke(2, "acquire").Ok(2, "acquire");
  EXPECT_EQ(V(h, "mutex"), Verdict::kInvalid);
  H good;
  good.Invoke(1, "acquire").Ok(1, "acquire").Invoke(2, "acquire").Invoke(1, "release");
  good.Ok(1, "release").Ok(2, "acquire");
  EXPECT_EQ(V(good, "mutex"), Verdict::kValid);
}

TEST(Errors, UnsupportedOperationNamesTheModelAndLine) {
  H h;
  h.Invoke(1, "scan").Ok(1, "scan");
  auto result = CheckLinearizability(h.Ops(), {.model = ModelKind::kRegister});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "model register: operation \"scan\" (line 1) is not supported; expected read, write");
}

TEST(ModelKind, NamesRoundTripAndUnknownNamesAreErrorsListingTheChoices) {
  for (const std::string& name : ModelNames()) {
    auto kind = ParseModelKind(name);
    ASSERT_TRUE(kind.ok()) << name;
    EXPECT_EQ(ModelKindName(*kind), name);
  }
  auto unknown = ParseModelKind("queue");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "unknown model \"queue\" (expected register, cas-register, kv, multi-register or "
            "mutex)");
  EXPECT_FALSE(MakeModel("queue").ok());
}

TEST(Counterexample, NamesTheKeyTheFailedOperationAndAWindow) {
  H h;
  h.Invoke(1, "write", 1, "k").Ok(1, "write", 1, "k");          // op 0
  h.Invoke(1, "write", 1, "other").Ok(1, "write", 1, "other");  // op 1
  h.Invoke(1, "write", 2, "k").Ok(1, "write", 2, "k");          // op 2
  h.Invoke(2, "read", nullptr, "k").Ok(2, "read", 1, "k");      // op 3: stale
  h.Invoke(2, "read", nullptr, "k").Ok(2, "read", 2, "k");      // op 4
  CheckResult r = Check(h, "register");
  ASSERT_EQ(r.verdict, Verdict::kInvalid);
  ASSERT_TRUE(r.counterexample.has_value());
  const Counterexample& cx = *r.counterexample;
  EXPECT_EQ(cx.key, Json("k"));
  EXPECT_EQ(cx.failed_op.id, 3);
  EXPECT_EQ(cx.failed_op.description, "k: read() -> 1");
  ASSERT_EQ(cx.longest_linearization.size(), 2u);
  EXPECT_EQ(cx.state_before_failure, (Json{{"k", 2}}));
  // The window ends at the stale read and starts at the write it missed.
  ASSERT_EQ(cx.window.size(), 2u);
  EXPECT_EQ(cx.window[0].id, 2);
  EXPECT_EQ(cx.window[1].id, 3);
  EXPECT_NE(r.reason.find("read() -> 1"), std::string::npos) << r.reason;
  EXPECT_EQ(r.ToJson()["counterexample"]["failed_op"]["id"], 3);
}

// Generated histories: a random sequential run of a register is valid; changing one read makes
// it invalid; spreading the same run's operations into overlapping intervals keeps it valid.
struct Generated {
  H history;
  std::vector<std::pair<int64_t, Json>> ops;  // f-coded: 0 write v, 1 read v
};

std::vector<std::tuple<std::string, Json, Json>> RandomRun(common::Rng& rng, int n,
                                                           int corrupt_at = -1) {
  std::vector<std::tuple<std::string, Json, Json>> run;  // f, input, output
  Json value = nullptr;
  for (int i = 0; i < n; ++i) {
    if (rng.Chance(1, 2)) {
      Json v = static_cast<int64_t>(rng.Uniform(5));
      run.emplace_back("write", v, v);
      value = v;
    } else {
      Json seen = value;
      if (i == corrupt_at) seen = value.is_null() ? Json(99) : Json(value.get<int64_t>() + 100);
      run.emplace_back("read", nullptr, seen);
    }
  }
  return run;
}

TEST(Generated, RandomSequentialHistoriesAreValidAndOneChangedReadIsNot) {
  common::Rng rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    uint64_t seed = rng.Next();
    common::Rng a(seed);
    auto run = RandomRun(a, 40);
    H good;
    for (auto& [f, in, out] : run) good.Invoke(trial % 3, f, in).Ok(trial % 3, f, out);
    ASSERT_EQ(V(good, "register"), Verdict::kValid) << "seed " << seed;
    int read_at = -1;
    for (int i = 0; i < 40 && read_at < 0; ++i) {
      if (std::get<0>(run[i]) == "read") read_at = i;
    }
    if (read_at < 0) continue;
    common::Rng b(seed);
    auto bad_run = RandomRun(b, 40, read_at);
    H bad;
    for (auto& [f, in, out] : bad_run) bad.Invoke(1, f, in).Ok(1, f, out);
    ASSERT_EQ(V(bad, "register"), Verdict::kInvalid) << "seed " << seed;
  }
}

TEST(Generated, ConcurrentHistoriesBuiltFromALinearizationAreValid) {
  // Each operation takes effect at its linearization point t; its invocation is some time
  // before t and its completion some time after, so intervals overlap but contain their point.
  common::Rng rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    const int n = 60;
    auto run = RandomRun(rng, n);
    std::multimap<int64_t, std::pair<int, bool>> events;  // time -> (op, is_call)
    for (int i = 0; i < n; ++i) {
      int64_t point = 100 * i + 50;
      events.insert({point - 1 - static_cast<int64_t>(rng.Uniform(300)), {i, true}});
      events.insert({point + 1 + static_cast<int64_t>(rng.Uniform(300)), {i, false}});
    }
    H h;
    for (auto& [time, what] : events) {
      auto& [f, in, out] = run[what.first];
      if (what.second) {
        h.Invoke(what.first, f, in);
      } else {
        h.Ok(what.first, f, out);
      }
    }
    ASSERT_EQ(V(h, "register"), Verdict::kValid) << "trial " << trial;
  }
}

// Many concurrent writes whose outcome is unknown, then a read of a value written only by a
// crashed write called after the read returned (nothing impossible_reads.h can use): the search
// must rule out every subset and order of the writes before it can say invalid.
H Pathological(int writers) {
  H h;
  for (int p = 0; p < writers; ++p) h.Invoke(p, "write", p);
  for (int p = 0; p < writers; ++p) h.Info(p, "write");
  h.Invoke(1000, "read").Ok(1000, "read", 12345);
  h.Invoke(1001, "write", 12345).Info(1001, "write");
  return h;
}

// The same with every written value observed by a read that spans the whole history, so no
// reduction applies (values are not merged, writes are not twins): hard for every search.
H PathologicalObserved(int writers) {
  H h;
  for (int p = 0; p < writers; ++p) h.Invoke(p, "write", p).Invoke(500 + p, "read");
  for (int p = 0; p < writers; ++p) h.Info(p, "write").Ok(500 + p, "read", p);
  h.Invoke(1000, "read").Ok(1000, "read", 12345);
  h.Invoke(1001, "write", 12345).Info(1001, "write");
  return h;
}

TEST(Budgets, APathologicalHistoryHitsTheTimeLimitAndIsUnknown) {
  // Plain search (the reductions answer Pathological at once), and the reduced one on a
  // history they do not help with; either way unknown within twice the budget.
  for (const bool reduce : {false, true}) {
    const auto start = std::chrono::steady_clock::now();
    CheckResult r = Check(reduce ? PathologicalObserved(40) : Pathological(64), "register",
                          {.time_limit_s = 0.1, .reduce = reduce});
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.verdict, Verdict::kUnknown) << "reduce " << reduce;
    EXPECT_NE(r.reason.find("time limit"), std::string::npos) << r.reason;
    EXPECT_LT(took, 0.2) << "reduce " << reduce;
  }
}

TEST(Budgets, APathologicalHistoryHitsTheMemoryLimitAndIsUnknown) {
  CheckResult r = Check(Pathological(64), "register", {.memory_limit_mb = 4, .reduce = false});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.reason.find("memory limit of 4 MB"), std::string::npos) << r.reason;
  EXPECT_LE(r.peak_memory_bytes, 6 * 1024 * 1024);
}

TEST(Determinism, TheSameHistoryGivesTheSameResult) {
  H h = Pathological(8);
  Json a = Check(h, "register").ToJson();
  Json b = Check(h, "register").ToJson();
  a.erase("elapsed_s");
  b.erase("elapsed_s");
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace checker

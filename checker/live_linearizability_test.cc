#include "checker/live_linearizability.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "checker/formats.h"
#include "common/mutex.h"
#include "common/rng.h"
#include "common/testing/prerequisite.h"

namespace checker {
namespace {

using Clock = LiveLinearizability::Clock;
constexpr auto kLater = std::chrono::hours(1);  // a `now` at which every component is quiet

// Builds a history event by event, as a HistoryWriter would number them.
class Events {
 public:
  Events& Invoke(int64_t p, std::string f, Json value = nullptr, Json key = nullptr) {
    return Add(p, EventType::kInvoke, std::move(f), std::move(value), std::move(key));
  }
  Events& Ok(int64_t p, std::string f, Json value = nullptr, Json key = nullptr) {
    return Add(p, EventType::kOk, std::move(f), std::move(value), std::move(key));
  }
  Events& Info(int64_t p, std::string f, Json key = nullptr) {
    return Add(p, EventType::kInfo, std::move(f), nullptr, std::move(key));
  }
  Events& Add(int64_t p, EventType type, std::string f, Json value, Json key) {
    Event e{.index = static_cast<int64_t>(history.events.size()),
            .time_ns = static_cast<int64_t>(history.events.size()) * 1000,
            .process = Process::Client(p),
            .type = type,
            .f = std::move(f),
            .key = std::move(key),
            .value = std::move(value)};
    history.events.push_back(e);
    if (live != nullptr) live->Add(e);
    return *this;
  }
  std::vector<Operation> Ops() const {
    auto ops = PairOperations(history);
    EXPECT_TRUE(ops.ok()) << ops.status().message();
    return ops.ok() ? *ops : std::vector<Operation>{};
  }

  History history;
  LiveLinearizability* live = nullptr;  // fed as events are added, when set
};

CheckResult Whole(const std::vector<Operation>& ops, const CheckOptions& options) {
  auto r = CheckLinearizability(ops, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : CheckResult{};
}

LiveOutcome FinishLive(LiveLinearizability& live, const std::vector<Operation>& ops) {
  auto r = live.Finish(ops);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : LiveOutcome{};
}

TEST(LiveLinearizability, AKeyIsCheckedOnlyOnceQuietAndWithoutOpenOperations) {
  LiveLinearizability live({.check = {.model = ModelKind::kCasRegister}});
  Events h;
  h.live = &live;
  h.Invoke(0, "write", 1, "a").Ok(0, "write", 1, "a").Invoke(1, "read", nullptr, "a");
  h.Invoke(2, "write", 2, "b").Ok(2, "write", 2, "b");
  EXPECT_EQ(live.CheckQuiet(Clock::now()), 0) << "changed less than the quiet period ago";
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 1) << "b only: a has an open read";
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 0) << "nothing changed";
  h.Ok(1, "read", 1, "a");
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 1) << "a, now closed";
  EXPECT_EQ(live.stats().checks, 2);
  const LiveOutcome outcome = FinishLive(live, h.Ops());
  EXPECT_EQ(outcome.result.verdict, Verdict::kValid) << outcome.result.reason;
  EXPECT_EQ(outcome.keys_live, 2);
  EXPECT_EQ(outcome.keys_at_end, 0);
  EXPECT_EQ(outcome.result.operations, 3);
  EXPECT_EQ(outcome.result.partitions, 2);
}

TEST(LiveLinearizability, AKeyIsCheckedAgainAfterNewOperationsAndStaleResultsAreNotUsed) {
  LiveLinearizability live({.check = {.model = ModelKind::kCasRegister}});
  Events h;
  h.live = &live;
  h.Invoke(0, "write", 1, "a").Ok(0, "write", 1, "a");
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 1);
  h.Invoke(0, "write", 2, "a").Ok(0, "write", 2, "a").Invoke(1, "read", nullptr, "a");
  h.Ok(1, "read", 1, "a");  // stale: invalid now
  EXPECT_FALSE(live.first_invalid().has_value());
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 1);
  ASSERT_TRUE(live.first_invalid().has_value());
  EXPECT_EQ(live.first_invalid()->key, "a");
  EXPECT_EQ(live.first_invalid()->last_call, 4);
  EXPECT_EQ(live.first_invalid()->reason,
            "key \"a\": a: read() -> 1 (process 1, called at event 4) cannot be linearized after "
            "the 2 operations placed before it");
  h.Invoke(2, "write", 3, "a");  // never completes (unknown): Finish must check "a" again
  const std::vector<Operation> ops = h.Ops();
  const LiveOutcome outcome = FinishLive(live, ops);
  EXPECT_EQ(outcome.result.verdict, Verdict::kInvalid);
  EXPECT_EQ(outcome.keys_live, 0);
  EXPECT_EQ(outcome.keys_at_end, 1);
  EXPECT_EQ(outcome.result.reason, Whole(ops, {.model = ModelKind::kCasRegister}).reason);
}

TEST(LiveLinearizability, AReusedCounterexampleIsNumberedAsTheWholeHistory) {
  LiveLinearizability live({.check = {.model = ModelKind::kRegister}});
  Events h;
  h.live = &live;
  h.Invoke(5, "write", 9, "other").Info(5, "write", "other");  // op 0, on another key
  h.Invoke(0, "write", 1, "a").Ok(0, "write", 1, "a").Invoke(0, "write", 2, "a");
  h.Ok(0, "write", 2, "a").Invoke(1, "read", nullptr, "a").Ok(1, "read", 1, "a");
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 2);
  const std::vector<Operation> ops = h.Ops();
  const LiveOutcome outcome = FinishLive(live, ops);
  const CheckResult whole = Whole(ops, {.model = ModelKind::kRegister});
  EXPECT_EQ(outcome.keys_live, 2);
  ASSERT_EQ(outcome.result.verdict, Verdict::kInvalid);
  ASSERT_TRUE(outcome.result.counterexample.has_value());
  EXPECT_EQ(outcome.result.counterexample->failed_op.id, 3);
  EXPECT_EQ(outcome.result.reason, whole.reason);
  EXPECT_EQ(outcome.result.counterexample->failed_op.id, whole.counterexample->failed_op.id);
}

// Feeds `history` event by event, checking every quiet component after each event with
// probability `check_percent`; then Finish. The verdict must be the whole check's.
void ExpectSameVerdict(const History& history, const CheckOptions& options, common::Rng& rng,
                       uint64_t check_percent, const std::string& what) {
  auto ops = PairOperations(history);
  ASSERT_TRUE(ops.ok()) << what << ": " << ops.status().message();
  LiveLinearizability live({.check = options});
  for (const Event& event : history.events) {
    live.Add(event);
    if (rng.Chance(check_percent, 100)) live.CheckQuiet(Clock::now() + kLater);
  }
  const CheckResult whole = Whole(*ops, options);
  const LiveOutcome outcome = FinishLive(live, *ops);
  EXPECT_EQ(outcome.result.verdict, whole.verdict)
      << what << ": live " << outcome.result.reason << "; whole " << whole.reason;
  EXPECT_EQ(outcome.result.operations, whole.operations) << what;
  EXPECT_EQ(outcome.result.partitions, whole.partitions) << what;
  EXPECT_EQ(outcome.keys_live + outcome.keys_at_end, whole.partitions) << what;
}

TEST(LiveLinearizability, GivesTheWholeChecksVerdictOnEveryTestdataHistory) {
  common::Rng rng(18);
  int files = 0;
  for (const auto& dir : std::filesystem::directory_iterator(CHECKER_TESTDATA_DIR)) {
    if (!dir.is_directory()) continue;
    auto model = ParseModelKind(dir.path().filename().string());
    ASSERT_TRUE(model.ok()) << model.status().message();
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      auto history = ReadHistoryFile(file.path().string(), Format::kAuto);
      ASSERT_TRUE(history.ok()) << history.status().message();
      const CheckOptions options{.model = *model,
                                 .initial = history->initial_state,
                                 .nil_read_is_unknown = history->nil_read_is_unknown};
      for (const uint64_t percent : {0, 30, 100}) {
        ExpectSameVerdict(*history, options, rng, percent, file.path().filename().string());
      }
      ++files;
    }
  }
  EXPECT_GE(files, 11);
}

// Porcupine's 109 shared histories (etcd logs, kv logs with 1 to 50 clients), checked live at two
// random points while they are fed, give their known verdicts.
TEST(LiveLinearizability, GivesTheKnownVerdictOfEverySharedHistory) {
  const std::string root = std::string(SPLITBRAIN_SHARED_DIR) + "/histories/";
  std::ifstream tsv(root + "expected.tsv");
  SPLITBRAIN_REQUIRE(tsv.good(), root << "expected.tsv (the shared corpus)");
  common::Rng rng(109);
  std::string line;
  std::getline(tsv, line);  // header
  int files = 0;
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string path, format_name, expected;
    std::getline(fields, path, '\t');
    std::getline(fields, format_name, '\t');
    std::getline(fields, expected, '\t');
    auto format = ParseFormatName(format_name);
    ASSERT_TRUE(format.ok()) << format.status().message();
    auto history = ReadHistoryFile(root + path, *format);
    ASSERT_TRUE(history.ok()) << history.status().message();
    const bool porcupine = *format == Format::kPorcupineEtcd || *format == Format::kPorcupineKv;
    auto ops = PairOperations(*history, {.allow_reinvoke = porcupine});
    ASSERT_TRUE(ops.ok()) << ops.status().message();
    const CheckOptions options{.model = *ParseModelKind(DefaultModelFor(*format)),
                               .initial = history->initial_state};
    LiveLinearizability live({.check = options});
    const size_t n = history->events.size();
    const size_t first = n == 0 ? 0 : rng.Uniform(n);
    const size_t second = n == 0 ? 0 : rng.Uniform(n);
    for (size_t i = 0; i < n; ++i) {
      live.Add(history->events[i]);
      if (i == first || i == second) live.CheckQuiet(Clock::now() + kLater);
    }
    const LiveOutcome outcome = FinishLive(live, *ops);
    EXPECT_EQ(outcome.result.verdict,
              expected == "linearizable" ? Verdict::kValid : Verdict::kInvalid)
        << path << ": " << outcome.result.reason;
    ++files;
  }
  EXPECT_EQ(files, 109);
}

// A random concurrent history over a few keys, linearizable by construction (each operation
// takes effect when it completes) except for the reads `corrupt_percent` falsifies; with
// `txns`, multi-register transactions of one to three keys (which join their keys).
History RandomHistory(common::Rng& rng, bool txns, uint64_t corrupt_percent) {
  Events h;
  std::map<std::string, int> state;
  std::map<int64_t, Json> open;  // process -> what it invoked
  const int processes = 6;
  auto key = [&] { return "k" + std::to_string(rng.Uniform(txns ? 6 : 4)); };
  for (int step = 0; step < 100; ++step) {
    const auto p = static_cast<int64_t>(rng.Uniform(processes));
    auto it = open.find(p);
    if (it == open.end()) {
      Json op = txns ? Json::array() : Json::object();
      if (txns) {
        for (uint64_t i = 0, n = 1 + rng.Uniform(3); i < n; ++i) {
          const bool write = rng.Chance(1, 2);
          op.push_back({write ? "write" : "read", key(), write ? Json(rng.Uniform(4)) : Json()});
        }
        h.Invoke(p, "txn", op);
      } else {
        op = {{"f", rng.Chance(1, 2) ? "read" : "write"}, {"key", key()}, {"v", rng.Uniform(4)}};
        h.Invoke(p, op["f"], op["f"] == "read" ? Json() : op["v"], op["key"]);
      }
      open[p] = op;
      continue;
    }
    Json op = it->second;
    open.erase(it);
    const bool info = rng.Chance(1, 10);
    const bool applies = !info || rng.Chance(1, 2);
    auto apply = [&](const std::string& f, const std::string& k, Json& v) {
      if (f == "write" && applies) state[k] = v.get<int>();
      if (f == "read") {
        v = state.contains(k) ? Json(state[k]) : Json();
        if (rng.Chance(corrupt_percent, 100)) v = 7;
      }
    };
    if (txns) {
      for (Json& micro : op) apply(micro[0], micro[1], micro[2]);
      info ? h.Info(p, "txn") : h.Ok(p, "txn", op);
    } else {
      Json v = op["v"];
      apply(op["f"], op["key"], v);
      info ? h.Info(p, op["f"], op["key"]) : h.Ok(p, op["f"], v, op["key"]);
    }
  }
  return h.history;
}

TEST(LiveLinearizability, GivesTheWholeChecksVerdictOnRandomHistoriesWithJoinedKeys) {
  common::Rng rng(1818);
  std::map<Verdict, int> seen;
  for (int trial = 0; trial < 200; ++trial) {
    const bool txns = trial % 2 == 1;
    const History history = RandomHistory(rng, txns, trial % 3 == 0 ? 0 : 2);
    const CheckOptions options{.model = txns ? ModelKind::kMultiRegister : ModelKind::kRegister};
    ExpectSameVerdict(history, options, rng, 20, "trial " + std::to_string(trial));
    ++seen[Whole(*PairOperations(history), options).verdict];
  }
  EXPECT_GE(seen[Verdict::kValid], 40);
  EXPECT_GE(seen[Verdict::kInvalid], 40);
}

// Many concurrent writes of unknown outcome, every value observed by a read spanning the whole
// history, then a read of a value only a crashed write called after it wrote (impossible_reads.h
// cannot use it): no reduction helps, the budget runs out.
void Pathological(Events& h, int writers) {
  for (int p = 0; p < writers; ++p) h.Invoke(p, "write", p).Invoke(500 + p, "read");
  for (int p = 0; p < writers; ++p) h.Info(p, "write").Ok(500 + p, "read", p);
  h.Invoke(1000, "read").Ok(1000, "read", 12345);
  h.Invoke(1001, "write", 12345).Info(1001, "write");
}

TEST(LiveLinearizability, AnUnknownLiveResultIsCheckedAgainAndNeverBecomesValid) {
  const CheckOptions options{.model = ModelKind::kRegister, .time_limit_s = 0.1};
  LiveLinearizability live({.check = options});
  Events h;
  h.live = &live;
  Pathological(h, 40);
  h.Invoke(2000, "write", 1, "easy").Ok(2000, "write", 1, "easy");
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 2);
  EXPECT_EQ(live.stats().unknown, 1);
  const LiveOutcome outcome = FinishLive(live, h.Ops());
  EXPECT_EQ(outcome.result.verdict, Verdict::kUnknown) << outcome.result.reason;
  EXPECT_NE(outcome.result.reason.find("time limit"), std::string::npos) << outcome.result.reason;
  EXPECT_EQ(outcome.keys_live, 1) << "the easy key";
  EXPECT_EQ(outcome.keys_at_end, 1) << "the unknown one, checked again";
}

// Stop gives up a live check in progress instead of waiting out its budget (a minute here, on a
// history that needs far longer): it is counted as cancelled, never as a result.
TEST(LiveLinearizability, StopCancelsACheckInProgress) {
  const CheckOptions options{.model = ModelKind::kRegister, .time_limit_s = 60};
  LiveLinearizability live({.check = options, .quiet = std::chrono::milliseconds(1)});
  Events h;
  h.live = &live;
  Pathological(h, 40);
  live.Start();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the check has begun
  live.Stop();
  const LiveStats stats = live.stats();
  EXPECT_EQ(stats.cancelled, 1);
  EXPECT_EQ(stats.checks, 0);
  EXPECT_EQ(live.CheckQuiet(Clock::now() + kLater), 0) << "nothing is checked after Stop";
}

TEST(CheckReusing, UsesOnlyDefiniteResultsOnExactlyTheSameOperations) {
  Events h;
  h.Invoke(0, "write", 1, "a").Ok(0, "write", 1, "a").Invoke(1, "read", nullptr, "a");
  h.Ok(1, "read", 1, "a");
  const std::vector<Operation> ops = h.Ops();
  const CheckOptions options{.model = ModelKind::kRegister};
  CheckResult said_invalid{.verdict = Verdict::kInvalid, .reason = "from before"};
  // The same operations: reused, even a (made-up) verdict the search would not give.
  auto reused = CheckReusing(ops, options, {{{"\"a\""}, {ops, said_invalid}}});
  ASSERT_TRUE(reused.ok()) << reused.status().message();
  EXPECT_EQ(reused->reused, 1);
  EXPECT_EQ(reused->result.verdict, Verdict::kInvalid);
  // Unknown is never reused: checked now.
  CheckResult said_unknown{.verdict = Verdict::kUnknown, .reason = "time limit"};
  auto again = CheckReusing(ops, options, {{{"\"a\""}, {ops, said_unknown}}});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->reused, 0);
  EXPECT_EQ(again->checked_now, 1);
  EXPECT_EQ(again->result.verdict, Verdict::kValid) << again->result.reason;
  // A different output: not the same operations, checked now.
  std::vector<Operation> other = ops;
  other[1].output = 2;
  auto changed = CheckReusing(ops, options, {{{"\"a\""}, {other, said_invalid}}});
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(changed->reused, 0);
  EXPECT_EQ(changed->result.verdict, Verdict::kValid) << changed->result.reason;
}

TEST(CheckReusing, AnOperationTheModelRejectsIsTheWholeChecksError) {
  Events h;
  h.Invoke(0, "scan", nullptr, "a").Ok(0, "scan", nullptr, "a");
  const std::vector<Operation> ops = h.Ops();
  const CheckOptions options{.model = ModelKind::kRegister};
  auto live = CheckReusing(ops, options, {{{"\"a\""}, {}}});
  auto whole = CheckLinearizability(ops, options);
  ASSERT_FALSE(live.ok());
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(live.status().message(), whole.status().message());
}

// Clients on their own threads append through one lock, as HistoryWriter does, while the
// background thread checks the keys they leave behind.
class SharedHistory {
 public:
  explicit SharedHistory(LiveLinearizability& live) : live_(live) {}
  void Append(Event event) {
    common::MutexLock lock(mu_);
    event.index = static_cast<int64_t>(history_.events.size());
    history_.events.push_back(event);
    live_.Add(event);
  }
  History Take() {
    common::MutexLock lock(mu_);
    return std::move(history_);
  }

 private:
  LiveLinearizability& live_;
  common::Mutex mu_;
  History history_ GUARDED_BY(mu_);
};

void Client(SharedHistory& shared, int64_t p, int keys, bool stale) {
  auto add = [&](EventType type, const std::string& f, const Json& key, Json value) {
    shared.Append({.process = Process::Client(p),
                   .type = type,
                   .f = f,
                   .key = key,
                   .value = std::move(value)});
  };
  for (int k = 0; k < keys; ++k) {
    const Json key = "t" + std::to_string(p) + "-" + std::to_string(k);
    for (int v = 1; v <= 10; ++v) {
      add(EventType::kInvoke, "write", key, v);
      add(EventType::kOk, "write", key, v);
      add(EventType::kInvoke, "read", key, nullptr);
      add(EventType::kOk, "read", key, stale && k == keys / 2 && v == 5 ? v - 1 : v);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(LiveLinearizability, ThreadsFeedingWhileTheBackgroundThreadChecksAgreeWithTheWholeCheck) {
  for (const bool stale : {false, true}) {
    LiveLinearizability live(
        {.check = {.model = ModelKind::kRegister}, .quiet = std::chrono::milliseconds(1)});
    live.Start();
    SharedHistory shared(live);
    const int threads = 4;
    const int keys = 15;
    std::vector<std::thread> clients;
    for (int p = 0; p < threads; ++p) {
      clients.emplace_back(Client, std::ref(shared), p, keys, stale && p == 2);
    }
    for (std::thread& t : clients) t.join();
    // Every key is quiet now: wait (bounded) until the background thread has checked them all.
    // A key can be checked more than once (a client preempted for over `quiet` mid-key makes it
    // look quiet early), so the count alone is not enough: it must also have stopped growing.
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    int64_t last = -1;
    auto unchanged_since = Clock::now();
    while (Clock::now() < deadline) {
      const int64_t checks = live.stats().checks;
      if (checks != last) {
        last = checks;
        unchanged_since = Clock::now();
      } else if (checks >= threads * keys &&
                 Clock::now() - unchanged_since > std::chrono::milliseconds(300)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const History history = shared.Take();
    const std::vector<Operation> ops = *PairOperations(history);
    const LiveOutcome outcome = FinishLive(live, ops);
    const CheckResult whole = Whole(ops, {.model = ModelKind::kRegister});
    EXPECT_EQ(outcome.result.verdict, stale ? Verdict::kInvalid : Verdict::kValid);
    EXPECT_EQ(outcome.result.verdict, whole.verdict) << outcome.result.reason;
    EXPECT_EQ(outcome.keys_live, threads * keys);
    EXPECT_EQ(outcome.keys_at_end, 0);
    EXPECT_EQ(live.first_invalid().has_value(), stale);
  }
}

}  // namespace
}  // namespace checker

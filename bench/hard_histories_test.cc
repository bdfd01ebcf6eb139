// The hard-history generator's promises, checked by the checker on sizes it answers at once:
// the linearizable variant is valid and the stale-read variant invalid for many seeds, crash
// fractions and client counts; the same seed gives the same log; the log is Porcupine's format.
#include "bench/hard_histories.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "checker/formats.h"
#include "checker/linearizability.h"

namespace bench {
namespace {

std::string VerdictOf(const std::string& log) {
  auto history = checker::ParseHistory(log, checker::Format::kPorcupineEtcd, "generated.log");
  if (!history.ok()) return "parse error: " + history.status().message();
  auto ops = checker::PairOperations(*history, {.allow_reinvoke = true});
  if (!ops.ok()) return "pair error: " + ops.status().message();
  auto model = checker::ParseModelKind(checker::DefaultModelFor(checker::Format::kPorcupineEtcd));
  auto result =
      checker::CheckLinearizability(*ops, {.model = *model,
                                           .initial = history->initial_state,
                                           .nil_read_is_unknown = history->nil_read_is_unknown,
                                           .time_limit_s = 20});
  if (!result.ok()) return "check error: " + result.status().message();
  return std::string(checker::VerdictName(result->verdict));
}

TEST(HardHistories, TheKnownAnswerIsTheCheckersAnswerOnSmallHistories) {
  int stale = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    for (const double crashed : {0.0, 0.3}) {
      const HardHistoryOptions options{.clients = 3 + static_cast<int>(seed % 3),
                                       .operations = 60,
                                       .crashed = crashed,
                                       .seed = seed};
      const HardHistory good = GenerateHardHistory(options);
      ASSERT_EQ(good.ops.size(), 60u);
      EXPECT_EQ(VerdictOf(ToPorcupineEtcdLog(good)), "valid") << "seed " << seed;
      HardHistoryOptions bad_options = options;
      bad_options.linearizable = false;
      const HardHistory bad = GenerateHardHistory(bad_options);
      if (bad.ops.empty()) continue;  // no stale read could be placed
      ++stale;
      EXPECT_GE(bad.stale_read, 30);
      EXPECT_EQ(VerdictOf(ToPorcupineEtcdLog(bad)), "invalid") << "seed " << seed;
    }
  }
  EXPECT_GE(stale, 70);  // nearly every history has room for a stale read
}

TEST(HardHistories, CrashedOperationsStayOpenUnderNewProcesses) {
  const HardHistory history =
      GenerateHardHistory({.clients = 5, .operations = 400, .crashed = 0.3, .seed = 7});
  EXPECT_GT(history.crashed, 40);  // about 0.3 of the half that writes
  const std::string log = ToPorcupineEtcdLog(history);
  size_t timed_out = 0;
  for (size_t at = log.find(":timed-out"); at != std::string::npos;
       at = log.find(":timed-out", at + 1)) {
    ++timed_out;
  }
  EXPECT_EQ(timed_out, static_cast<size_t>(history.crashed));
  int max_process = 0;
  for (const HardOp& op : history.ops) max_process = std::max(max_process, op.process);
  EXPECT_EQ(max_process, 5 + history.crashed - 1);  // one new process per crash
  EXPECT_EQ(log.substr(0, 26), "INFO  jepsen.util - 0\t:inv");
}

TEST(HardHistories, TheSameSeedGivesTheSameLog) {
  const HardHistoryOptions options{.clients = 10, .operations = 200, .crashed = 0.1, .seed = 3};
  EXPECT_EQ(ToPorcupineEtcdLog(GenerateHardHistory(options)),
            ToPorcupineEtcdLog(GenerateHardHistory(options)));
  HardHistoryOptions other = options;
  other.seed = 4;
  EXPECT_NE(ToPorcupineEtcdLog(GenerateHardHistory(options)),
            ToPorcupineEtcdLog(GenerateHardHistory(other)));
}

}  // namespace
}  // namespace bench

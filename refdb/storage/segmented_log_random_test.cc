// Generated tests: seeded random stories of appends, syncs, truncations, crashes, torn writes
// and failed fsyncs, each checked against a model of what must survive. A failure names its
// seed; rerun one seed with --gtest_filter and by editing kFirstSeed/kSeedCount.
#include <optional>

#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/segmented_log.h"
#include "refdb/storage/test_util.h"

namespace refdb::storage {
namespace {

constexpr uint64_t kFirstSeed = 1;
constexpr uint64_t kSeedCount = 300;
constexpr int kStepsPerSeed = 150;

// The log as a model: records [first_index, first_index + records.size()).
struct ModelLog {
  uint64_t first_index = 1;
  std::vector<LogRecord> records;

  uint64_t LastIndex() const { return first_index + records.size() - 1; }
};

class RandomStory {
 public:
  explicit RandomStory(uint64_t seed) : rng_(seed) {
    CHECK(fs_.CreateDir(kDir).ok());
    options_.max_segment_size_bytes = 64 + rng_.Uniform(512);
    options_.max_buffered_bytes = rng_.Uniform(300);
    options_.log_line = [](const std::string&) {};
    Reopen();
  }

  void Run() {
    for (int step = 0; step < kStepsPerSeed && !::testing::Test::HasFailure(); ++step) {
      Step();
      ExpectLogEquals(current_);
    }
  }

 private:
  void Step() {
    const uint64_t choice = rng_.Uniform(100);
    if (choice < 40) return Append();
    if (choice < 60) return Sync();
    if (choice < 67) return TruncateSuffix();
    if (choice < 72) return TruncatePrefix();
    if (choice < 82) return CrashAndRecover(/*may_tear=*/true);
    if (choice < 87) return CloseAndRecover();
    return FailSyncAndRecover();
  }

  void Append() {
    std::vector<LogRecord> records;
    uint64_t term = current_.records.empty() ? 1 : current_.records.back().term;
    const uint64_t count = 1 + rng_.Uniform(4);
    for (uint64_t i = 0; i < count; ++i) {
      if (rng_.Chance(1, 5)) ++term;
      records.push_back(
          LogRecord{.index = current_.LastIndex() + 1 + i,
                    .term = term,
                    .type = static_cast<uint8_t>(rng_.Uniform(4)),
                    .data = std::string(rng_.Uniform(60), static_cast<char>('a' + i))});
    }
    ASSERT_OK(log_->Append(records));
    current_.records.insert(current_.records.end(), records.begin(), records.end());
  }

  void Sync() {
    ASSERT_OK(log_->Sync());
    durable_ = current_;
  }

  void TruncateSuffix() {
    const uint64_t cut = current_.first_index + rng_.Uniform(current_.records.size() + 1);
    ASSERT_OK(log_->TruncateSuffix(cut));
    current_.records.resize(cut - current_.first_index);
    durable_ = current_;
  }

  void TruncatePrefix() {
    const uint64_t keep = current_.first_index + rng_.Uniform(current_.records.size() + 2);
    ASSERT_OK(log_->TruncatePrefix(keep));
    if (keep > current_.LastIndex()) {
      ASSERT_EQ(log_->FirstIndex(), keep);
      current_ = ModelLog{.first_index = keep, .records = {}};
    } else {
      ASSERT_LE(log_->FirstIndex(), keep);
      ASSERT_GE(log_->FirstIndex(), current_.first_index);
      const uint64_t dropped = log_->FirstIndex() - current_.first_index;
      current_.records.erase(current_.records.begin(),
                             current_.records.begin() + static_cast<std::ptrdiff_t>(dropped));
      current_.first_index = log_->FirstIndex();
    }
    durable_ = current_;
  }

  void CrashAndRecover(bool may_tear) {
    log_.reset();
    if (may_tear && rng_.Chance(1, 2)) (void)fs_.TearLastWrite(rng_.Uniform(64));
    fs_.Crash();
    Recover();
  }

  void CloseAndRecover() {
    log_.reset();  // a clean exit: bytes already written stay, buffered ones are gone
    Recover();
  }

  void FailSyncAndRecover() {
    Append();
    fs_.FailSyncAfter(static_cast<int>(rng_.Uniform(2)));
    if (log_->Sync().ok()) durable_ = current_;  // fewer syncs than armed: no fault hit
    fs_.ClearSyncFault();
    CrashAndRecover(/*may_tear=*/false);
  }

  // Whatever survives must keep every durable record and add only a prefix of the rest.
  void Recover() {
    Reopen();
    ASSERT_EQ(log_->FirstIndex(), durable_.first_index);
    ASSERT_GE(log_->LastIndex(), durable_.LastIndex());
    ASSERT_LE(log_->LastIndex(), current_.LastIndex());
    current_.records.resize(log_->LastIndex() + 1 - current_.first_index);
    durable_ = current_;
  }

  void Reopen() {
    Result<SegmentedLog> opened = SegmentedLog::Open(fs_, kDir, options_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    log_.emplace(std::move(opened).value());
  }

  void ExpectLogEquals(const ModelLog& model) {
    if (!log_.has_value()) return;
    ASSERT_EQ(log_->FirstIndex(), model.first_index);
    ASSERT_EQ(log_->LastIndex(), model.LastIndex());
    for (size_t i = 0; i < model.records.size(); ++i) {
      ASSERT_EQ(log_->Entry(model.first_index + i), model.records[i]);
    }
  }

  static constexpr const char* kDir = "/wal";
  common::Rng rng_;
  FaultyFileSystem fs_;
  SegmentedLog::Options options_;
  std::optional<SegmentedLog> log_;
  ModelLog current_;  // what the log must show now
  ModelLog durable_;  // what must survive a crash
};

TEST(SegmentedLogRandom, EverySyncedRecordSurvivesRandomCrashesAndTruncations) {
  for (uint64_t seed = kFirstSeed; seed < kFirstSeed + kSeedCount; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomStory(seed).Run();
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace refdb::storage

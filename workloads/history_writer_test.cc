#include "workloads/history_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "checker/formats.h"
#include "common/testing/prerequisite.h"

namespace workloads {
namespace {

namespace fs = std::filesystem;

fs::path TempPath(const std::string& name) {
  return fs::temp_directory_path() / ("history_writer_test_" + std::to_string(getpid()) + name);
}

TEST(HistoryWriterTest, ConcurrentAppendsAreOrderedAndParseBack) {
  const fs::path path = TempPath("a.jsonl");
  auto writer = HistoryWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        (*writer)->Append({.process = checker::Process::Client(t),
                           .type = checker::EventType::kInvoke,
                           .f = "write",
                           .key = "k",
                           .value = i});
        (*writer)->Append({.process = checker::Process::Client(t),
                           .type = checker::EventType::kOk,
                           .f = "write",
                           .key = "k",
                           .value = i});
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ((*writer)->events_written(), 2000);
  ASSERT_TRUE((*writer)->Close().ok());
  auto history = checker::ReadHistoryFile(path.string(), checker::Format::kJsonl);
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->events.size(), 2000u);
  for (size_t i = 0; i < history->events.size(); ++i) {
    EXPECT_EQ(history->events[i].index, static_cast<int64_t>(i));
    if (i > 0) {
      EXPECT_GE(history->events[i].time_ns, history->events[i - 1].time_ns);
    }
  }
  auto ops = checker::PairOperations(*history);
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  EXPECT_EQ(ops->size(), 1000u);
  fs::remove(path);
}

TEST(HistoryWriterTest, TheObserverSeesEveryWrittenEventInIndexOrder) {
  const fs::path path = TempPath("observed.jsonl");
  auto writer = HistoryWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  std::vector<checker::Event> seen;  // appended to under the writer's lock
  (*writer)->SetObserver([&seen](const checker::Event& e) { seen.push_back(e); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        (*writer)->Append({.process = checker::Process::Client(t),
                           .type = checker::EventType::kInvoke,
                           .f = "read",
                           .key = "k"});
      }
    });
  }
  for (auto& t : threads) t.join();
  (*writer)->SetObserver(nullptr);
  (*writer)->Append({.process = checker::Process::Named("nemesis"), .f = "heal"});
  ASSERT_TRUE((*writer)->Close().ok());
  auto history = checker::ReadHistoryFile(path.string(), checker::Format::kJsonl);
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(seen.size(), 300u) << "the event after SetObserver(nullptr) is not seen";
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(checker::EventToJsonLine(seen[i]), checker::EventToJsonLine(history->events[i]));
  }
  fs::remove(path);
}

TEST(HistoryWriterTest, EveryEventIsOnDiskBeforeAppendReturns) {
  const fs::path path = TempPath("b.jsonl");
  auto writer = HistoryWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  (*writer)->Append({.process = checker::Process::Named("nemesis"),
                     .type = checker::EventType::kInfo,
                     .f = "kill",
                     .value = "n1"});
  std::ifstream in(path);  // read while the writer is still open
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("\"nemesis\""), std::string::npos);
  fs::remove(path);
}

TEST(HistoryWriterTest, AppendsAfterCloseAreDroppedAndErrorsAreClear) {
  const fs::path path = TempPath("c.jsonl");
  auto writer = HistoryWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  (*writer)->Append({.process = checker::Process::Client(0), .f = "read"});
  EXPECT_EQ((*writer)->events_written(), 0);
  fs::remove(path);
  auto bad = HistoryWriter::Open("/nonexistent-dir/h.jsonl");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/nonexistent-dir/h.jsonl"), std::string::npos);
}

TEST(HistoryWriterTest, AWriteErrorIsSticky) {
  SPLITBRAIN_REQUIRE(fs::exists("/dev/full"), "no /dev/full");
  auto writer = HistoryWriter::Open("/dev/full");
  ASSERT_TRUE(writer.ok());
  (*writer)->Append({.process = checker::Process::Client(0), .f = "read"});
  EXPECT_FALSE((*writer)->status().ok());
  (*writer)->Append({.process = checker::Process::Client(0), .f = "read"});
  EXPECT_EQ((*writer)->events_written(), 0);
  EXPECT_FALSE((*writer)->Close().ok());
}

}  // namespace
}  // namespace workloads

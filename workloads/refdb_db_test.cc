#include "workloads/refdb_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checker/formats.h"
#include "workloads/history_writer.h"

namespace workloads {
namespace {

namespace fs = std::filesystem;

// A fresh data dir holding events.jsonl with `text` (no file when `text` is null).
fs::path DataDir(const std::string& name, const char* text) {
  const fs::path dir =
      fs::temp_directory_path() / ("refdb_db_test_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (text != nullptr) std::ofstream(dir / "events.jsonl") << text;
  return dir;
}

TEST(RefdbNodeLog, ReadsEveryLineOfEventsJsonl) {
  const fs::path dir =
      DataDir("good", R"({"time_ns":7,"node":2,"term":1,"role":"candidate","leader":0}

{"time_ns":9,"node":2,"term":1,"role":"leader","leader":2}
)");
  auto log = RefDb({}).ReadNodeLog(2, dir);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->node, 2);
  EXPECT_EQ(log->problem, "");
  ASSERT_EQ(log->events.size(), 2u);
  EXPECT_EQ(log->events[1].time_ns, 9);
  EXPECT_EQ(log->events[1].role, "leader");
  EXPECT_EQ(log->events[1].term, 1);
  EXPECT_EQ(log->events[1].leader, 2);
}

TEST(RefdbNodeLog, MalformedLineKeepsTheEventsBeforeItAndNamesTheLine) {
  const fs::path dir = DataDir("truncated", "{\"node\":3,\"term\":1,\"role\":\"follower\"}\n{\"ti");
  const checker::NodeLog log = ReadRefdbNodeLog(3, dir / "events.jsonl");
  EXPECT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.problem, (dir / "events.jsonl").string() + ":2: not a JSON object");
}

TEST(RefdbNodeLog, LineOfAnotherNodeOrWithoutTermIsAProblem) {
  fs::path dir = DataDir("other", "{\"node\":1,\"term\":1,\"role\":\"follower\"}\n");
  EXPECT_EQ(ReadRefdbNodeLog(2, dir / "events.jsonl").problem,
            (dir / "events.jsonl").string() + ":1: node 1 in the event log of node 2");
  dir = DataDir("no-term", "{\"node\":1,\"role\":\"follower\"}\n");
  EXPECT_EQ(ReadRefdbNodeLog(1, dir / "events.jsonl").problem,
            (dir / "events.jsonl").string() + ":1: no integer \"term\"");
}

TEST(RefdbNodeLog, MissingFileIsAProblemNamingIt) {
  const fs::path dir = DataDir("missing", nullptr);
  const checker::NodeLog log = ReadRefdbNodeLog(4, dir / "events.jsonl");
  EXPECT_TRUE(log.events.empty());
  EXPECT_EQ(log.problem, "no events.jsonl: " + (dir / "events.jsonl").string());
}

TEST(RefdbNodeLog, LogAppendedToTheHistoryReadsBack) {
  const fs::path dir = DataDir("append", "{\"node\":1,\"term\":2,\"role\":\"leader\"}\n");
  auto writer = HistoryWriter::Open(dir / "history.jsonl");
  ASSERT_TRUE(writer.ok());
  (*writer)->Append(checker::NodeLogEvent(ReadRefdbNodeLog(1, dir / "events.jsonl")));
  ASSERT_TRUE((*writer)->Close().ok());
  auto history =
      checker::ReadHistoryFile((dir / "history.jsonl").string(), checker::Format::kJsonl);
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->events.size(), 1u);
  auto log = checker::ParseNodeLogEvent(*history, history->events[0]);
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->events.size(), 1u);
  EXPECT_EQ(log->events[0].term, 2);
}

TEST(DbTraits, RefdbDeclaresItsCapabilities) {
  const DbTraits traits = RefDb({}).traits();
  EXPECT_TRUE(traits.writes_node_events);
  EXPECT_TRUE(traits.clock_movable);
  EXPECT_TRUE(traits.status_term_is_current);
  EXPECT_TRUE(traits.reports_state_digest);
  EXPECT_EQ(traits.bug_switches.size(), 5u);
}

}  // namespace
}  // namespace workloads

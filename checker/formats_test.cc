#include "checker/formats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/testing/prerequisite.h"

namespace checker {
namespace {

Format Detect(std::string_view text) {
  auto format = DetectFormat(text, "h");
  EXPECT_TRUE(format.ok()) << format.status().message();
  return format.ok() ? *format : Format::kAuto;
}

TEST(Formats, NamesRoundTrip) {
  EXPECT_EQ(FormatNames(), (std::vector<std::string>{"auto", "jsonl", "jepsen-edn",
                                                     "porcupine-etcd", "porcupine-kv"}));
  for (const std::string& name : FormatNames()) {
    auto format = ParseFormatName(name);
    ASSERT_TRUE(format.ok());
    EXPECT_EQ(FormatName(*format), name);
  }
  auto bad = ParseFormatName("edn");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unknown format \"edn\" (expected auto, jsonl, jepsen-edn, porcupine-etcd or "
            "porcupine-kv)");
}

TEST(Formats, DetectsEachFormatFromItsFirstLine) {
  EXPECT_EQ(Detect("{\"process\":0}"), Format::kJsonl);
  EXPECT_EQ(Detect("\n  { \"process\":0}"), Format::kJsonl);
  EXPECT_EQ(Detect("INFO  jepsen.util - 0\t:invoke\t:read\tnil"), Format::kPorcupineEtcd);
  EXPECT_EQ(Detect("{:process 1, :type :invoke, :f :get, :key \"9\", :value nil}"),
            Format::kPorcupineKv);
  EXPECT_EQ(Detect("{:process 1, :type :invoke, :f :cas, :key \"9\", :value nil}"),
            Format::kJepsenEdn);
  EXPECT_EQ(Detect("; a comment\n{:type :invoke, :process 0, :f :read}"), Format::kJepsenEdn);
  EXPECT_EQ(Detect("[{:type :invoke}]"), Format::kJepsenEdn);
  EXPECT_EQ(Detect("#jepsen.history.Op{:type :invoke}"), Format::kJepsenEdn);
}

TEST(Formats, DetectsAnEmptyTextAsAnEmptyJsonlHistory) {
  EXPECT_EQ(Detect(""), Format::kJsonl);
  EXPECT_EQ(Detect("\n  \n; only a comment\n"), Format::kJsonl);
  auto history = ParseHistory("", Format::kAuto, "empty.log");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->events.empty());
}

TEST(Formats, ReportsTextOfNoKnownFormat) {
  auto format = DetectFormat("\nhello world", "h.txt");
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().message(),
            "h.txt:2: cannot detect the history format from \"hello world\": tried jsonl "
            "({\"...), jepsen-edn ({:...}, [...] or (...)), porcupine-etcd (INFO jepsen.util "
            "- ...) and porcupine-kv ({:process N, :type ...}); name the format explicitly");
}

TEST(Formats, ImpliesAModelPerFormat) {
  EXPECT_EQ(DefaultModelFor(Format::kPorcupineKv), "kv");
  EXPECT_EQ(DefaultModelFor(Format::kPorcupineEtcd), "cas-register");
  EXPECT_EQ(DefaultModelFor(Format::kJepsenEdn), "cas-register");
  EXPECT_EQ(DefaultModelFor(Format::kJsonl), "cas-register");
}

TEST(Formats, ParsesInTheNamedFormatWithoutDetecting) {
  auto history = ParseHistory("INFO jepsen.util - 1 :invoke :read nil", Format::kJsonl, "h");
  ASSERT_FALSE(history.ok());
  EXPECT_EQ(history.status().message().rfind("h:1: invalid JSON: ", 0), 0u);
}

TEST(Formats, ReportsFilesThatCannotBeRead) {
  auto missing = ReadHistoryFile("/nonexistent/history.jsonl", Format::kAuto);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "/nonexistent/history.jsonl: cannot open: No such file or directory");
  auto directory = ReadHistoryFile(CHECKER_TESTDATA_DIR, Format::kAuto);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message(), CHECKER_TESTDATA_DIR ": cannot open: Is a directory");
}

// Event counts of the Porcupine kv files: two events per op (README: c01 38/58 ops, c10 405/337,
// c50 2024/1712 for bad/ok), counted with wc -l, as every line is one event.
size_t KvEventCount(const std::string& path) {
  static const std::pair<std::string_view, size_t> kCounts[] = {
      {"c01-bad.txt", 76}, {"c01-ok.txt", 116},   {"c10-bad.txt", 810},
      {"c10-ok.txt", 674}, {"c50-bad.txt", 4048}, {"c50-ok.txt", 3424}};
  for (const auto& [name, count] : kCounts) {
    if (path.ends_with(name)) return count;
  }
  return 0;
}

void CheckCorpusFile(const std::string& root, const std::string& path,
                     const std::string& format_name) {
  SCOPED_TRACE(path);
  std::ifstream file(root + "/" + path);
  std::stringstream text;
  text << file.rdbuf();
  auto history = ParseHistory(text.str(), Format::kAuto, path);
  ASSERT_TRUE(history.ok()) << history.status().message();
  const size_t events = history->events.size();
  if (path.ends_with("etcd_095.log")) {
    EXPECT_EQ(events, 0u);  // empty: the etcd cluster never started
    return;
  }
  auto format = DetectFormat(text.str(), path);
  ASSERT_TRUE(format.ok()) << format.status().message();
  EXPECT_EQ(FormatName(*format), format_name);
  if (format_name == "porcupine-kv") {
    EXPECT_EQ(events, KvEventCount(path));
  } else {
    EXPECT_GE(events, 73u * 2 - 19);  // 73-90 ops, up to 19 of them never completed
    EXPECT_LE(events, 90u * 2);
  }
  auto ops = PairOperations(*history);
  EXPECT_TRUE(ops.ok()) << ops.status().message();
}

// Every third-party history in the shared corpus is detected as the format expected.tsv names
// and reads into a plausible number of events (shared/histories/README.md).
TEST(Formats, ReadsEveryHistoryOfTheSharedCorpus) {
  const std::string root = SPLITBRAIN_SHARED_DIR "/histories";
  std::ifstream tsv(root + "/expected.tsv");
  SPLITBRAIN_REQUIRE(tsv.is_open(), "no shared corpus at " << root);
  std::string row;
  std::getline(tsv, row);  // header
  int files = 0;
  while (std::getline(tsv, row)) {
    std::istringstream fields(row);
    std::string path;
    std::string format_name;
    std::getline(fields, path, '\t');
    std::getline(fields, format_name, '\t');
    CheckCorpusFile(root, path, format_name);
    ++files;
  }
  EXPECT_EQ(files, 109);
}

}  // namespace
}  // namespace checker

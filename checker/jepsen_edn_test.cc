#include <gtest/gtest.h>

#include "checker/formats.h"

namespace checker {
namespace {

History Read(std::string_view text, JepsenEdnOptions options = {}) {
  auto history = ParseJepsenEdn(text, "h.edn", options);
  EXPECT_TRUE(history.ok()) << history.status().message();
  return history.ok() ? *history : History();
}

std::string JepsenError(std::string_view text, JepsenEdnOptions options = {}) {
  auto history = ParseJepsenEdn(text, "h.edn", options);
  EXPECT_FALSE(history.ok());
  return history.ok() ? "" : history.status().message();
}

TEST(JepsenEdn, ReadsOneOpMapPerLine) {
  History h = Read(
      "{:type :invoke, :f :write, :value 3, :process 0, :time 10, :index 0}\n"
      "{:type :info, :f :start, :value nil, :process :nemesis, :time 20, :index 1, :why \"x\"}\n"
      "{:type :ok, :f :write, :value 3, :process 0, :time 30, :index 2}\n");
  ASSERT_EQ(h.events.size(), 3u);
  EXPECT_TRUE(h.nil_read_is_unknown);
  EXPECT_EQ(h.source, "h.edn");
  const Event& nemesis = h.events[1];
  EXPECT_EQ(nemesis.process, Process::Named("nemesis"));
  EXPECT_EQ(nemesis.type, EventType::kInfo);
  EXPECT_EQ(nemesis.f, "start");
  EXPECT_EQ(nemesis.time_ns, 20);
  EXPECT_EQ(nemesis.index, 1);
  EXPECT_EQ(nemesis.line, 2);
  EXPECT_EQ(nemesis.extra, Json::parse(R"({"why": "x"})"));
  EXPECT_EQ(h.events[2].process, Process::Client(0));
  EXPECT_EQ(h.events[2].value, Json(3));
  EXPECT_TRUE(h.events[2].key.is_null());
}

TEST(JepsenEdn, ReadsAKnossosVectorWithTheLineOfEachOp) {
  History h = Read(
      "[{:process 0, :type :invoke, :f :read, :value nil}\n"
      " {:process 0, :type :ok, :f :read, :value nil}\n"
      "\n"
      " {:process 1 :type :invoke :f :cas :value [1 2]}]\n");
  ASSERT_EQ(h.events.size(), 3u);
  EXPECT_EQ(h.events[0].line, 1);
  EXPECT_EQ(h.events[1].line, 2);
  EXPECT_EQ(h.events[2].line, 4);
  EXPECT_EQ(h.events[2].index, 2);
  EXPECT_EQ(h.events[2].value, Json::array({1, 2}));
  EXPECT_TRUE(h.events[2].key.is_null());
}

TEST(JepsenEdn, ReadsRecordLiteralsAndTheirTime) {
  History h = Read("#jepsen.history.Op{:index 5, :time 7, :type :invoke, :process 2, :f :read}");
  ASSERT_EQ(h.events.size(), 1u);
  EXPECT_EQ(h.events[0].index, 5);
  EXPECT_EQ(h.events[0].time_ns, 7);
}

TEST(JepsenEdn, SplitsIndependentKeyValueTuples) {
  History h = Read(
      "{:type :invoke, :f :cas, :value [:k1 [1 2]], :process 0}\n"
      "{:type :invoke, :f :read, :value [:k2 nil], :process 1}\n"
      "{:type :ok, :f :cas, :value [:k1 [1 2]], :process 0}\n"
      "{:type :ok, :f :read, :value [:k2 5], :process 1}\n");
  ASSERT_EQ(h.events.size(), 4u);
  EXPECT_EQ(h.events[0].key, Json("k1"));
  EXPECT_EQ(h.events[0].value, Json::array({1, 2}));
  EXPECT_EQ(h.events[1].key, Json("k2"));
  EXPECT_TRUE(h.events[1].value.is_null());
  EXPECT_EQ(h.events[3].value, Json(5));
}

TEST(JepsenEdn, LeavesPlainCasRegisterValuesWhole) {
  History h = Read(
      "{:type :invoke, :f :cas, :value [1 2], :process 0}\n"
      "{:type :ok, :f :cas, :value [1 2], :process 0}\n");
  EXPECT_TRUE(h.events[0].key.is_null());
  EXPECT_EQ(h.events[0].value, Json::array({1, 2}));
}

TEST(JepsenEdn, HonoursAnExplicitIndependenceChoice) {
  const char* text =
      "{:type :invoke, :f :cas, :value [1 2], :process 0}\n"
      "{:type :ok, :f :cas, :value [1 2], :process 0}\n";
  History forced = Read(text, {.independent = true});
  EXPECT_EQ(forced.events[0].key, Json(1));
  EXPECT_EQ(forced.events[0].value, Json(2));
  History off =
      Read("{:type :invoke, :f :write, :value [:k 1], :process 0}", {.independent = false});
  EXPECT_EQ(off.events[0].value, Json::array({"k", 1}));
  EXPECT_EQ(JepsenError("{:type :invoke, :f :write, :value 1, :process 0}", {.independent = true}),
            "h.edn:1: :value 1 is not a [key value] tuple, but the history is read as "
            "independent");
}

TEST(JepsenEdn, ReportsMissingFieldsWithTheirLine) {
  EXPECT_EQ(JepsenError("\n{:f :read, :process 0}"), "h.edn:2: op has no :type");
  EXPECT_EQ(JepsenError("{:type :ok, :f :read}"), "h.edn:1: op has no :process");
  EXPECT_EQ(JepsenError("[{:type :ok, :f :read, :process 1}\n {:type :ok, :process 1}]"),
            "h.edn:2: op has no :f");
  EXPECT_EQ(JepsenError("{:type :done, :f :read, :process 1}"),
            "h.edn:1: unknown type \"done\" (expected invoke, ok, fail or info)");
}

TEST(JepsenEdn, ReportsMalformedOps) {
  EXPECT_EQ(JepsenError("[1]"), "h.edn:1: expected an op map with keyword keys, not 1");
  EXPECT_EQ(JepsenError("{1 2}"),
            "h.edn:1: expected an op map with keyword keys, not {\"#edn/map\":[[1,2]]}");
  EXPECT_EQ(JepsenError("{:type :ok, :f 3, :process 1}"), "h.edn:1: :f must be a keyword, not 3");
  EXPECT_EQ(JepsenError("{:type :ok, :f :read, :process 1, :time :soon}"),
            "h.edn:1: :time must be an integer (nanoseconds), not \"soon\"");
  EXPECT_EQ(JepsenError("{:type :ok, :f :read, :process 1, :index 4}\n"
                        "{:type :ok, :f :read, :process 1, :index 4}"),
            "h.edn:2: :index 4 is not greater than the previous op's index 4");
}

TEST(JepsenEdn, PassesEdnSyntaxErrorsThrough) {
  EXPECT_EQ(JepsenError("{:type :ok\n"), "h.edn:1: map or set opened here is never closed");
}

TEST(JepsenEdn, ReadsTheSampleFiles) {
  auto knossos =
      ReadHistoryFile(CHECKER_TESTDATA_DIR "/knossos_cas_register.good.edn", Format::kAuto);
  ASSERT_TRUE(knossos.ok()) << knossos.status().message();
  EXPECT_EQ(knossos->events.size(), 16u);
  EXPECT_EQ(knossos->events[0].line, 3);
  auto independent =
      ReadHistoryFile(CHECKER_TESTDATA_DIR "/jepsen_independent_register.good.edn", Format::kAuto);
  ASSERT_TRUE(independent.ok()) << independent.status().message();
  EXPECT_EQ(independent->events.size(), 14u);
  EXPECT_EQ(independent->events[4].key, Json(0));
  EXPECT_EQ(independent->events[4].value, Json::array({1, 2}));
  auto ops = PairOperations(*independent);
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  EXPECT_EQ(ops->size(), 6u);
  auto bad = ReadHistoryFile(CHECKER_TESTDATA_DIR "/unclosed_map.bad-syntax.edn", Format::kAuto);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), CHECKER_TESTDATA_DIR
            "/unclosed_map.bad-syntax.edn:2: map or set opened here is never closed");
}

}  // namespace
}  // namespace checker

#include <gtest/gtest.h>

#include "checker/formats.h"

namespace checker {
namespace {

std::string JsonlError(std::string_view text) {
  auto history = ParseJsonl(text, "h.jsonl");
  EXPECT_FALSE(history.ok());
  return history.ok() ? "" : history.status().message();
}

TEST(Jsonl, ReadsEventsAndSkipsBlankLines) {
  auto h = ParseJsonl(
      "{\"index\":3,\"time_ns\":5,\"process\":1,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k\","
      "\"value\":[1,2],\"note\":true}\n"
      "\n   \n"
      "{\"index\":9,\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"kill\"}\n",
      "h.jsonl");
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->events.size(), 2u);
  EXPECT_EQ(h->events[0].index, 3);
  EXPECT_EQ(h->events[0].time_ns, 5);
  EXPECT_EQ(h->events[0].key, Json("k"));
  EXPECT_EQ(h->events[0].extra, Json::parse(R"({"note": true})"));
  EXPECT_EQ(h->events[0].line, 1);
  EXPECT_EQ(h->events[1].line, 4);
  EXPECT_EQ(h->events[1].process, Process::Named("nemesis"));
  EXPECT_FALSE(h->nil_read_is_unknown);
}

TEST(Jsonl, AssignsPositionsWhenIndexesAreAbsent) {
  auto h = ParseJsonl(
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\r\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\r\n",
      "h.jsonl");
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->events.size(), 2u);
  EXPECT_EQ(h->events[0].index, 0);
  EXPECT_EQ(h->events[1].index, 1);
}

TEST(Jsonl, ReadsAnEmptyText) {
  auto h = ParseJsonl("", "h.jsonl");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->events.empty());
}

TEST(Jsonl, RejectsIndexesThatDoNotIncrease) {
  EXPECT_EQ(JsonlError("{\"index\":2,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
                       "{\"index\":2,\"process\":0,\"type\":\"ok\",\"f\":\"read\"}\n"),
            "h.jsonl:2: index 2 is not greater than the previous event's index 2");
}

TEST(Jsonl, ReportsInvalidJsonWithTheParserMessage) {
  EXPECT_EQ(JsonlError("\n{\"process\":0,"),
            "h.jsonl:2: invalid JSON: parse error at line 1, column 14: syntax error while "
            "parsing object key - unexpected end of input; expected string literal");
  EXPECT_EQ(JsonlError("{\"process\":0} x"),
            "h.jsonl:1: invalid JSON: parse error at line 1, column 15: syntax error while "
            "parsing value - invalid literal; last read: '0} x'; expected end of input");
}

TEST(Jsonl, ReportsEventErrorsWithTheirLine) {
  EXPECT_EQ(JsonlError("{\"process\":0,\"type\":\"done\",\"f\":\"read\"}"),
            "h.jsonl:1: unknown type \"done\" (expected invoke, ok, fail or info)");
  EXPECT_EQ(JsonlError("[1]"), "h.jsonl:1: expected a JSON object, not [1]");
  EXPECT_EQ(JsonlError("{\"type\":\"ok\",\"f\":\"read\"}"), "h.jsonl:1: missing field \"process\"");
}

TEST(Jsonl, RejectsNestingBeyondTheDepthLimit) {
  EXPECT_EQ(JsonlError("{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":" +
                       std::string(100000, '[')),
            "h.jsonl:1: invalid JSON: nesting deeper than 512 levels");
}

}  // namespace
}  // namespace checker

#include "checker/history.h"

#include <gtest/gtest.h>

namespace checker {
namespace {

Event Ev(int64_t index, int64_t process, EventType type, std::string f, Json value = nullptr) {
  Event e;
  e.index = index;
  e.line = index + 1;
  e.process = Process::Client(process);
  e.type = type;
  e.f = std::move(f);
  e.value = std::move(value);
  return e;
}

TEST(PairOperations, PairsCompletionsWithTheirProcessInvocation) {
  History h;
  h.events = {Ev(0, 1, EventType::kInvoke, "write", 3), Ev(1, 2, EventType::kInvoke, "read"),
              Ev(2, 2, EventType::kOk, "read", 3), Ev(3, 1, EventType::kOk, "write", 3)};
  auto ops = PairOperations(h);
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_EQ((*ops)[0].f, "write");
  EXPECT_EQ((*ops)[0].call, 0);
  EXPECT_EQ((*ops)[0].ret, 3);
  EXPECT_EQ((*ops)[1].output, Json(3));
  EXPECT_FALSE((*ops)[1].is_unknown);
}

TEST(PairOperations, DropsFailedAndKeepsInfoAsUnknown) {
  History h;
  h.events = {Ev(0, 1, EventType::kInvoke, "write", 1), Ev(1, 1, EventType::kFail, "write", 1),
              Ev(2, 2, EventType::kInvoke, "write", 2), Ev(3, 2, EventType::kInfo, "write", 2),
              Ev(4, 3, EventType::kInvoke, "read")};
  auto ops = PairOperations(h);
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_TRUE((*ops)[0].is_unknown);
  EXPECT_EQ((*ops)[0].ret, Operation::kNever);
  EXPECT_TRUE((*ops)[1].is_unknown);  // never completed
}

TEST(PairOperations, CompletionWithoutInvocationNamesTheLine) {
  History h;
  h.source = "h.jsonl";
  h.events = {Ev(0, 4, EventType::kOk, "read", 1)};
  auto ops = PairOperations(h);
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().message(), "h.jsonl:1: ok for process 4, which has no open invocation");
}

TEST(PairOperations, ReinvokeIsAnErrorUnlessAllowed) {
  History h;
  h.events = {Ev(0, 1, EventType::kInvoke, "write", 1), Ev(1, 1, EventType::kInvoke, "read"),
              Ev(2, 1, EventType::kOk, "read", 1)};
  EXPECT_FALSE(PairOperations(h).ok());
  auto ops = PairOperations(h, {.allow_reinvoke = true});
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_TRUE((*ops)[0].is_unknown);
  EXPECT_FALSE((*ops)[1].is_unknown);
}

TEST(PairOperations, SkipsNamedProcesses) {
  History h;
  Event nemesis = Ev(0, 0, EventType::kInfo, "partition", Json::array({"n1"}));
  nemesis.process = Process::Named("nemesis");
  h.events = {nemesis};
  auto ops = PairOperations(h);
  ASSERT_TRUE(ops.ok());
  EXPECT_TRUE(ops->empty());
}

TEST(EventJson, RoundTripsEveryField) {
  Event e = Ev(17, 3, EventType::kInvoke, "cas", Json::array({1, 2}));
  e.time_ns = 123456789;
  e.key = "k4";
  e.line = 0;
  std::string line = EventToJsonLine(e);
  auto back = EventFromJson(Json::parse(line));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->index, 17);
  EXPECT_EQ(back->time_ns, 123456789);
  EXPECT_EQ(back->process, Process::Client(3));
  EXPECT_EQ(back->type, EventType::kInvoke);
  EXPECT_EQ(back->key, Json("k4"));
  EXPECT_EQ(back->value, Json::array({1, 2}));
}

TEST(EventJson, RejectsBadFieldsWithReasons) {
  EXPECT_EQ(
      EventFromJson(Json::parse(R"({"process":1,"type":"done","f":"read"})")).status().message(),
      "unknown type \"done\" (expected invoke, ok, fail or info)");
  EXPECT_EQ(
      EventFromJson(Json::parse(R"({"process":-1,"type":"ok","f":"read"})")).status().message(),
      "process must be >= 0, not -1");
  EXPECT_FALSE(EventFromJson(Json::parse(R"({"type":"ok","f":"read"})")).ok());
  EXPECT_FALSE(EventFromJson(Json::parse("[1,2]")).ok());
}

}  // namespace
}  // namespace checker

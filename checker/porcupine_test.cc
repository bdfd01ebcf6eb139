#include <gtest/gtest.h>

#include "checker/formats.h"

namespace checker {
namespace {

History Etcd(std::string_view text) {
  auto history = ParsePorcupineEtcd(text, "etcd.log");
  EXPECT_TRUE(history.ok()) << history.status().message();
  return history.ok() ? *history : History();
}

std::string KvError(std::string_view text) {
  auto history = ParsePorcupineKv(text, "kv.txt");
  EXPECT_FALSE(history.ok());
  return history.ok() ? "" : history.status().message();
}

TEST(PorcupineEtcd, MapsEveryEventKind) {
  History h = Etcd(
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 0\t:ok\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:invoke\t:write\t3\n"
      "INFO  jepsen.util - 1\t:ok\t:write\t3\n"
      "INFO  jepsen.util - 2   :invoke :cas    [3 4]\n"
      "INFO  jepsen.util - 2   :fail   :cas    [3 4]\n"
      "INFO  jepsen.util - 2   :invoke :cas    [3 4]\n"
      "INFO  jepsen.util - 2   :ok     :cas    [3 4]\n"
      "INFO  jepsen.util - 17  :invoke :read   nil\n"
      "INFO  jepsen.util - 17  :fail   :read   :timed-out\n");
  ASSERT_EQ(h.events.size(), 10u);
  EXPECT_EQ(h.events[1].type, EventType::kOk);
  EXPECT_TRUE(h.events[1].value.is_null());
  EXPECT_EQ(h.events[2].f, "write");
  EXPECT_EQ(h.events[2].value, Json(3));
  EXPECT_EQ(h.events[4].value, Json::array({3, 4}));
  EXPECT_EQ(h.events[5].type, EventType::kOk);
  EXPECT_EQ(h.events[5].value, Json(false));
  EXPECT_EQ(h.events[7].value, Json::array({3, 4}));
  EXPECT_EQ(h.events[9].type, EventType::kInfo);
  EXPECT_EQ(h.events[9].f, "read");
  EXPECT_EQ(h.events[9].process, Process::Client(17));
  for (size_t i = 0; i < h.events.size(); ++i) {
    EXPECT_EQ(h.events[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(h.events[i].line, static_cast<int64_t>(i + 1));
    EXPECT_EQ(h.events[i].time_ns, 0);
  }
  EXPECT_FALSE(h.nil_read_is_unknown);
  EXPECT_TRUE(h.initial_state.is_null());
}

TEST(PorcupineEtcd, SkipsLinesPorcupineDoesNotMatch) {
  History h = Etcd(
      "INFO  jepsen.util - 4\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n"
      "INFO  jepsen.core - starting\n"
      "INFO  jepsen.util - x\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 5\t:invoke\t:read\tnil \n"
      "INFO  jepsen.util - 5\t:invoke\t:read\t7\n"
      "INFO  jepsen.util - 5\t:ok\t:cas\t[1]\n"
      "garbage\n"
      "INFO  jepsen.util - 6\t:invoke\t:read\tnil\r\n");
  ASSERT_EQ(h.events.size(), 2u);
  EXPECT_EQ(h.events[0].line, 1);
  EXPECT_EQ(h.events[1].line, 9);
  EXPECT_EQ(h.events[1].index, 1);
}

TEST(PorcupineEtcd, RejectsNumbersOutOfRange) {
  auto h =
      ParsePorcupineEtcd("INFO jepsen.util - 1 :invoke :write 99999999999999999999\n", "etcd.log");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(), "etcd.log:1: number 99999999999999999999 is out of range");
}

TEST(PorcupineKv, ReadsGetPutAndAppend) {
  auto h = ParsePorcupineKv(
      "{:process 0, :type :invoke, :f :put, :key \"9\", :value \"x 0 9 y\"}\n"
      "{:process 0, :type :ok, :f :put, :key \"9\", :value \"x 0 9 y\"}\n"
      "\n"
      "{:process 1, :type :invoke, :f :get, :key \"9\", :value nil}\n"
      "{:process 1, :type :ok, :f :get, :key \"9\", :value \"\"}\n"
      "{:process 4, :type :invoke, :f :append, :key \"0\", :value \"x 4 1 y\"}\r\n",
      "kv.txt");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->initial_state, Json(""));
  ASSERT_EQ(h->events.size(), 5u);
  EXPECT_EQ(h->events[0].f, "put");
  EXPECT_EQ(h->events[0].key, Json("9"));
  EXPECT_EQ(h->events[0].value, Json("x 0 9 y"));
  EXPECT_EQ(h->events[2].f, "get");
  EXPECT_TRUE(h->events[2].value.is_null());
  EXPECT_EQ(h->events[2].line, 4);
  EXPECT_EQ(h->events[2].index, 2);
  EXPECT_EQ(h->events[3].value, Json(""));
  EXPECT_EQ(h->events[4].process, Process::Client(4));
  EXPECT_EQ(h->events[4].f, "append");
}

TEST(PorcupineKv, ReportsLinesOutsideTheGrammar) {
  EXPECT_EQ(KvError("\n{:process 0, :type :invoke, :f :del, :key \"1\", :value nil}"),
            "kv.txt:2: expected get or put or append at column 33");
  EXPECT_EQ(KvError("{:process a}"), "kv.txt:1: expected a process number at column 11");
  EXPECT_EQ(KvError("{:type :ok}"),
            "kv.txt:1: expected '{:process ' at column 1 of a porcupine-kv line {:process N, "
            ":type :T, :f :F, :key \"K\", :value V}");
  EXPECT_EQ(KvError("{:process 0, :type :invoke, :f :get, :key \"1\", :value \"x\"}"),
            "kv.txt:1: :invoke :get must have :value nil");
  EXPECT_EQ(KvError("{:process 0, :type :ok, :f :get, :key \"1\", :value nil}"),
            "kv.txt:1: :ok :get must have a string :value, not nil");
  EXPECT_EQ(KvError("{:process 0, :type :ok, :f :get, :key \"1\", :value \"x}"),
            "kv.txt:1: :value has no closing '\"'");
  EXPECT_EQ(KvError("{:process 0, :type :ok, :f :get, :key \"1\", :value \"x\"} extra"),
            "kv.txt:1: unexpected text after '}' at column 55");
}

}  // namespace
}  // namespace checker

// LineClient against real client programs (small Python scripts) that keep or break the
// protocol: each broken exchange is info (a read: fail), and the next request gets a fresh
// program.
#include "workloads/line_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"

namespace workloads {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A client that keeps a dict; MODE (argv[1]) makes it misbehave on the first request of each
// process: "good", "silent" (never answers), "garbage", "wrongid", "die", "info", "fail".
constexpr char kClient[] = R"(
import json, os, sys, time
mode = sys.argv[1]
data = {}
first = True
for line in sys.stdin:
    req = json.loads(line)
    if first and mode != "good":
        first = False
        if mode == "silent": time.sleep(60)
        if mode == "garbage": print("not json", flush=True); continue
        if mode == "wrongid": print(json.dumps({"id": req["id"] + 1, "type": "ok"}), flush=True); continue
        if mode == "die": sys.exit(3)
        if mode in ("info", "fail"): print(json.dumps({"id": req["id"], "type": mode, "error": "told to"}), flush=True); continue
    if mode == "deadline": print(json.dumps({"id": req["id"], "type": "ok", "value": os.environ.get("SPLITBRAIN_DEADLINE_MS")}), flush=True); continue
    f, k = req["f"], req["key"]
    if f in ("read", "read_local"): out = {"type": "ok", "value": data.get(k)}
    elif f == "write": data[k] = req["value"]; out = {"type": "ok"}
    elif f == "cas":
        ok = data.get(k) == req["from"]
        if ok: data[k] = req["to"]
        out = {"type": "ok", "succeeded": ok}
    out["id"] = req["id"]
    print(json.dumps(out), flush=True)
)";

class LineClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(access("/usr/bin/python3", X_OK) == 0, "no /usr/bin/python3");
    auto dir = common::testing::TempDir::Create("line-client-test");
    ASSERT_TRUE(dir.ok());
    dir_.emplace(std::move(*dir));
    std::ofstream(Script()) << kClient;
  }
  fs::path Script() const { return fs::path(dir_->path()) / "client.py"; }
  fs::path Log() const { return fs::path(dir_->path()) / "clients.log"; }
  LineClient Client(const std::string& mode) {
    return LineClient({.argv = {"/usr/bin/python3", Script().string(), mode},
                       .log_path = Log(),
                       .deadline = std::chrono::milliseconds(300),
                       .grace = std::chrono::milliseconds(200)});
  }
  std::string LogText() const {
    std::ifstream in(Log());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::optional<common::testing::TempDir> dir_;
};

TEST_F(LineClientTest, AWellBehavedClientAnswersEveryOperation) {
  LineClient c = Client("good");
  EXPECT_EQ(c.Read("k").outcome, Outcome::kOk);
  EXPECT_EQ(c.Read("k").value, std::nullopt);
  EXPECT_EQ(c.Write("k", "1").outcome, Outcome::kOk);
  EXPECT_EQ(c.Read("k").value, "1");
  EXPECT_TRUE(c.Cas("k", "1", "2").value.succeeded);
  const Answer<CasResult> miss = c.Cas("k", "1", "3");
  EXPECT_EQ(miss.outcome, Outcome::kOk);
  EXPECT_FALSE(miss.value.succeeded);
  EXPECT_TRUE(c.Cas("new", std::nullopt, "x").value.succeeded);
  EXPECT_EQ(c.ReadLocal("10.0.0.1:1", "k").value, "2");
  EXPECT_EQ(c.restarts(), 0);
}

TEST_F(LineClientTest, BrokenExchangesAreInfoForWritesAndFailForReadsThenAFreshClient) {
  for (const char* mode : {"silent", "garbage", "wrongid", "die"}) {
    LineClient writer = Client(mode);
    const auto started = std::chrono::steady_clock::now();
    const Answer<bool> w = writer.Write("k", "1");
    EXPECT_EQ(w.outcome, Outcome::kInfo) << mode;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3)) << mode;
    EXPECT_EQ(writer.restarts(), 1) << mode;
    // The next request goes to a fresh program, which (first request again) misbehaves once
    // more; a read's broken exchange is a fail.
    EXPECT_EQ(writer.Read("k").outcome, Outcome::kFail) << mode;
    EXPECT_EQ(writer.restarts(), 2) << mode;
  }
  EXPECT_THAT(LogText(), HasSubstr("no answer from the client in time"));
  EXPECT_THAT(LogText(), HasSubstr("not a JSON object"));
  EXPECT_THAT(LogText(), HasSubstr("the answer's id is"));
  EXPECT_THAT(LogText(), HasSubstr("replacing the client"));
}

TEST_F(LineClientTest, InfoAndFailRepliesAreTakenAsSaid) {
  LineClient info = Client("info");
  EXPECT_EQ(info.Write("k", "1").outcome, Outcome::kInfo);
  EXPECT_EQ(info.Write("k", "1").outcome, Outcome::kOk);  // same program, now well-behaved
  EXPECT_EQ(info.restarts(), 0);
  LineClient fail = Client("fail");
  const Answer<CasResult> c = fail.Cas("k", std::nullopt, "1");
  EXPECT_EQ(c.outcome, Outcome::kFail);
  EXPECT_EQ(c.error, "told to");
  LineClient read_info = Client("info");
  EXPECT_EQ(read_info.Read("k").outcome, Outcome::kFail);  // a read that may not have run
}

TEST_F(LineClientTest, TheProgramIsToldItsDeadline) {
  LineClient c = Client("deadline");
  EXPECT_EQ(c.Read("k").value, "300");
}

TEST_F(LineClientTest, AClientThatCannotStartIsAFail) {
  LineClient c({.argv = {"/nonexistent/client"}, .log_path = Log()});
  const Answer<bool> w = c.Write("k", "1");
  EXPECT_EQ(w.outcome, Outcome::kFail);
  EXPECT_THAT(LogText(), HasSubstr("cannot start the client"));
}

}  // namespace
}  // namespace workloads

#include "checker/weak_guarantee_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "checker/formats.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

RunHistory Parse(const std::string& jsonl) {
  auto h = ParseJsonl(jsonl, "test.jsonl");
  EXPECT_TRUE(h.ok()) << h.status().message();
  return ReadRunHistory(std::move(*h));
}

std::string Sample(int64_t ms, int node, const std::string& role) {
  return R"({"time_ns":)" + std::to_string(ms * 1'000'000) +
         R"(,"process":"status","type":"info","f":"status","value":{"node":)" +
         std::to_string(node) + R"(,"role":")" + role + R"(","term":0,"leader":0}})" + "\n";
}

// n1 leads, is cut off, n2 is promoted while n1 still says master: the Redis story.
TEST(OnePrimary, TwoNodesLeadingInOverlappingSamplesIsInvalid) {
  std::string h;
  for (int t = 0; t <= 3000; t += 100) {
    h += Sample(t, 1, "leader");
    h += Sample(t, 2, t >= 2000 ? "leader" : "follower");
    h += Sample(t, 3, "follower");
  }
  const RunCheckResult r = CheckOnePrimary(Parse(h), 3);
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.summary;
  EXPECT_THAT(
      r.summary,
      HasSubstr("two primaries at once: n1 and n2 were both primary from 2.00 s to 3.00 s"));
  EXPECT_GT(r.details["overlap_s"].get<double>(), 0.9);
}

// The control: a handover, where the old primary steps down before the new one is seen.
TEST(OnePrimary, HandoverWithoutOverlapIsValid) {
  std::string h;
  for (int t = 0; t <= 3000; t += 100) {
    h += Sample(t, 1, t < 1500 ? "leader" : "follower");
    h += Sample(t, 2, t >= 1600 ? "leader" : "follower");
    h += Sample(t, 3, "follower");
  }
  const RunCheckResult r = CheckOnePrimary(Parse(h), 3);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
}

// A leader whose samples are more than a second apart (frozen, not answering) is not assumed to
// have led in between.
TEST(OnePrimary, ALongSilenceBreaksAStretch) {
  std::string h = Sample(0, 1, "leader") + Sample(0, 2, "follower") + Sample(0, 3, "follower");
  h += Sample(1500, 2, "leader");
  h += Sample(3000, 1, "leader");  // 3 s after its last answer: no stretch covers 1.5 s
  h += Sample(3000, 2, "follower") + Sample(3000, 3, "follower");
  EXPECT_EQ(CheckOnePrimary(Parse(h), 3).verdict, Verdict::kValid);
}

TEST(OnePrimary, ANodeThatNeverAnsweredIsUnknown) {
  std::string h = Sample(0, 1, "leader") + Sample(100, 1, "leader") + Sample(0, 2, "follower");
  const RunCheckResult r = CheckOnePrimary(Parse(h), 3);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("node 3 never answered"));
}

std::string Op(int64_t ms, int process, const std::string& type, const std::string& f,
               const std::string& value) {
  return R"({"time_ns":)" + std::to_string(ms * 1'000'000) + R"(,"process":)" +
         std::to_string(process) + R"(,"type":")" + type + R"(","f":")" + f +
         R"(","key":"k","value":)" + value + "}\n";
}

TEST(ReadsSawWrites, ReadsOfWrittenValuesAndOfTheInitialValueAreValid) {
  const std::string h = Op(0, 1, "invoke", "read", "null") + Op(1, 1, "ok", "read", "null") +
                        Op(2, 2, "invoke", "write", "\"1\"") + Op(3, 1, "invoke", "read", "null") +
                        Op(4, 1, "ok", "read", "\"1\"") + Op(5, 2, "info", "write", "\"1\"") +
                        Op(6, 2, "invoke", "cas", R"(["1","2"])") +
                        Op(7, 2, "ok", "cas", R"(["1","2"])") + Op(8, 1, "invoke", "read", "null") +
                        Op(9, 1, "ok", "read", "\"2\"");
  const RunCheckResult r = CheckReadsSawWrites(Parse(h).operations);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["reads"], 3);
}

TEST(ReadsSawWrites, AValueNobodyWroteIsInvalid) {
  const std::string h = Op(0, 1, "invoke", "read", "null") + Op(1, 1, "ok", "read", "\"7\"");
  const RunCheckResult r = CheckReadsSawWrites(Parse(h).operations);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("which nobody wrote"));
}

TEST(ReadsSawWrites, AValueWrittenOnlyAfterTheReadReturnedIsInvalid) {
  const std::string h = Op(0, 1, "invoke", "read", "null") + Op(1, 1, "ok", "read", "\"1\"") +
                        Op(2, 2, "invoke", "write", "\"1\"") + Op(3, 2, "ok", "write", "\"1\"");
  const RunCheckResult r = CheckReadsSawWrites(Parse(h).operations);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("was written only later"));
}

TEST(ReadsSawWrites, WithoutReadsKeepsWritesAndRenumbers) {
  const std::string h = Op(0, 1, "invoke", "read", "null") + Op(1, 1, "ok", "read", "null") +
                        Op(2, 2, "invoke", "write", "\"1\"") + Op(3, 2, "ok", "write", "\"1\"");
  const std::vector<Operation> ops = WithoutReads(Parse(h).operations);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].f, "write");
  EXPECT_EQ(ops[0].id, 0);
}

}  // namespace
}  // namespace checker

#include "checker/fencing_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

RunCheckResult Check(const std::string& name) {
  return CheckFencing(ReadRunHistory(LoadRunHistory(name)));
}

// An old leader's cas from the value it last wrote fails once the new leader moved the key on.
TEST(FencingCheck, RefusedStaleWriteIsValid) {
  RunCheckResult r = Check("fencing.refused.good.jsonl");
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["accepted_writes"], 3);
  EXPECT_EQ(r.details["stale_accepted"], 0);
}

// The same frozen leader with a plain write: accepted with token 1 after token 2 took over.
TEST(FencingCheck, AcceptedStaleWriteIsInvalidNamingBoth) {
  RunCheckResult r = Check("fencing.stale-write.bad.jsonl");
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "candidate 1's write \"1:1:2\" (token 1, process 0, invoked at 3.000 s) was accepted "
            "after candidate 2's tenure with token 2 began at 1.960 s");
  EXPECT_EQ(r.details["stale_accepted"], 1);
}

History Small(const std::vector<std::string>& lines) {
  History h;
  h.source = "small";
  int64_t index = 0;
  for (const std::string& line : lines) {
    auto event = EventFromJson(Json::parse(line));
    EXPECT_TRUE(event.ok()) << line;
    event->index = index++;
    h.events.push_back(*event);
  }
  return h;
}

// Invoked before the newer tenure began: not stale, whatever it overwrote.
TEST(FencingCheck, OldTokenBeforeTheNewTenureIsValid) {
  History h = Small({
      R"({"time_ns":0,"process":"election","type":"info","f":"lease-config","value":{"lease_ms":1000,"renew_deadline_ms":600}})",
      R"({"time_ns":10,"process":0,"type":"invoke","f":"write","key":"fenced","value":"1:1:1"})",
      R"({"time_ns":20,"process":0,"type":"ok","f":"write","key":"fenced","value":"1:1:1"})",
      R"({"time_ns":30,"process":"election","type":"info","f":"tenure","value":{"candidate":2,"start_ns":25,"end_ns":30,"token":2}})",
  });
  EXPECT_EQ(CheckFencing(ReadRunHistory(std::move(h))).verdict, Verdict::kValid);
}

// A write whose outcome is unknown is counted, never called accepted.
TEST(FencingCheck, UnknownOutcomeIsNotAccepted) {
  History h = Small({
      R"({"time_ns":0,"process":"election","type":"info","f":"lease-config","value":{"lease_ms":1000,"renew_deadline_ms":600}})",
      R"({"time_ns":5,"process":"election","type":"info","f":"tenure","value":{"candidate":2,"start_ns":1,"end_ns":5,"token":2}})",
      R"({"time_ns":10,"process":0,"type":"invoke","f":"write","key":"fenced","value":"1:1:1"})",
      R"({"time_ns":20,"process":0,"type":"info","f":"write","key":"fenced","value":"1:1:1"})",
  });
  RunCheckResult r = CheckFencing(ReadRunHistory(std::move(h)));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["unknown_writes"], 1);
}

TEST(FencingCheck, TenureWithoutTokenIsUnknown) {
  RunCheckResult r = Check("lease.good.jsonl");
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("token"));
}

TEST(FencingCheck, NoLeaseConfigIsUnknown) {
  History h = Small({R"({"time_ns":10,"process":0,"type":"invoke","f":"read","key":"x"})"});
  RunCheckResult r = CheckFencing(ReadRunHistory(std::move(h)));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("not an election history"));
}

}  // namespace
}  // namespace checker

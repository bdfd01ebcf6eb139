// LeaseCandidate against an in-memory database and hand-driven clocks: taking the lease, the
// fencing token, and the split brain of a frozen leader with and without fencing.
#include "workloads/lease_candidate.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace workloads {
namespace {

using checker::Event;
using checker::EventType;

// One register per key, every call ok; each call checks that its invoke was emitted first.
class MemoryDb final : public DbClient {
 public:
  explicit MemoryDb(const std::vector<Event>& emitted) : emitted_(emitted) {}

  Answer<std::optional<std::string>> Read(const std::string& key) override {
    ExpectInvoked(key);
    return {.outcome = Outcome::kOk, .value = Get(key)};
  }
  Answer<bool> Write(const std::string& key, const std::string& value) override {
    ExpectInvoked(key);
    values[key] = value;
    return {.outcome = Outcome::kOk, .value = true};
  }
  Answer<CasResult> Cas(const std::string& key, const std::optional<std::string>& expected,
                        const std::string& new_value) override {
    ExpectInvoked(key);
    if (Get(key) != expected) return {.outcome = Outcome::kOk, .value = {.succeeded = false}};
    values[key] = new_value;
    return {.outcome = Outcome::kOk, .value = {.succeeded = true}};
  }
  Answer<std::optional<std::string>> ReadLocal(const std::string&,
                                               const std::string& key) override {
    return Read(key);
  }

  std::map<std::string, std::string> values;

 private:
  std::optional<std::string> Get(const std::string& key) const {
    auto found = values.find(key);
    return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
  }
  void ExpectInvoked(const std::string& key) const {
    ASSERT_FALSE(emitted_.empty());
    EXPECT_EQ(emitted_.back().type, EventType::kInvoke);
    EXPECT_EQ(emitted_.back().key, key);
  }
  const std::vector<Event>& emitted_;
};

class ManualClocks final : public CandidateClocks {
 public:
  int64_t WallNs() override { return now_ns + skew_ns; }
  int64_t MonoNs() override { return now_ns; }
  int64_t now_ns = 1'000'000'000;
  int64_t skew_ns = 0;
};

class Collect final : public CandidateSink {
 public:
  common::Status Emit(const Event& event) override {
    events.push_back(event);
    return common::Status::Ok();
  }
  std::vector<Event> events;
};

constexpr int64_t kMs = 1'000'000;

class LeaseCandidateTest : public ::testing::Test {
 protected:
  LeaseCandidate& Add(int id, bool fencing) {
    candidates_.push_back(std::make_unique<LeaseCandidate>(
        LeaseCandidateOptions{.candidate = id, .candidates = 2, .fencing = fencing}, db_, sink_,
        clocks_));
    return *candidates_.back();
  }
  void Step(LeaseCandidate& c) { ASSERT_TRUE(c.Step().ok()); }
  void Advance(int64_t ms) { clocks_.now_ns += ms * kMs; }
  // Rounds of `c` every 100 ms for `ms`.
  void Run(LeaseCandidate& c, int64_t ms) {
    for (int64_t t = 0; t < ms; t += 100) {
      Step(c);
      Advance(100);
    }
  }
  std::vector<Event> Tenures() const {
    std::vector<Event> out;
    for (const Event& e : sink_.events) {
      if (e.f == "tenure") out.push_back(e);
    }
    return out;
  }

  Collect sink_;
  MemoryDb db_{sink_.events};
  ManualClocks clocks_;
  std::vector<std::unique_ptr<LeaseCandidate>> candidates_;
};

TEST_F(LeaseCandidateTest, TakesAnAbsentLeaseWithTokenOneAndWritesWithIt) {
  LeaseCandidate& a = Add(1, false);
  Step(a);
  EXPECT_TRUE(a.holding());
  EXPECT_EQ(TokenOf(db_.values[kLeaseKey]), 1);
  Advance(100);
  Step(a);
  EXPECT_EQ(db_.values[kFencedKey], "1:1:1");
  EXPECT_TRUE(sink_.events.front().extra.contains("wall_ns"));
}

TEST_F(LeaseCandidateTest, TakingOverIncrementsTheToken) {
  LeaseCandidate& a = Add(1, false);
  LeaseCandidate& b = Add(2, false);
  Step(a);
  Step(b);        // observes a's lease
  Advance(1500);  // a frozen: no renew for longer than the lease
  Run(b, 200);
  EXPECT_TRUE(b.holding());
  EXPECT_EQ(TokenOf(db_.values[kLeaseKey]), 2);
}

TEST_F(LeaseCandidateTest, FrozenLeaderWritesOnceMoreWithoutFencing) {
  LeaseCandidate& a = Add(1, false);
  LeaseCandidate& b = Add(2, false);
  Run(a, 300);
  Step(b);
  Advance(1500);
  Run(b, 300);  // b leads with token 2 and has written
  ASSERT_EQ(TokenOf(db_.values[kFencedKey]), 2);
  Step(a);  // a wakes: its write lands over b's, then it notices and steps down
  EXPECT_EQ(TokenOf(db_.values[kFencedKey]), 1);
  EXPECT_FALSE(a.holding());
  const std::vector<Event> tenures = Tenures();
  ASSERT_EQ(tenures.size(), 1u);  // a's, which ends after b's began
  EXPECT_EQ(tenures[0].value["candidate"], 1);
  EXPECT_EQ(tenures[0].value["token"], 1);
}

TEST_F(LeaseCandidateTest, FrozenLeaderIsRefusedWithFencing) {
  LeaseCandidate& a = Add(1, true);
  LeaseCandidate& b = Add(2, true);
  Run(a, 300);
  Step(b);
  Advance(1500);
  Run(b, 300);
  ASSERT_EQ(TokenOf(db_.values[kFencedKey]), 2);
  Step(a);  // its CAS from the value it last wrote fails; it reads token 2 and steps down
  EXPECT_EQ(TokenOf(db_.values[kFencedKey]), 2);
  EXPECT_FALSE(a.holding());
}

TEST_F(LeaseCandidateTest, ForwardWallClockMakesAFollowerTakeAHeldLease) {
  LeaseCandidate& a = Add(1, false);
  LeaseCandidate& b = Add(2, false);
  Step(a);
  Step(b);
  clocks_.skew_ns = 5'000 * kMs;  // b's wall clock jumps 5 s (the clocks are shared here)
  Step(b);
  EXPECT_TRUE(b.holding());
}

TEST(HolderOf, ParsesTheCandidate) {
  EXPECT_EQ(HolderOf("12:3:4"), 3);
  EXPECT_EQ(HolderOf("12:x:4"), std::nullopt);
  EXPECT_EQ(HolderOf("12:3"), std::nullopt);
}

TEST(TokenOf, ParsesTheLeadingNumber) {
  EXPECT_EQ(TokenOf("12:3:4"), 12);
  EXPECT_EQ(TokenOf("x:3:4"), std::nullopt);
  EXPECT_EQ(TokenOf("12"), std::nullopt);
  EXPECT_EQ(TokenOf(":1"), std::nullopt);
}

}  // namespace
}  // namespace workloads

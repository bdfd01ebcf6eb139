#include "checker/impossible_reads.h"

#include <gtest/gtest.h>

#include <deque>

#include "checker/model_util.h"

namespace checker {
namespace {

using model_util::kCas;
using model_util::kCasFailed;
using model_util::kRead;
using model_util::kWrite;
constexpr int64_t kNever = Operation::kNever;

// Single-key register operations on value ids 1, 2, ...; kNil is the initial value.
class Ops {
 public:
  Ops& Write(int64_t v, int64_t call, int64_t ret) { return Add(kWrite, v, 0, call, ret); }
  Ops& Read(int64_t v, int64_t call, int64_t ret) { return Add(kRead, 0, v, call, ret); }
  Ops& Cas(int64_t from, int64_t to, int64_t call, int64_t ret, bool ok = true) {
    return Add(ok ? kCas : kCasFailed, from, to, call, ret);
  }
  std::optional<ImpossibleRead> Find() const {
    return FindImpossibleRead(ops_, keyed_state::Make(ValueTable::kNil));
  }

 private:
  Ops& Add(int32_t f, int64_t a, int64_t b, int64_t call, int64_t ret) {
    compiled_.push_back(CompiledOp{.f = f, .a = a, .b = b});
    ops_.push_back({&compiled_.back(), call, ret});
    return *this;
  }
  std::deque<CompiledOp> compiled_;  // stable addresses
  std::vector<SearchOp> ops_;
};

TEST(ImpossibleReads, AReadOfAValueOverwrittenBeforeItWasCalledIsImpossible) {
  Ops ops;
  ops.Write(1, 0, 1).Write(2, 2, 3).Read(1, 4, 5);
  auto found = ops.Find();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->observation, 2U);
  EXPECT_EQ(found->writers, std::vector<size_t>{0});
  EXPECT_EQ(found->overwriters, std::vector<size_t>{1});
}

TEST(ImpossibleReads, AnOverwriterThatOverlapsTheReadOrTheWriterProvesNothing) {
  EXPECT_FALSE(Ops().Write(1, 0, 1).Write(2, 2, 5).Read(1, 4, 6).Find());
  EXPECT_FALSE(Ops().Write(1, 0, 3).Write(2, 2, 4).Read(1, 5, 6).Find());
  // Touching ends count as concurrent.
  EXPECT_FALSE(Ops().Write(1, 0, 2).Write(2, 2, 3).Read(1, 4, 5).Find());
}

TEST(ImpossibleReads, ACrashedWriterOrACrashedOverwriterProvesNothing) {
  EXPECT_FALSE(Ops().Write(1, 0, kNever).Write(2, 2, 3).Read(1, 4, 5).Find());
  EXPECT_FALSE(Ops().Write(1, 0, 1).Write(2, 2, kNever).Read(1, 4, 5).Find());
}

TEST(ImpossibleReads, EveryWriterOfTheValueMustBeOverwritten) {
  // A second write of 1 after the overwrite makes the read possible.
  EXPECT_FALSE(Ops().Write(1, 0, 1).Write(2, 2, 3).Write(1, 3, 4).Read(1, 5, 6).Find());
  auto found =
      Ops().Write(1, 0, 1).Write(2, 2, 3).Write(1, 3, 4).Write(3, 5, 6).Read(1, 7, 8).Find();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->writers, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(found->overwriters.size(), 2U);
}

TEST(ImpossibleReads, AnOverwriterOfTheSameValueIsNone) {
  EXPECT_FALSE(Ops().Write(1, 0, 1).Write(1, 2, 3).Read(1, 4, 5).Find());
}

TEST(ImpossibleReads, TheInitialValueIsOverwrittenByACompletedWrite) {
  auto found = Ops().Write(1, 0, 1).Read(ValueTable::kNil, 2, 3).Find();
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->writers.empty());
  EXPECT_EQ(found->overwriters, std::vector<size_t>{0});
  EXPECT_FALSE(Ops().Write(1, 0, 2).Read(ValueTable::kNil, 1, 3).Find());
}

TEST(ImpossibleReads, ASuccessfulCasOverwritesAndObservesAFailedOneDoesNeither) {
  // cas(1 -> 2) overwrites 1.
  EXPECT_TRUE(Ops().Write(1, 0, 1).Cas(1, 2, 2, 3).Read(1, 4, 5).Find());
  // A failed cas wrote nothing.
  EXPECT_FALSE(Ops().Write(1, 0, 1).Cas(7, 2, 2, 3, false).Read(1, 4, 5).Find());
  // A successful cas expecting an overwritten value is as impossible as a read of it.
  auto found = Ops().Write(1, 0, 1).Write(2, 2, 3).Cas(1, 3, 4, 5).Find();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->observation, 2U);
  // A failed cas observes nothing.
  EXPECT_FALSE(Ops().Write(1, 0, 1).Write(2, 2, 3).Cas(1, 3, 4, 5, false).Find());
}

TEST(ImpossibleReads, AReadOfAValueNobodyWroteIsImpossible) {
  auto found = Ops().Write(1, 0, 1).Read(9, 2, 3).Find();
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->writers.empty());
  EXPECT_TRUE(found->overwriters.empty());
}

}  // namespace
}  // namespace checker

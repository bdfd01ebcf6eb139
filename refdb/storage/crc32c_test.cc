#include "refdb/storage/crc32c.h"

#include <gtest/gtest.h>

#include <string>

#include "refdb/storage/test_util.h"

namespace refdb::storage::crc32c {
namespace {

// Bit at a time, straight from the definition: the reference the fast version must match.
uint32_t SlowCrc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFF;
  for (const char c : data) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78 : 0);
  }
  return ~crc;
}

TEST(Crc32c, MatchesTheCheckValue) { EXPECT_EQ(Value("123456789"), 0xE3069283u); }

// Test vectors of RFC 3720 (iSCSI), appendix B.4, as LevelDB's crc32c_test uses them.
TEST(Crc32c, MatchesRfc3720Vectors) {
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[static_cast<size_t>(i)] = static_cast<char>(i);
    descending[static_cast<size_t>(i)] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
  EXPECT_EQ(Value(descending), 0x113FDB5Cu);
}

TEST(Crc32c, EmptyInputIsZero) { EXPECT_EQ(Value(""), 0u); }

TEST(Crc32c, ExtendEqualsValueOfTheConcatenation) {
  EXPECT_EQ(Extend(Value("hello "), "world"), Value("hello world"));
}

TEST(Crc32c, SlicingByEightMatchesBitAtATimeAtEveryLengthAndAlignment) {
  common::Rng rng(7);
  std::string buffer(300, '\0');
  for (char& c : buffer) c = static_cast<char>(rng.Next());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t size = 0; start + size <= buffer.size(); size += 7) {
      const std::string_view piece = std::string_view(buffer).substr(start, size);
      ASSERT_EQ(Value(piece), SlowCrc32c(piece)) << "start " << start << " size " << size;
    }
  }
}

}  // namespace
}  // namespace refdb::storage::crc32c

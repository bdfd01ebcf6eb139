#include "orchestrator/run/backend/docker/tar_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestrator::docker {
namespace {

// Readers of one header in an archive, as a tar reader would see it.
struct HeaderView {
  std::string_view block;

  std::string Field(size_t offset, size_t length) const {
    std::string text(block.substr(offset, length));
    return text.substr(0, text.find('\0'));
  }
  uint64_t Octal(size_t offset, size_t length) const {
    return std::stoull(Field(offset, length), nullptr, 8);
  }
  std::string name() const { return Field(0, 100); }
  std::string prefix() const { return Field(345, 155); }
  uint64_t mode() const { return Octal(100, 8); }
  uint64_t size() const { return Octal(124, 12); }
  char type() const { return block[156]; }
  uint64_t stored_checksum() const { return Octal(148, 8); }
  uint64_t computed_checksum() const {
    uint64_t sum = 0;
    for (size_t i = 0; i < kTarBlockSize; ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
    }
    return sum;
  }
};

HeaderView HeaderAt(const std::string& archive, size_t block_index) {
  return {std::string_view(archive).substr(block_index * kTarBlockSize, kTarBlockSize)};
}

TEST(TarWriter, EmptyArchiveIsTwoZeroBlocks) {
  TarWriter tar;
  EXPECT_EQ(tar.Finish(), std::string(2 * kTarBlockSize, '\0'));
}

TEST(TarWriter, FileHeaderHasUstarFieldsAndValidChecksum) {
  TarWriter tar;
  ASSERT_TRUE(tar.AddFile("bin/refdb", 0755, "hello").ok());
  const std::string archive = tar.Finish();
  const HeaderView header = HeaderAt(archive, 0);
  EXPECT_EQ(header.name(), "bin/refdb");
  EXPECT_EQ(header.mode(), 0755u);
  EXPECT_EQ(header.size(), 5u);
  EXPECT_EQ(header.type(), '0');
  EXPECT_EQ(header.Field(257, 6), "ustar");
  EXPECT_EQ(header.Field(263, 2), "00");
  EXPECT_EQ(header.stored_checksum(), header.computed_checksum());
}

TEST(TarWriter, ContentsArePaddedToWholeBlocks) {
  TarWriter tar;
  ASSERT_TRUE(tar.AddFile("a", 0644, std::string(513, 'x')).ok());
  const std::string archive = tar.Finish();
  // header + two content blocks + two end blocks
  ASSERT_EQ(archive.size(), 5 * kTarBlockSize);
  EXPECT_EQ(archive.substr(kTarBlockSize, 513), std::string(513, 'x'));
  EXPECT_EQ(archive.substr(kTarBlockSize + 513, 511), std::string(511, '\0'));
}

TEST(TarWriter, DirectoryHasTypeFiveAndNoContents) {
  TarWriter tar;
  ASSERT_TRUE(tar.AddDirectory("tmp", 01777).ok());
  ASSERT_TRUE(tar.AddFile("tmp/x", 0644, "").ok());
  const std::string archive = tar.Finish();
  ASSERT_EQ(archive.size(), 4 * kTarBlockSize);
  EXPECT_EQ(HeaderAt(archive, 0).type(), '5');
  EXPECT_EQ(HeaderAt(archive, 0).mode(), 01777u);
  EXPECT_EQ(HeaderAt(archive, 1).name(), "tmp/x");
}

TEST(TarWriter, SymlinkHasTypeTwoAndItsTargetInLinkname) {
  TarWriter tar;
  ASSERT_TRUE(tar.AddSymlink("usr/bin/java", "/usr/lib/jvm/jdk/bin/java").ok());
  const std::string archive = tar.Finish();
  ASSERT_EQ(archive.size(), 3 * kTarBlockSize);  // header, no contents, two end blocks
  const HeaderView header = HeaderAt(archive, 0);
  EXPECT_EQ(header.type(), '2');
  EXPECT_EQ(header.size(), 0u);
  EXPECT_EQ(header.mode(), 0777u);
  EXPECT_EQ(header.Field(157, 100), "/usr/lib/jvm/jdk/bin/java");
  EXPECT_EQ(header.stored_checksum(), header.computed_checksum());
}

TEST(TarWriter, SymlinkTargetMustFitLinkname) {
  TarWriter tar;
  EXPECT_TRUE(tar.AddSymlink("a", std::string(100, 't')).ok());
  EXPECT_EQ(tar.AddSymlink("b", std::string(101, 't')).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(tar.AddSymlink("c", "").code(), common::StatusCode::kInvalidArgument);
}

TEST(TarWriter, LongPathIsSplitIntoPrefixAndName) {
  const std::string dir(120, 'd');
  const std::string file(90, 'f');
  TarWriter tar;
  ASSERT_TRUE(tar.AddFile(dir + "/" + file, 0644, "").ok());
  const std::string archive = tar.Finish();
  EXPECT_EQ(HeaderAt(archive, 0).prefix(), dir);
  EXPECT_EQ(HeaderAt(archive, 0).name(), file);
}

TEST(TarWriter, UnsplittablePathIsRejected) {
  TarWriter tar;
  EXPECT_EQ(tar.AddFile(std::string(101, 'f'), 0644, "").code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(tar.AddFile(std::string(160, 'd') + "/f", 0644, "").code(),
            common::StatusCode::kInvalidArgument);
}

TEST(TarWriter, AbsoluteAndDotPathsAreRejected) {
  TarWriter tar;
  for (const char* path : {"/bin/x", "", "a/../b", "./a", "a//b", "a/"}) {
    EXPECT_EQ(tar.AddFile(path, 0644, "").code(), common::StatusCode::kInvalidArgument) << path;
  }
  EXPECT_EQ(tar.Finish().size(), 2 * kTarBlockSize);  // nothing was written
}

TEST(TarWriter, SameInputsGiveIdenticalArchives) {
  auto build = [] {
    TarWriter tar;
    EXPECT_TRUE(tar.AddDirectory("bin", 0755).ok());
    EXPECT_TRUE(tar.AddFile("bin/x", 0755, "payload").ok());
    return tar.Finish();
  };
  EXPECT_EQ(build(), build());
}

}  // namespace
}  // namespace orchestrator::docker

#include "orchestrator/run/backend/docker/node_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/backend/docker/tar_writer.h"

namespace orchestrator::docker {
namespace {

namespace fs = std::filesystem;

// One entry of an archive, as `docker import` would read it.
struct TarEntry {
  char type = '0';  // '0' file, '2' symlink, '5' directory
  uint32_t mode = 0;
  std::string link_target;
  std::string contents;
};

std::string Field(std::string_view block, size_t offset, size_t length) {
  std::string text(block.substr(offset, length));
  return text.substr(0, text.find('\0'));
}

// Path -> entry of every header in a ustar archive written by TarWriter.
std::map<std::string, TarEntry> ReadTar(std::string_view archive) {
  std::map<std::string, TarEntry> entries;
  size_t offset = 0;
  while (offset + kTarBlockSize <= archive.size() && archive[offset] != '\0') {
    const std::string_view block = archive.substr(offset, kTarBlockSize);
    std::string path = Field(block, 345, 155);  // the prefix
    if (!path.empty()) path += '/';
    path += Field(block, 0, 100);
    const size_t size_bytes = std::stoull(Field(block, 124, 12), nullptr, 8);
    entries[path] =
        TarEntry{.type = block[156],
                 .mode = static_cast<uint32_t>(std::stoul(Field(block, 100, 8), nullptr, 8)),
                 .link_target = Field(block, 157, 100),
                 .contents = std::string(archive.substr(offset + kTarBlockSize, size_bytes))};
    offset += kTarBlockSize * (1 + (size_bytes + kTarBlockSize - 1) / kTarBlockSize);
  }
  return entries;
}

// A scratch tree of host files, and the image built from a script binary plus some of them.
class NodeImageFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("node_image_test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    // A script is not a dynamic executable: the image holds no libraries unless a file needs them.
    Write("bin/node", "#!/bin/sh\n", fs::perms::owner_all);
  }

  fs::path Path(const std::string& relative) const { return fs::path(dir_->path()) / relative; }
  std::string ImagePathOf(const std::string& relative) const {
    return Path(relative).relative_path().string();
  }

  void Write(const std::string& relative, const std::string& contents, fs::perms perms) {
    fs::create_directories(Path(relative).parent_path());
    std::ofstream(Path(relative), std::ios::binary) << contents;
    fs::permissions(Path(relative), perms);
  }

  common::Result<std::string> Build(const std::vector<fs::path>& files) const {
    const std::vector<fs::path> binaries = {Path("bin/node")};
    return NodeImageTar({.binaries = binaries, .files = files});
  }

  std::optional<common::testing::TempDir> dir_;
};

TEST(ParseLddOutput, TakesResolvedLibrariesAndTheLoader) {
  const auto libraries = ParseLddOutput(
      "\tlinux-vdso.so.1 (0x00007ffd)\n"
      "\tlibgrpc++.so.1.51 => /lib/x86_64-linux-gnu/libgrpc++.so.1.51 (0x00007f65)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f64)\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f66)\n");
  ASSERT_TRUE(libraries.ok());
  EXPECT_EQ(*libraries, (std::vector<std::string>{"/lib/x86_64-linux-gnu/libgrpc++.so.1.51",
                                                  "/lib/x86_64-linux-gnu/libc.so.6",
                                                  "/lib64/ld-linux-x86-64.so.2"}));
}

TEST(ParseLddOutput, StaticBinaryHasNoLibraries) {
  const auto libraries = ParseLddOutput("\tnot a dynamic executable\n");
  ASSERT_TRUE(libraries.ok());
  EXPECT_TRUE(libraries->empty());
}

TEST(ParseLddOutput, MissingLibraryIsNamed) {
  const auto libraries = ParseLddOutput("\tlibgone.so.3 => not found\n");
  ASSERT_FALSE(libraries.ok());
  EXPECT_EQ(libraries.status().code(), common::StatusCode::kNotFound);
  EXPECT_NE(libraries.status().message().find("libgone.so.3"), std::string::npos);
}

TEST(ParseLddOutput, PathsAreLexicallyNormal) {
  const auto libraries =
      ParseLddOutput("\tlibjli.so => /usr/lib/jvm/jdk/bin/../lib/libjli.so (0x00007fd9)\n");
  ASSERT_TRUE(libraries.ok());
  EXPECT_EQ(*libraries, (std::vector<std::string>{"/usr/lib/jvm/jdk/lib/libjli.so"}));
}

TEST(NodeImageTar, MissingBinaryIsNotFound) {
  const std::vector<std::filesystem::path> binaries = {"/nonexistent/refdb"};
  EXPECT_EQ(NodeImageTar({.binaries = binaries}).status().code(), common::StatusCode::kNotFound);
}

TEST(NodeImageTar, TwoBinariesWithOneBasenameAreRejected) {
  const std::vector<std::filesystem::path> binaries = {"/bin/true", "/usr/bin/true"};
  EXPECT_EQ(NodeImageTar({.binaries = binaries}).status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST(NodeImageTar, BinaryIsAtItsHostPathAndUnderBin) {
  const std::vector<std::filesystem::path> binaries = {"/usr/bin/true"};
  const auto tar = NodeImageTar({.binaries = binaries});
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  ASSERT_TRUE(entries.contains("usr/bin/true"));
  EXPECT_EQ(entries.at("usr/bin/true").type, '0');
  EXPECT_EQ(entries.at("usr/bin/true").mode, 0755u);
  ASSERT_TRUE(entries.contains("bin/true"));
  EXPECT_EQ(entries.at("bin/true").type, '2');
  EXPECT_EQ(entries.at("bin/true").link_target, "/usr/bin/true");
  EXPECT_EQ(entries.at("tmp").mode, 01777u);
}

TEST(NodeImageTar, SameBinariesGiveTheSameTag) {
  const std::vector<std::filesystem::path> binaries = {"/bin/true"};
  const auto first = NodeImageTar({.binaries = binaries});
  const auto second = NodeImageTar({.binaries = binaries});
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(NodeImageTag(*first), NodeImageTag(*second));
  EXPECT_TRUE(NodeImageTag(*first).starts_with("splitbrain-node:"));
}

TEST(NodeImageTar, ExtraLibrariesGoInAtTheirHostPath) {
  const std::filesystem::path library = "/lib/x86_64-linux-gnu/libm.so.6";
  SPLITBRAIN_REQUIRE(std::filesystem::exists(library), library << " is not on this machine");
  const std::vector<std::filesystem::path> binaries = {"/bin/true"};  // links libc only
  const std::vector<std::filesystem::path> libraries = {library};
  const auto without = NodeImageTar({.binaries = binaries});
  const auto with = NodeImageTar({.binaries = binaries, .libraries = libraries});
  ASSERT_TRUE(without.ok() && with.ok()) << with.status().message();
  EXPECT_EQ(without->find("lib/x86_64-linux-gnu/libm.so.6"), std::string::npos);
  EXPECT_NE(with->find("lib/x86_64-linux-gnu/libm.so.6"), std::string::npos);
  EXPECT_NE(NodeImageTag(*with), NodeImageTag(*without));
  const std::vector<std::filesystem::path> relative = {"libm.so.6"};
  EXPECT_EQ(NodeImageTar({.binaries = binaries, .libraries = relative}).status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST_F(NodeImageFiles, DirectoryGoesInRecursivelyWithItsModes) {
  Write("jdk/lib/modules", "classes", fs::perms::owner_read | fs::perms::owner_write);
  Write("jdk/bin/tool", "#!/bin/sh\n", fs::perms::owner_all | fs::perms::group_exec);
  const auto tar = Build({Path("jdk")});
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  ASSERT_TRUE(entries.contains(ImagePathOf("jdk/lib/modules")));
  EXPECT_EQ(entries.at(ImagePathOf("jdk/lib/modules")).contents, "classes");
  EXPECT_EQ(entries.at(ImagePathOf("jdk/lib/modules")).mode, 0600u);
  EXPECT_EQ(entries.at(ImagePathOf("jdk/bin/tool")).mode, 0710u);
  EXPECT_EQ(entries.at(ImagePathOf("jdk/lib")).type, '5');
}

TEST_F(NodeImageFiles, SingleFileGoesInAtItsPath) {
  Write("etc/conf.properties", "a=1", fs::perms::owner_read);
  const auto tar = Build({Path("etc/conf.properties")});
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  ASSERT_TRUE(entries.contains(ImagePathOf("etc/conf.properties")));
  EXPECT_FALSE(entries.contains(ImagePathOf("etc/other")));
}

TEST_F(NodeImageFiles, SymlinkToAFileStaysASymlinkToTheResolvedFile) {
  Write("etc/jdk/net.properties", "x", fs::perms::owner_read);
  fs::create_directories(Path("jdk/conf"));
  fs::create_symlink(Path("etc/jdk/net.properties"), Path("jdk/conf/net.properties"));
  fs::create_symlink("../conf/net.properties", Path("jdk/conf/relative"));
  const auto tar = Build({Path("jdk")});  // etc/jdk is not listed: the target comes along
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  const std::string target = fs::canonical(Path("etc/jdk/net.properties")).string();
  for (const char* link : {"jdk/conf/net.properties", "jdk/conf/relative"}) {
    ASSERT_TRUE(entries.contains(ImagePathOf(link))) << link;
    EXPECT_EQ(entries.at(ImagePathOf(link)).type, '2') << link;
    EXPECT_EQ(entries.at(ImagePathOf(link)).link_target, target) << link;
  }
  ASSERT_TRUE(entries.contains(target.substr(1)));
  EXPECT_EQ(entries.at(target.substr(1)).contents, "x");
}

TEST_F(NodeImageFiles, ListedSymlinkToADirectoryBringsTheDirectory) {
  Write("jvm/jdk-17/release", "17", fs::perms::owner_read);
  fs::create_directory_symlink(Path("jvm/jdk-17"), Path("jvm/default"));
  const auto tar = Build({Path("jvm/default")});
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  EXPECT_EQ(entries.at(ImagePathOf("jvm/default")).type, '2');
  const std::string release = (fs::canonical(Path("jvm/jdk-17")) / "release").string();
  ASSERT_TRUE(entries.contains(release.substr(1)));
}

TEST_F(NodeImageFiles, ElfFileBringsTheLibrariesItLinks) {
  const fs::path true_binary = "/usr/bin/true";
  SPLITBRAIN_REQUIRE(fs::exists(true_binary), true_binary << " is not on this machine");
  fs::create_directories(Path("jdk/bin"));
  fs::copy_file(true_binary, Path("jdk/bin/java"));
  Write("jdk/README", "not an ELF file", fs::perms::owner_read);
  const auto text_only = Build({Path("jdk/README")});
  const auto with_elf = Build({Path("jdk")});
  ASSERT_TRUE(text_only.ok() && with_elf.ok()) << with_elf.status().message();
  auto libc_of = [](const std::map<std::string, TarEntry>& entries) {
    return std::count_if(entries.begin(), entries.end(),
                         [](const auto& entry) { return entry.first.ends_with("/libc.so.6"); });
  };
  EXPECT_EQ(libc_of(ReadTar(*text_only)), 0);
  EXPECT_GE(libc_of(ReadTar(*with_elf)), 1);
}

TEST_F(NodeImageFiles, SameFilesGiveTheSameArchive) {
  Write("jdk/lib/a", "a", fs::perms::owner_read);
  Write("jdk/lib/b", "b", fs::perms::owner_read);
  fs::create_symlink("a", Path("jdk/lib/c"));
  const auto first = Build({Path("jdk")});
  const auto second = Build({Path("jdk")});
  ASSERT_TRUE(first.ok() && second.ok()) << first.status().message();
  EXPECT_EQ(*first, *second);
  Write("jdk/lib/b", "changed", fs::perms::owner_read);
  const auto changed = Build({Path("jdk")});
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(NodeImageTag(*changed), NodeImageTag(*first));
}

TEST_F(NodeImageFiles, RelativeOrMissingFileIsRejected) {
  EXPECT_EQ(Build({"relative/path"}).status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(Build({Path("missing")}).status().code(), common::StatusCode::kNotFound);
}

TEST_F(NodeImageFiles, SymlinkedBinaryIsALinkToItsTargetWhichComesAlong) {
  fs::create_symlink(Path("bin/node"), Path("bin/node-alias"));
  const std::vector<fs::path> binaries = {Path("bin/node-alias")};
  const auto tar = NodeImageTar({.binaries = binaries});
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  const auto entries = ReadTar(*tar);
  const std::string target = fs::canonical(Path("bin/node")).string();
  EXPECT_EQ(entries.at(ImagePathOf("bin/node-alias")).link_target, target);
  EXPECT_EQ(entries.at("bin/node-alias").link_target, target);
  EXPECT_EQ(entries.at(target.substr(1)).contents, "#!/bin/sh\n");
}

}  // namespace
}  // namespace orchestrator::docker

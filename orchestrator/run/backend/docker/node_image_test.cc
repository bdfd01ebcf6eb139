#include "orchestrator/run/backend/docker/node_image.h"

#include <gtest/gtest.h>

#include "common/testing/prerequisite.h"

namespace orchestrator::docker {
namespace {

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

TEST(NodeImageTar, MissingBinaryIsNotFound) {
  const std::vector<std::filesystem::path> binaries = {"/nonexistent/refdb"};
  EXPECT_EQ(NodeImageTar(binaries).status().code(), common::StatusCode::kNotFound);
}

TEST(NodeImageTar, TwoBinariesWithOneBasenameAreRejected) {
  const std::vector<std::filesystem::path> binaries = {"/bin/true", "/usr/bin/true"};
  EXPECT_EQ(NodeImageTar(binaries).status().code(), common::StatusCode::kInvalidArgument);
}

TEST(NodeImageTar, SameBinariesGiveTheSameTag) {
  const std::vector<std::filesystem::path> binaries = {"/bin/true"};
  const auto first = NodeImageTar(binaries);
  const auto second = NodeImageTar(binaries);
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
  const auto without = NodeImageTar(binaries);
  const auto with = NodeImageTar(binaries, libraries);
  ASSERT_TRUE(without.ok() && with.ok()) << with.status().message();
  EXPECT_EQ(without->find("lib/x86_64-linux-gnu/libm.so.6"), std::string::npos);
  EXPECT_NE(with->find("lib/x86_64-linux-gnu/libm.so.6"), std::string::npos);
  EXPECT_NE(NodeImageTag(*with), NodeImageTag(*without));
  const std::vector<std::filesystem::path> relative = {"libm.so.6"};
  EXPECT_EQ(NodeImageTar(binaries, relative).status().code(), common::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace orchestrator::docker

// `splitbrain shrink`'s refusals: what it says, and that it exits 254 without running anything,
// for bad flags and for runs that cannot be shrunk. Shrinking itself, with real runs, is in
// orchestrator/shrink_integration_test.cc; the search in nemesis/shrink_test.cc.
#include "orchestrator/cli/shrink_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"
#include "orchestrator/store/exit_code.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;

const fs::path kSamples = REPORT_TESTDATA_DIR;

struct ShrinkOutput {
  int code;
  std::string out;
  std::string err;
};

ShrinkOutput Shrink(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunShrinkCommand(args, out, err);
  return {code, out.str(), err.str()};
}

class ShrinkCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("shrink-command-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    root_ = dir_->path();
    for (const char* sample : {"valid-run", "invalid-run"}) {
      fs::copy(kSamples / sample, root_ / sample, fs::copy_options::recursive);
    }
  }
  // The error for `args`, which must be refused as bad input without writing anything.
  std::string Refused(const std::vector<std::string>& args) {
    const ShrinkOutput run = Shrink(args);
    EXPECT_EQ(run.code, kExitBadInput) << run.out << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_FALSE(fs::exists(root_ / "invalid-run" / "shrink"));
    return run.err;
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path root_;
};

TEST_F(ShrinkCommandTest, BadFlagsAreRefusedByName) {
  const std::string run = (root_ / "invalid-run").string();
  EXPECT_NE(Refused({}).find("no RUN_DIR given"), std::string::npos);
  EXPECT_NE(Refused({run, "--tries", "0"}).find("--tries: \"0\" is not a number from 1 to 100"),
            std::string::npos);
  EXPECT_NE(Refused({run, "--budget", "soon"}).find("--budget: \"soon\""), std::string::npos);
  EXPECT_NE(Refused({run, "--budget", "0s"}).find("not a positive duration"), std::string::npos);
  EXPECT_NE(Refused({run, "--check"}).find("--check needs a value"), std::string::npos);
  EXPECT_NE(Refused({run, "--fast"}).find("unknown flag --fast"), std::string::npos);
  EXPECT_NE(Refused({run, run}).find("one run folder only"), std::string::npos);
  EXPECT_NE(Refused({run, "--fast"}).find("usage: splitbrain shrink RUN_DIR"), std::string::npos);
}

TEST_F(ShrinkCommandTest, AValidRunHasNothingToShrink) {
  const std::string err = Refused({(root_ / "valid-run").string()});
  EXPECT_NE(err.find("the run is valid, not invalid: nothing to shrink"), std::string::npos) << err;
}

TEST_F(ShrinkCommandTest, TheCheckToFailMustBeOneTheRunFoundInvalid) {
  const std::string err = Refused({(root_ / "invalid-run").string(), "--check", "election-safety"});
  EXPECT_NE(err.find("--check election-safety: not an invalid check of"), std::string::npos) << err;
  EXPECT_NE(err.find("(invalid: linearizable)"), std::string::npos) << err;
}

TEST_F(ShrinkCommandTest, AMissingFolderOrScheduleIsNamed) {
  EXPECT_NE(Refused({(root_ / "nowhere").string()}).find("nowhere"), std::string::npos);
  fs::remove(root_ / "invalid-run" / "schedule.json");
  const std::string err = Refused({(root_ / "invalid-run").string()});
  EXPECT_NE(err.find("schedule.json"), std::string::npos) << err;
}

TEST_F(ShrinkCommandTest, ACorruptScheduleIsRefusedWithItsError) {
  std::ofstream(root_ / "invalid-run" / "schedule.json") << R"([{"at": "1s", "fault": "melt"}])";
  const std::string err = Refused({(root_ / "invalid-run").string()});
  EXPECT_NE(err.find("schedule.json"), std::string::npos) << err;
  EXPECT_NE(err.find("melt"), std::string::npos) << err;
}

TEST_F(ShrinkCommandTest, AnEarlierShrinkIsNotOverwritten) {
  const fs::path out = root_ / "earlier";
  fs::create_directories(out / "candidates");
  const std::string err = Refused({(root_ / "invalid-run").string(), "--out", out.string()});
  EXPECT_NE(err.find("already exists: remove it or give another --out"), std::string::npos) << err;
  EXPECT_TRUE(fs::exists(out / "candidates"));
}

}  // namespace
}  // namespace orchestrator

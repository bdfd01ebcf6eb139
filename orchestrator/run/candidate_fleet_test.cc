// CandidateFleet over a fake backend: where each candidate runs (its environment, folder,
// namespace), its clock file, and freezing a real process group.
#include "orchestrator/run/candidate_fleet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/process/child.h"
#include "common/testing/temp_dir.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using nemesis::NodeRunState;

// A backend that is up with 3 nodes and, when `gives_boxes`, gives candidates namespaces.
class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(bool gives_boxes) : gives_boxes_(gives_boxes) {}
  std::string_view name() const override { return "fake"; }
  common::Status Up(const BackendOptions&) override { return common::Status::Ok(); }
  std::string NodeIp(int node) const override { return "10.0.0." + std::to_string(10 + node); }
  std::string NodeDataDir(int) const override { return ""; }
  std::string NodeCtlDir(int) const override { return ""; }
  using Backend::CreateNode;
  common::Status CreateNode(int, const std::vector<std::string>&,
                            const std::vector<std::string>&) override {
    return common::Status::Ok();
  }
  common::Status StartNode(int) override { return common::Status::Ok(); }
  common::Status KillNode(int) override { return common::Status::Ok(); }
  common::Status StopNode(int) override { return common::Status::Ok(); }
  common::Status PauseNode(int) override { return common::Status::Ok(); }
  common::Status ResumeNode(int) override { return common::Status::Ok(); }
  bool IsRunning(int) override { return true; }
  bool IsPaused(int) override { return false; }
  common::Result<std::string> NetnsPath(int) override { return std::string(); }
  common::Result<CandidateBox> AddCandidateBox(int candidate) override {
    if (!gives_boxes_) return Backend::AddCandidateBox(candidate);
    return CandidateBox{.netns_path = "/var/run/netns/fake-c" + std::to_string(candidate),
                        .ip = "10.0.0." + std::to_string(220 + candidate)};
  }
  common::Status CollectLogs() override { return common::Status::Ok(); }
  common::Status Down() override { return common::Status::Ok(); }

 private:
  bool gives_boxes_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

class CandidateFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("candidate-fleet-test");
    ASSERT_TRUE(dir.ok());
    dir_.emplace(std::move(*dir));
  }
  std::unique_ptr<CandidateFleet> Make(FakeBackend& backend, const std::string& libfaketime,
                                       const std::string& clock_shim = "") {
    auto fleet = CandidateFleet::Create({.backend = &backend,
                                         .backend_mutex = &mutex_,
                                         .candidates = 3,
                                         .nodes = 3,
                                         .run_id = "abcd1234",
                                         .run_dir = RunDir(dir_->path()),
                                         .libfaketime = libfaketime,
                                         .clock_shim = clock_shim,
                                         .probe_port = 7000,
                                         .lease_holder = [] { return 2; }});
    EXPECT_TRUE(fleet.ok()) << fleet.status().message();
    return fleet.ok() ? std::move(*fleet) : nullptr;
  }

  std::optional<common::testing::TempDir> dir_;
  common::Mutex mutex_;
};

TEST_F(CandidateFleetTest, EachCandidateCarriesTheRunIdAndLogsInItsOwnFolder) {
  FakeBackend backend(/*gives_boxes=*/false);
  auto fleet = Make(backend, "");
  auto place = fleet->Place(2);
  ASSERT_TRUE(place.ok());
  EXPECT_TRUE(Has(place->env, "SPLITBRAIN_RUN_ID=abcd1234"));
  EXPECT_EQ(place->env.size(), 1u);  // no libfaketime: the clocks stay real
  EXPECT_EQ(place->log_dir, RunDir(dir_->path()).candidate(2));
  EXPECT_TRUE(fs::is_directory(RunDir(dir_->path()).candidate_ctl(2)));
  EXPECT_FALSE(place->netns_path.has_value());  // this backend gives no namespace
  EXPECT_EQ(fleet->LeaseHolder(), 2);
  EXPECT_FALSE(fleet->Place(0).ok());
  EXPECT_FALSE(fleet->Place(4).ok());
}

TEST_F(CandidateFleetTest, NamespacesComeFromTheBackend) {
  FakeBackend backend(/*gives_boxes=*/true);
  auto fleet = Make(backend, "");
  auto place = fleet->Place(3);
  ASSERT_TRUE(place.ok());
  EXPECT_EQ(place->netns_path, fs::path("/var/run/netns/fake-c3"));
}

TEST_F(CandidateFleetTest, ClockFilesStartAtZeroAndMoveWithTheFault) {
  FakeBackend backend(/*gives_boxes=*/false);
  auto fleet = Make(backend, "/lib/libfaketime.so.1");
  auto place = fleet->Place(1);
  ASSERT_TRUE(place.ok());
  EXPECT_TRUE(Has(place->env, "LD_PRELOAD=/lib/libfaketime.so.1"));
  EXPECT_TRUE(Has(place->env, "FAKETIME_DONT_FAKE_MONOTONIC=1"));  // the stamps stay real
  const fs::path file = RunDir(dir_->path()).candidate_ctl(1) / "faketime";
  EXPECT_EQ(ReadFile(file), "+0.000\n");
  ASSERT_TRUE(fleet->SetCandidateClockOffset(1, 5).ok());
  EXPECT_EQ(ReadFile(file), "+5.000\n");
}

TEST_F(CandidateFleetTest, TheClockShimGoesInFrontOfLibfaketimeWithItsControlFile) {
  FakeBackend backend(/*gives_boxes=*/false);
  auto fleet = Make(backend, "/lib/libfaketime.so.1", "/bin/libsplitbrain-clock.so");
  auto place = fleet->Place(2);
  ASSERT_TRUE(place.ok());
  EXPECT_TRUE(Has(place->env, "LD_PRELOAD=/bin/libsplitbrain-clock.so:/lib/libfaketime.so.1"));
  const fs::path control = RunDir(dir_->path()).candidate_ctl(2) / "monotonic";
  EXPECT_TRUE(fs::is_regular_file(control));
  EXPECT_TRUE(Has(place->env, "SPLITBRAIN_CLOCK_FILE=" + control.string()));
}

TEST_F(CandidateFleetTest, ClockAndCutAreRefusedWhereTheRunCannotDoThem) {
  FakeBackend backend(/*gives_boxes=*/false);
  auto fleet = Make(backend, "");
  EXPECT_EQ(fleet->SetCandidateClockOffset(1, 5).code(), common::StatusCode::kUnavailable);
  const common::Status cut = fleet->CutCandidate(1);
  EXPECT_EQ(cut.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(cut.message().find("--backend netns"), std::string::npos) << cut.message();
}

TEST_F(CandidateFleetTest, PauseFreezesTheCandidatesProcessGroupUntilResumed) {
  FakeBackend backend(/*gives_boxes=*/false);
  auto fleet = Make(backend, "");
  auto child = common::process::Child::Spawn({.argv = {"sleep", "30"}, .new_process_group = true});
  ASSERT_TRUE(child.ok()) << child.status().message();
  EXPECT_EQ(*fleet->CandidateRunState(1), NodeRunState::kStopped);  // not started yet
  fleet->Started(1, child->pid());
  EXPECT_EQ(*fleet->CandidateRunState(1), NodeRunState::kRunning);
  ASSERT_TRUE(fleet->PauseCandidate(1).ok());
  EXPECT_EQ(*fleet->CandidateRunState(1), NodeRunState::kPaused);
  ASSERT_TRUE(fleet->ResumeCandidate(1).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (*fleet->CandidateRunState(1) != NodeRunState::kRunning &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(*fleet->CandidateRunState(1), NodeRunState::kRunning);
  fleet->Ended(1);  // from here the fleet never signals that pid
  EXPECT_EQ(fleet->PauseCandidate(1).code(), common::StatusCode::kUnavailable);
  EXPECT_TRUE(child->Kill().ok());
}

}  // namespace
}  // namespace orchestrator

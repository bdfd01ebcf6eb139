// The proofs that a verdict means something, run end to end with the real splitbrain and refdb
// on the netns backend (label `run`):
// - every bug switch is caught, by the check the README names, and
// - its control, the correct refdb under the same command, seed and schedule, stays valid,
// on odd and even cluster sizes; --stop-on-invalid ends a run with the bug at its first invalid
// key, while its control runs its whole length; and a run whose faults do not take effect (a
// firewall tool that fails, or one that succeeds but changes nothing) is never valid.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process/child.h"
#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run_test_support.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using common::process::Child;
using test_support::Leftovers;
using test_support::ReadFile;

std::string Schedule(const std::string& name) { return std::string(SCHEDULES_DIR) + "/" + name; }

class RunFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and iproute2");
    auto dir = common::testing::TempDir::Create("splitbrain-proof-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    store_ = fs::path(dir_->path()) / "store";
  }

  // Runs `splitbrain run --backend netns --store STORE ARGS...` to its end; the exit code.
  // `path_first`: a folder put in front of PATH (fake firewall tools).
  int Run(const std::vector<std::string>& args, const std::string& path_first = "") {
    std::vector<std::string> argv = {SPLITBRAIN_BIN, "run",     "--backend",
                                     "netns",        "--store", store_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::optional<std::string> old_path;
    if (!path_first.empty()) {
      old_path = std::getenv("PATH");
      setenv("PATH", (path_first + ":" + *old_path).c_str(), 1);
    }
    auto child = Child::Spawn({.argv = argv, .log_path = fs::path(dir_->path()) / "out.log"});
    if (old_path.has_value()) setenv("PATH", old_path->c_str(), 1);
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return -1;
    auto status = child->WaitForExit(std::chrono::minutes(4));
    EXPECT_TRUE(status.ok()) << "splitbrain did not finish: " << Output();
    if (!status.ok()) return -1;
    EXPECT_TRUE(Leftovers(RunId(), store_).empty()) << "the run left objects behind";
    return status->ShellCode();
  }

  std::string Output() { return test_support::RunOutput(fs::path(dir_->path()) / "out.log"); }
  void TearDown() override {
    if (dir_) test_support::KeepStoreIfFailed(store_);
  }
  fs::path LatestRun() { return fs::canonical(store_ / "latest"); }
  Json Results() { return Json::parse(ReadFile(LatestRun() / "results.json"), nullptr, false); }
  std::string RunId() {
    Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
    return spec.is_object() ? spec.value("run-id", "") : "";
  }
  std::string Verdict(const std::string& check) {
    const Json results = Results();
    const Json& found = results["checks"][check];
    return found.is_object() ? found.value("verdict", "?") : "missing";
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path store_;
};

// One README proof row: a command with a bug switch, and the checks that must catch it.
struct Proof {
  std::string name;
  std::vector<std::string> args;  // the command, without --db-bug
  std::string bug;
  std::vector<std::string> caught_by;    // each must be invalid
  std::vector<std::string> any_of = {};  // at least one must be invalid (a race decides which)
};

std::ostream& operator<<(std::ostream& out, const Proof& proof) { return out << proof.name; }

class ProofAndControl : public RunFixture, public ::testing::WithParamInterface<Proof> {};

TEST_P(ProofAndControl, TheBugIsCaughtByItsCheckAndTheCorrectRefdbStaysValid) {
  const Proof& proof = GetParam();
  if (test_support::UsesDiskFaults(proof.args)) {
    SPLITBRAIN_REQUIRE(std::filesystem::exists("/dev/fuse"), "/dev/fuse (disk faults)");
  }
  std::vector<std::string> with_bug = proof.args;
  with_bug.insert(with_bug.end(), {"--db-bug", proof.bug});
  EXPECT_EQ(Run(with_bug), 1) << Output();
  for (const std::string& check : proof.caught_by) {
    EXPECT_EQ(Verdict(check), "invalid") << check << " did not catch " << proof.bug << ":\n"
                                         << Results().dump(2);
  }
  if (!proof.any_of.empty()) {
    bool caught = false;
    for (const std::string& check : proof.any_of) caught = caught || Verdict(check) == "invalid";
    EXPECT_TRUE(caught) << "none of the checks caught " << proof.bug << ":\n" << Results().dump(2);
  }
  // The control: same command, seed and schedule, correct refdb.
  EXPECT_EQ(Run(proof.args), 0) << Output() << "\n" << Results().dump(2);
  EXPECT_EQ(Verdict("faults"), "valid");
}

INSTANTIATE_TEST_SUITE_P(
    Netns, ProofAndControl,
    ::testing::Values(
        // Even clusters split in half: with the bug each half elects and commits on its own.
        Proof{"HalfQuorum4",
              {"--nodes", "4", "--time-limit", "12s", "--nemesis", "partition-halves",
               "--nemesis-interval", "2s", "--seed", "1"},
              "half-quorum",
              {"split-without-majority", "election-safety"}},
        Proof{"HalfQuorum6",
              {"--nodes", "6", "--time-limit", "12s", "--nemesis", "partition-halves",
               "--nemesis-interval", "2s", "--seed", "2"},
              "half-quorum",
              {"split-without-majority", "election-safety"}},
        Proof{"StaleReads3",
              {"--nodes", "3", "--time-limit", "10s", "--nemesis", "partition-leader",
               "--nemesis-interval", "2s", "--seed", "3"},
              "stale-reads",
              {"linearizable"}},
        Proof{"StaleReads4",
              {"--nodes", "4", "--time-limit", "10s", "--nemesis", "partition-leader",
               "--nemesis-interval", "2s", "--seed", "4"},
              "stale-reads",
              {"linearizable"}},
        // A machine crash (disk-lose-unsynced: kill, then drop what no fsync covered) loses
        // what no-fsync acknowledged; a plain kill no longer does (the entries were written).
        Proof{"NoFsync3",
              {"--nodes", "3", "--time-limit", "12s", "--workload", "set", "--schedule",
               Schedule("lose-unsynced.json"), "--seed", "5"},
              "no-fsync",
              {"set"}},
        Proof{"NoFsync4",
              {"--nodes", "4", "--time-limit", "12s", "--workload", "set", "--schedule",
               Schedule("lose-unsynced.json"), "--seed", "7"},
              "no-fsync",
              {"set"}},
        // The same bug with never every node down: a majority crashes five times while the
        // node that keeps the whole log is frozen (SIGSTOP, 1.5 s), so the restarted majority
        // elects one of its own, which lost what no-fsync acknowledged. (With the survivor
        // running, it is a race the survivor often wins: the test went valid in a loaded CI.)
        Proof{"NoFsyncMajority3",
              {"--nodes", "3", "--time-limit", "12s", "--workload", "set", "--schedule",
               Schedule("lose-unsynced-majority-3.json"), "--seed", "31"},
              "no-fsync",
              {"set"}},
        Proof{"NoFsyncMajority4",
              {"--nodes", "4", "--time-limit", "12s", "--workload", "set", "--schedule",
               Schedule("lose-unsynced-majority-4.json"), "--seed", "32"},
              "no-fsync",
              {"set"}},
        Proof{"VoteWithoutLogCheck3",
              {"--nodes", "3", "--time-limit", "34s", "--schedule",
               Schedule("stale-node-then-kill-leader.json"), "--seed", "6"},
              "vote-without-log-check",
              {},
              {"linearizable", "convergence"}}),
    [](const auto& param_info) { return param_info.param.name; });

// The correct refdb under the shapes that leave no majority on some sizes (halves on even
// clusters) and those that always leave one (ring, bridge), on odd and even sizes.
struct Control {
  std::string name;
  std::vector<std::string> args;
};

std::ostream& operator<<(std::ostream& out, const Control& control) { return out << control.name; }

class CorrectRefdb : public RunFixture, public ::testing::WithParamInterface<Control> {};

TEST_P(CorrectRefdb, IsValidUnderPartitions) {
  if (test_support::UsesDiskFaults(GetParam().args)) {
    SPLITBRAIN_REQUIRE(std::filesystem::exists("/dev/fuse"), "/dev/fuse (disk faults)");
  }
  EXPECT_EQ(Run(GetParam().args), 0) << Output() << "\n" << Results().dump(2);
  EXPECT_EQ(Verdict("faults"), "valid");
  EXPECT_EQ(Verdict("liveness"), "valid");
}

INSTANTIATE_TEST_SUITE_P(
    Netns, CorrectRefdb,
    ::testing::Values(
        Control{"Halves4Seed11",
                {"--nodes", "4", "--time-limit", "12s", "--nemesis", "partition-halves",
                 "--nemesis-interval", "2s", "--seed", "11"}},
        Control{"Halves6Seed12",
                {"--nodes", "6", "--time-limit", "12s", "--nemesis", "partition-halves",
                 "--nemesis-interval", "2s", "--seed", "12"}},
        Control{"RingBridge4",
                {"--nodes", "4", "--time-limit", "12s", "--nemesis",
                 "partition-ring,partition-bridge", "--nemesis-interval", "2s", "--seed", "13"}},
        Control{"RingBridge6",
                {"--nodes", "6", "--time-limit", "12s", "--nemesis",
                 "partition-ring,partition-bridge", "--nemesis-interval", "2s", "--seed", "14"}},
        // Every disk fault through the FUSE layer: EIO on the leader's fsync (it stops, and is
        // restarted at the end), slow fsync everywhere, a full disk, a machine crash.
        Control{"DiskFaults3",
                {"--nodes", "3", "--time-limit", "14s", "--schedule", Schedule("disk-faults.json"),
                 "--seed", "23"}},
        Control{"Mixed5",
                {"--nodes", "5", "--time-limit", "14s", "--nemesis",
                 "kill,pause,partition-halves,partition-leader", "--nemesis-interval", "1500ms",
                 "--seed", "5"}}),
    [](const auto& param_info) { return param_info.param.name; });

// --stop-on-invalid: the live linearizability check ends the run with stale reads at the first
// invalid key, well before its time limit and the usual way (healed, torn down, checked,
// reported), with the counterexample in results.json and report.html; the correct refdb under
// the same command, seed and schedule runs its whole length and stays valid. Either way the
// verdict is the one `splitbrain check` gives on the run's history.
class StopOnInvalid : public RunFixture, public ::testing::WithParamInterface<int> {
 protected:
  // The verdict `splitbrain check` gives the latest run's history.
  std::string CheckedAfterwards() {
    auto ran = common::process::Run({.argv = {SPLITBRAIN_BIN, "check", "--model", "cas-register",
                                              "--json", (LatestRun() / "history.jsonl").string()}});
    EXPECT_TRUE(ran.ok()) << ran.status().message();
    if (!ran.ok()) return "?";
    const Json out = Json::parse(ran->out, nullptr, false);
    return out.is_object() ? out.value("verdict", "?") : "not JSON: " + ran->out + ran->err;
  }
};

TEST_P(StopOnInvalid, EndsTheStaleReadsRunEarlyAndTheCorrectRefdbRunsItsWholeLength) {
  constexpr double kTimeLimitS = 12;
  const std::vector<std::string> args = {"--nodes",
                                         std::to_string(GetParam()),
                                         "--time-limit",
                                         "12s",
                                         "--nemesis",
                                         "partition-leader",
                                         "--nemesis-interval",
                                         "2s",
                                         "--seed",
                                         std::to_string(40 + GetParam()),
                                         "--stop-on-invalid"};
  std::vector<std::string> with_bug = args;
  with_bug.insert(with_bug.end(), {"--db-bug", "stale-reads"});
  EXPECT_EQ(Run(with_bug), 1) << Output();
  Json results = Results();
  EXPECT_EQ(Verdict("linearizable"), "invalid") << results.dump(2);
  EXPECT_TRUE(results["checks"]["linearizable"]["details"].contains("counterexample"));
  ASSERT_TRUE(results.contains("stopped_early")) << results.dump(2);
  const Json& stop = results["stopped_early"];
  EXPECT_EQ(stop.value("check", ""), "linearizable");
  EXPECT_FALSE(stop.value("key", "").empty());
  EXPECT_LT(stop.value("at_s", kTimeLimitS), kTimeLimitS / 2) << stop.dump();
  EXPECT_LT(results.value("workload_s", kTimeLimitS), kTimeLimitS * 0.75) << results.dump(2);
  const std::string report = ReadFile(LatestRun() / "report.html");
  EXPECT_NE(report.find("stopped early"), std::string::npos);
  EXPECT_NE(report.find("id=\"counterexample\""), std::string::npos);
  EXPECT_EQ(test_support::ResultsSchemaErrors(LatestRun() / "results.json"), "");
  EXPECT_EQ(CheckedAfterwards(), "invalid");
  const Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
  EXPECT_EQ(spec.value("stop-on-invalid", false), true) << spec.dump(2);
  EXPECT_NE(report.find("--stop-on-invalid"), std::string::npos) << "the reproduce command";

  EXPECT_EQ(Run(args), 0) << Output();  // the control
  results = Results();
  EXPECT_FALSE(results.contains("stopped_early")) << results.dump(2);
  EXPECT_GE(results.value("workload_s", 0.0), kTimeLimitS);
  EXPECT_EQ(Verdict("linearizable"), "valid") << results.dump(2);
  const Json& live = results["checks"]["linearizable"]["details"]["live"];
  EXPECT_GE(live.value("keys_checked_live", 0), 1) << live.dump();
  EXPECT_EQ(CheckedAfterwards(), "valid");
}

INSTANTIATE_TEST_SUITE_P(Netns, StopOnInvalid, ::testing::Values(3, 4), [](const auto& param_info) {
  return "Nodes" + std::to_string(param_info.param);
});

// Faults that do not take effect never make a run valid.
class BrokenFaults : public RunFixture {
 protected:
  // A folder holding `iptables` and `iptables-restore` that print `message` and exit `code`.
  std::string FakeFirewall(int code, const std::string& message) {
    const fs::path bin = fs::path(dir_->path()) / "fake-bin";
    fs::create_directories(bin);
    for (const char* tool : {"iptables", "iptables-restore"}) {
      const fs::path path = bin / tool;
      std::ofstream(path) << "#!/bin/sh\necho '" << message << "' >&2\nexit " << code << "\n";
      fs::permissions(path, fs::perms::owner_all);
    }
    return bin.string();
  }
};

TEST_F(BrokenFaults, AFirewallToolThatFailsMakesTheRunUnknownWithTheFaultsListed) {
  const std::string bin = FakeFirewall(1, "iptables: injected failure");
  EXPECT_EQ(Run({"--nodes", "3", "--time-limit", "8s", "--nemesis", "partition-halves",
                 "--nemesis-interval", "2s", "--seed", "1"},
                bin),
            2)
      << Output();
  const Json results = Results();
  EXPECT_EQ(Verdict("faults"), "unknown") << results.dump(2);
  const Json& details = results["checks"]["faults"]["details"];
  EXPECT_GE(details.value("planned", 0), 1);
  EXPECT_EQ(details.value("applied", -1), 0);
  EXPECT_GE(details.value("failed", 0), 1);
  EXPECT_NE(results["checks"]["faults"]["summary"].get<std::string>().find("none applied"),
            std::string::npos)
      << results.dump(2);
  EXPECT_NE(Output().find("none applied"), std::string::npos) << Output();  // the verdict line
  EXPECT_NE(ReadFile(LatestRun() / "junit.xml").find("injected failure"), std::string::npos);
}

TEST_F(BrokenFaults, AFirewallToolThatChangesNothingIsCaughtByTheProbes) {
  const std::string bin = FakeFirewall(0, "");
  EXPECT_EQ(Run({"--nodes", "3", "--time-limit", "8s", "--nemesis", "partition-halves",
                 "--nemesis-interval", "2s", "--seed", "1"},
                bin),
            2)
      << Output();
  const Json results = Results();
  EXPECT_EQ(Verdict("faults"), "unknown") << results.dump(2);
  EXPECT_NE(results["checks"]["faults"]["summary"].get<std::string>().find("connected through"),
            std::string::npos)
      << results.dump(2);
}

}  // namespace
}  // namespace orchestrator

// Helpers for the tests that run the real `splitbrain` binary (run_integration_test.cc,
// etcd_run_integration_test.cc): reading a stored file, and finding what a run left behind.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/process/run.h"
#include "orchestrator/run/backend/cleanup.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"

namespace orchestrator::test_support {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Objects of run `id` that a backend's cleanup would find, without removing them, and
// processes of `program` (a word of its command line: "refdb", "etcd") started from `store`
// (netns nodes run with their data dir under <store>/).
inline std::vector<std::string> Leftovers(const std::string& id, const std::filesystem::path& store,
                                          const std::string& program = "refdb") {
  std::vector<std::string> found;
  const RunFilter record = [&](const std::string& run) {
    if (run == id) found.push_back("object of run " + run);
    return false;
  };
  (void)CleanupDocker(record);
  (void)CleanupNetns(record);
  (void)diskfs::CleanupDiskMounts(record);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFile(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(store.string() + "/") != std::string::npos &&
        (cmdline.find(program) != std::string::npos ||
         cmdline.find("splitbrain-diskfs") != std::string::npos)) {
      std::string line = "process ";
      line += name;
      line += ": ";
      line += cmdline;
      found.push_back(std::move(line));
    }
  }
  return found;
}

// The output of a `splitbrain run` for a failure message: its checks and verdict first (CI logs
// keep the head of a long message), then the whole output.
inline std::string RunOutput(const std::filesystem::path& log) {
  const std::string out = ReadFile(log);
  const size_t checks = out.rfind("\nchecks:\n");
  if (checks == std::string::npos) return out;
  const size_t verdict = out.find("\nverdict:", checks);
  const size_t end = verdict == std::string::npos ? out.size() : out.find('\n', verdict + 1);
  return out.substr(checks + 1, (end == std::string::npos ? out.size() : end) - checks - 1) +
         "\n--- the whole output ---\n" + out;
}

// When the current test failed, copies its store (every run's history, results, report and node
// logs) to $TMPDIR/splitbrain-failed-tests/<suite>.<test>/ and says where, so a failure that
// does not come back on the next run can still be read.
inline void KeepStoreIfFailed(const std::filesystem::path& store) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr || !::testing::Test::HasFailure() || !std::filesystem::exists(store)) return;
  const char* tmp = std::getenv("TMPDIR");
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const std::filesystem::path kept =
      std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
      "splitbrain-failed-tests" / name;
  std::error_code error;
  std::filesystem::remove_all(kept, error);
  std::filesystem::create_directories(kept, error);
  std::filesystem::copy(
      store, kept,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks,
      error);
  std::cerr << "the failed test's store is kept in " << kept.string()
            << (error ? " (incomplete: " + error.message() + ")" : std::string()) << "\n";
}

// True when a run with these arguments mounts the FUSE disk layer (a disk fault in --nemesis or
// in its schedule file: the schedules name them disk-*.json and lose-unsynced*.json).
inline bool UsesDiskFaults(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& arg) {
    return arg.find("disk-") != std::string::npos || arg.find("lose-unsynced") != std::string::npos;
  });
}

// What orchestrator/store/validate_results.py says of `results_json` against the published
// results.schema.json: "" when it follows the schema, else the validator's output.
inline std::string ResultsSchemaErrors(const std::filesystem::path& results_json) {
  const std::string store = ORCHESTRATOR_STORE_DIR;
  auto ran = common::process::Run({.argv = {"/usr/bin/python3", store + "/validate_results.py",
                                            store + "/results.schema.json", results_json.string()},
                                   .merge_output = true});
  if (!ran.ok()) return ran.status().message();
  return ran->status.ok() ? "" : ran->status.Describe() + ": " + ran->out;
}

}  // namespace orchestrator::test_support

// The store: every run's files under STORE/<test>/<timestamp>/ (spec.json, history.jsonl,
// results.json, nodes/n<i>/), and STORE/latest, a relative symlink to the newest run's folder.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace orchestrator {

// Creates STORE/<test>/<UTC timestamp, e.g. 20261126T203000Z>/ (with a -2, -3, ... suffix when
// that exists already) and returns its path.
common::Result<std::filesystem::path> CreateRunDir(const std::filesystem::path& store,
                                                   const std::string& test,
                                                   std::chrono::system_clock::time_point now);
// Points STORE/latest at `run_dir` (replaced atomically).
common::Status UpdateLatest(const std::filesystem::path& store,
                            const std::filesystem::path& run_dir);
// Writes `text` to `path` through a temporary file and a rename, so readers never see half.
common::Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

}  // namespace orchestrator

// The store's file I/O. WriteFileAtomically: every file of a run folder and of a store (spec.json,
// results.json, schedule.json, junit.xml, report.html, index.html) is written through a temporary
// file beside the target and a rename, so a reader (a browser, a CI step, `splitbrain report`)
// never sees half a file. The temporary file is removed when the write fails. Thread-compatible:
// two writers of one path race only on which whole file wins.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace orchestrator {

// IoError naming the file when it cannot be written or renamed into place.
common::Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

// The JSON document in `path`: NotFound when the file does not exist, InvalidArgument naming
// the file when it cannot be read or is not valid JSON.
common::Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path);

}  // namespace orchestrator

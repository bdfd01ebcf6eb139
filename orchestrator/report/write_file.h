// WriteFileAtomically for the report's pages: a temporary file beside the target, then a
// rename, so a browser or a CI step never reads half a page. The temporary file is removed
// when the write fails. Header-only.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "common/status.h"

namespace orchestrator::report {

inline common::Status WriteFileAtomically(const std::filesystem::path& path,
                                          const std::string& text) {
  const std::filesystem::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return common::Status::IoError("cannot write " + tmp.string());
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    const std::string cause = ec.message();
    std::filesystem::remove(tmp, ec);
    return common::Status::IoError("cannot rename " + tmp.string() + " to " + path.string() + ": " +
                                   cause);
  }
  return common::Status::Ok();
}

}  // namespace orchestrator::report

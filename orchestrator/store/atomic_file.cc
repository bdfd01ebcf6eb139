#include "orchestrator/store/atomic_file.h"

#include <fstream>
#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Status;

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return Status::IoError("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string cause = ec.message();
    fs::remove(tmp, ec);
    return Status::IoError("cannot rename " + tmp.string() + " to " + path.string() + ": " + cause);
  }
  return Status::Ok();
}

}  // namespace orchestrator

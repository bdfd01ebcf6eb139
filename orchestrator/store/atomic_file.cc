#include "orchestrator/store/atomic_file.h"

#include <fstream>
#include <sstream>
#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
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

Result<nlohmann::json> ReadJsonFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound(path.string() + ": missing");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::InvalidArgument(path.string() + ": cannot read");
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument(path.string() + ": not valid JSON");
  return json;
}

}  // namespace orchestrator

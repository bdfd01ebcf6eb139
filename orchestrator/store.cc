#include "orchestrator/store.h"

#include <ctime>
#include <fstream>
#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;

Result<fs::path> CreateRunDir(const fs::path& store, const std::string& test,
                              std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::error_code ec;
  fs::create_directories(store / test, ec);
  if (ec) return Status::IoError("cannot create " + (store / test).string() + ": " + ec.message());
  for (int attempt = 1; attempt < 1000; ++attempt) {
    fs::path dir = store / test / (attempt == 1 ? stamp : stamp + ("-" + std::to_string(attempt)));
    if (fs::create_directory(dir, ec)) return dir;
    if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  }
  return Status::IoError("cannot create a run folder under " + (store / test).string());
}

Status UpdateLatest(const fs::path& store, const fs::path& run_dir) {
  std::error_code ec;
  const fs::path target = fs::relative(run_dir, store, ec);
  if (ec || target.empty() || *target.begin() == "..") {
    return Status::IoError(run_dir.string() + " is not inside the store " + store.string());
  }
  const fs::path tmp = store / ".latest.tmp";
  fs::remove(tmp, ec);
  fs::create_directory_symlink(target, tmp, ec);
  if (ec) return Status::IoError("cannot create " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, store / "latest", ec);
  if (ec)
    return Status::IoError("cannot replace " + (store / "latest").string() + ": " + ec.message());
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace orchestrator

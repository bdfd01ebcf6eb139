#include "orchestrator/store/run_dir.h"

#include <algorithm>
#include <ctime>
#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;

Result<RunDir> RunDir::Create(const fs::path& store, const std::string& test,
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
    if (fs::create_directory(dir, ec)) return RunDir(dir);
    if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  }
  return Status::IoError("cannot create a run folder under " + (store / test).string());
}

Result<RunDir> RunDir::Open(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return Status::NotFound(path.string() + ": no such run folder");
  return RunDir(path);
}

std::vector<fs::path> RunDir::ExistingFiles() const {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::path& file : {spec(), results(), history(), schedule()}) {
    if (fs::exists(file, ec)) files.push_back(file.filename());
  }
  std::vector<std::string> node_names;
  for (const auto& entry : fs::directory_iterator(nodes(), ec)) {
    node_names.push_back(entry.path().filename().string());
  }
  std::sort(node_names.begin(), node_names.end());
  for (const std::string& node : node_names) {
    for (const char* file : {"node.log", "events.jsonl"}) {
      const fs::path relative = fs::path("nodes") / node / file;
      if (fs::exists(root_ / relative, ec)) files.push_back(relative);
    }
  }
  return files;
}

Status UpdateLatest(const fs::path& store, const RunDir& run) {
  std::error_code ec;
  const fs::path target = fs::relative(run.root(), store, ec);
  if (ec || target.empty() || *target.begin() == "..") {
    return Status::IoError(run.root().string() + " is not inside the store " + store.string());
  }
  const fs::path tmp = store / ".latest.tmp";
  fs::remove(tmp, ec);
  fs::create_directory_symlink(target, tmp, ec);
  if (ec) return Status::IoError("cannot create " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, store / "latest", ec);
  if (ec) {
    return Status::IoError("cannot replace " + (store / "latest").string() + ": " + ec.message());
  }
  return Status::Ok();
}

Result<fs::path> StoreOf(const fs::path& run_dir) {
  std::error_code ec;
  const fs::path real = fs::canonical(run_dir, ec);
  if (ec) return Status::NotFound(run_dir.string() + ": " + ec.message());
  const fs::path store = real.parent_path().parent_path();
  if (!fs::is_symlink(store / "latest", ec)) {
    return Status::NotFound(run_dir.string() + " is not inside a store (no " +
                            (store / "latest").string() + ")");
  }
  return store;
}

std::vector<RunDir> ListRuns(const fs::path& store) {
  std::vector<RunDir> runs;
  std::error_code ec;
  for (const auto& test : fs::directory_iterator(store, ec)) {
    if (test.is_symlink(ec) || !test.is_directory(ec)) continue;  // skips STORE/latest
    std::error_code inner;
    for (const auto& entry : fs::directory_iterator(test.path(), inner)) {
      if (entry.is_symlink(inner) || !entry.is_directory(inner)) continue;
      RunDir run(entry.path());
      if (fs::exists(run.spec(), inner) || fs::exists(run.results(), inner)) runs.push_back(run);
    }
  }
  return runs;
}

}  // namespace orchestrator

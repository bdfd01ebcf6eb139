#include "orchestrator/store/merge.h"

#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;

namespace {

std::optional<std::string> ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The same run: spec, results and history alike (present in both with equal bytes, or in
// neither).
bool SameRun(const RunDir& a, const RunDir& b) {
  for (const char* name : {"spec.json", "results.json", "history.jsonl"}) {
    if (ReadAll(a.root() / name) != ReadAll(b.root() / name)) return false;
  }
  return true;
}

// A free folder for `run` under destination/<test>/: its own stamp, else stamp-2, -3, ...
Result<fs::path> FreeFolder(const fs::path& destination, const RunDir& run) {
  std::error_code ec;
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const std::string name =
        attempt == 1 ? run.stamp() : run.stamp() + "-" + std::to_string(attempt);
    const fs::path folder = destination / run.test() / name;
    if (!fs::exists(folder, ec)) return folder;
  }
  return Status::IoError("no free folder for " + run.root().string() + " under " +
                         (destination / run.test()).string());
}

// Copies the run folder to a temporary name beside `to`, then renames it, so a store never
// holds half a run.
Status CopyRun(const RunDir& run, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec)
    return Status::IoError("cannot create " + to.parent_path().string() + ": " + ec.message());
  const fs::path partial = to.parent_path() / ("." + to.filename().string() + ".merging");
  fs::remove_all(partial, ec);
  fs::copy(run.root(), partial, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (!ec) fs::rename(partial, to, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    return Status::IoError("cannot copy " + run.root().string() + " to " + to.string() + ": " +
                           ec.message());
  }
  return Status::Ok();
}

// Refuses a run of the destination or a source without an id, and one id standing for two
// different runs.
Status CheckRunIds(const fs::path& destination, const std::vector<fs::path>& sources) {
  std::map<std::string, RunDir> known;
  std::vector<fs::path> stores{destination};
  stores.insert(stores.end(), sources.begin(), sources.end());
  for (const fs::path& store : stores) {
    for (const RunDir& run : ListRuns(store)) {
      ASSIGN_OR_RETURN(const std::string id, RunIdOf(run));
      auto [it, inserted] = known.try_emplace(id, run);
      if (!inserted && !SameRun(it->second, run)) {
        return Status::InvalidArgument(
            "run id " + id + " stands for two different runs: " + it->second.root().string() +
            " and " + run.root().string() + " (nothing was merged)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> RunIdOf(const RunDir& run) {
  auto spec = ReadJsonFile(run.spec());
  if (!spec.ok()) {
    return Status::InvalidArgument("no run id for " + run.root().string() + ": " +
                                   spec.status().message());
  }
  if (!spec->is_object() || !spec->contains("run-id") || !(*spec)["run-id"].is_string() ||
      (*spec)["run-id"].get<std::string>().empty()) {
    return Status::InvalidArgument(run.spec().string() + " names no run id (\"run-id\")");
  }
  return (*spec)["run-id"].get<std::string>();
}

Result<MergeSummary> MergeStores(const fs::path& destination, const std::vector<fs::path>& sources,
                                 const std::function<void(const MergeProgress&)>& progress) {
  std::error_code ec;
  int total = 0;
  for (const fs::path& source : sources) {
    if (!fs::is_directory(source, ec)) {
      return Status::InvalidArgument(source.string() + ": no such store");
    }
    if (fs::equivalent(source, destination, ec)) {
      return Status::InvalidArgument(source.string() + " is the destination itself");
    }
    const size_t runs = ListRuns(source).size();
    if (runs == 0) {
      return Status::InvalidArgument(source.string() +
                                     " holds no runs (a store has STORE/<test>/<timestamp>/)");
    }
    total += static_cast<int>(runs);
  }
  RETURN_IF_ERROR(CheckRunIds(destination, sources));
  std::map<std::string, bool> in_destination;  // run ids in the destination
  for (const RunDir& run : ListRuns(destination)) {
    ASSIGN_OR_RETURN(const std::string id, RunIdOf(run));
    in_destination[id] = true;
  }

  MergeSummary summary;
  int done = 0;
  for (const fs::path& source : sources) {
    for (const RunDir& run : ListRuns(source)) {
      ASSIGN_OR_RETURN(const std::string id, RunIdOf(run));
      MergeProgress step{.source = source, .run = run.root(), .done = ++done, .total = total};
      if (in_destination.count(id) != 0) {
        ++summary.already_there;
      } else {
        ASSIGN_OR_RETURN(const fs::path to, FreeFolder(destination, run));
        RETURN_IF_ERROR(CopyRun(run, to));
        in_destination[id] = true;
        step.copied = to;
        ++summary.copied;
      }
      if (progress) progress(step);
    }
  }
  const std::vector<RunDir> runs = ListRuns(destination);
  summary.runs_in_store = static_cast<int>(runs.size());
  const RunDir* newest = nullptr;
  for (const RunDir& run : runs) {
    if (newest == nullptr || run.stamp() > newest->stamp()) newest = &run;
  }
  if (newest != nullptr) RETURN_IF_ERROR(UpdateLatest(destination, *newest));
  return summary;
}

}  // namespace orchestrator

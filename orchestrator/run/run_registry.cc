#include "orchestrator/run/run_registry.h"

#include <unistd.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;

namespace {

const std::array<fs::path, 2> registry_dirs = {"/run/splitbrain", "/tmp/splitbrain-runs"};

}  // namespace

std::string NewRunId() {
  std::random_device device;
  std::uniform_int_distribution<uint32_t> dist;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", dist(device));
  return buf;
}

bool IsValidRunId(const std::string& id) {
  if (id.size() != 8) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

long long ProcessStartTime(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // The command name (field 2) is in parentheses and may hold spaces: skip past the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return -1;
  }
  try {
    return std::stoll(field);
  } catch (const std::exception&) {
    return -1;
  }
}

Result<RunRegistration> RunRegistration::Create(const std::string& id, const fs::path& run_dir) {
  const nlohmann::json record = {{"run_id", id},
                                 {"pid", getpid()},
                                 {"start_time", ProcessStartTime(getpid())},
                                 {"run_dir", run_dir.string()}};
  std::string errors;
  for (const fs::path& dir : registry_dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path path = dir / (id + ".json");
    std::ofstream out(path);
    if (out << record.dump() << "\n" && out.flush()) return RunRegistration(path);
    errors += (errors.empty() ? "" : "; ") + path.string();
  }
  return Status::IoError("cannot register run " + id + ": could not write " + errors);
}

RunRegistration::~RunRegistration() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove(path_, ec);
}

RunRegistration::RunRegistration(RunRegistration&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

namespace {

bool RecordIsLive(const fs::path& path) {
  std::ifstream in(path);
  nlohmann::json record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || !record["pid"].is_number_integer()) return false;
  const int pid = record["pid"].get<int>();
  const long long start = record.value("start_time", -1LL);
  return pid > 0 && start >= 0 && ProcessStartTime(pid) == start;
}

}  // namespace

bool IsRunLive(const std::string& id) {
  if (!IsValidRunId(id)) return false;
  for (const fs::path& dir : registry_dirs) {
    const fs::path path = dir / (id + ".json");
    std::error_code ec;
    if (fs::exists(path, ec) && RecordIsLive(path)) return true;
  }
  return false;
}

std::vector<std::string> ForgetDeadRuns() {
  std::vector<std::string> forgotten;
  for (const fs::path& dir : registry_dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& path = it->path();
      if (path.extension() != ".json" || !IsValidRunId(path.stem().string())) continue;
      if (RecordIsLive(path)) continue;
      std::error_code remove_ec;
      if (fs::remove(path, remove_ec)) forgotten.push_back(path.stem().string());
    }
  }
  return forgotten;
}

}  // namespace orchestrator

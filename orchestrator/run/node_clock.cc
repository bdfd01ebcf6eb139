#include "orchestrator/run/node_clock.h"

#include <array>
#include <cstdio>
#include <iostream>
#include <system_error>
#include <utility>

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {

namespace {
constexpr const char* kOffsetFile = "faketime";
}  // namespace

common::Result<std::filesystem::path> FindLibfaketime() {
  constexpr std::array<const char*, 3> kCandidates{
      "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
      "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
      "/usr/lib/faketime/libfaketime.so.1",
  };
  for (const char* candidate : kCandidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return std::filesystem::path(candidate);
  }
  return common::Status::NotFound(
      "the clock fault needs libfaketime, which is not installed (apt-get install libfaketime)");
}

std::vector<std::string> ClockEnvironment(const std::filesystem::path& library,
                                          const std::string& ctl_dir) {
  return {"LD_PRELOAD=" + library.string(),
          "FAKETIME_TIMESTAMP_FILE=" + (std::filesystem::path(ctl_dir) / kOffsetFile).string(),
          "FAKETIME_DONT_FAKE_MONOTONIC=1", "FAKETIME_CACHE_DURATION=1"};
}

common::Result<std::filesystem::path> FindClockShim() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path shim = self.parent_path() / "libsplitbrain-clock.so";
  if (!ec && std::filesystem::is_regular_file(shim, ec)) return shim;
  return common::Status::NotFound(
      "the clock-rate fault needs libsplitbrain-clock.so beside the splitbrain binary (" +
      shim.string() + "): build the splitbrain-clock target");
}

std::vector<std::string> ScaledClockEnvironment(const std::filesystem::path& libfaketime,
                                                const std::filesystem::path& shim,
                                                const std::string& ctl_dir) {
  std::vector<std::string> env = ClockEnvironment(libfaketime, ctl_dir);
  env[0] = "LD_PRELOAD=" + shim.string() + ":" + libfaketime.string();
  env.push_back(std::string(clockshim::kControlEnv) + "=" +
                (std::filesystem::path(ctl_dir) / clockshim::kControlFile).string());
  return env;
}

common::Status CreateMonotonicControl(const std::filesystem::path& host_ctl_dir) {
  std::error_code ec;
  std::filesystem::create_directories(host_ctl_dir, ec);
  return clockshim::ControlFile::Create(host_ctl_dir / clockshim::kControlFile)
      .status()
      .WithContext("monotonic clock control");
}

std::string ClockOffsetText(double offset_s) {
  char text[64];
  std::snprintf(text, sizeof text, "%+.3f", offset_s);
  return text;
}

common::Status WriteClockOffset(const std::filesystem::path& host_ctl_dir, double offset_s) {
  return WriteFileAtomically(host_ctl_dir / kOffsetFile, ClockOffsetText(offset_s) + "\n")
      .WithContext("clock offset");
}

NodeClocks::NodeClocks(std::function<std::filesystem::path(int node)> ctl_dir)
    : ctl_dir_(std::move(ctl_dir)), thread_([this] { Loop(); }) {}

NodeClocks::~NodeClocks() {
  {
    common::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  thread_.join();
}

double NodeClocks::OffsetNow(const State& state, std::chrono::steady_clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - state.since;
  return state.offset_s + state.drift_s + (state.rate - 1) * elapsed.count();
}

common::Status NodeClocks::SetOffset(int node, double offset_s) {
  common::MutexLock lock(mutex_);
  State& state = nodes_[node];
  state.offset_s = offset_s;
  return WriteClockOffset(ctl_dir_(node), OffsetNow(state, std::chrono::steady_clock::now()));
}

common::Status NodeClocks::SetRate(int node, double rate) {
  if (!(rate > 0)) return common::Status::InvalidArgument("a clock rate must be above 0");
  common::MutexLock lock(mutex_);
  State& state = nodes_[node];
  const auto now = std::chrono::steady_clock::now();
  state.drift_s = rate == 1 ? 0 : OffsetNow(state, now) - state.offset_s;
  state.rate = rate;
  state.since = now;
  auto monotonic = monotonic_.find(node);
  if (monotonic == monotonic_.end()) {
    auto created = clockshim::ControlFile::Create(ctl_dir_(node) / clockshim::kControlFile);
    if (!created.ok()) return created.status().WithContext("monotonic clock control");
    monotonic = monotonic_.emplace(node, std::move(*created)).first;
  }
  RETURN_IF_ERROR(monotonic->second.SetRate(rate));
  return WriteClockOffset(ctl_dir_(node), OffsetNow(state, now));
}

void NodeClocks::Loop() {
  common::MutexLock lock(mutex_);
  while (!stopping_) {
    wake_.WaitFor(lock, std::chrono::milliseconds(100),
                  [this]() REQUIRES(mutex_) { return stopping_; });
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [node, state] : nodes_) {
      if (state.rate == 1 || stopping_) continue;
      common::Status written = WriteClockOffset(ctl_dir_(node), OffsetNow(state, now));
      if (!written.ok())
        std::cerr << "splitbrain: clock of node " << node << ": " << written.message() << "\n";
    }
  }
}

}  // namespace orchestrator

#include "orchestrator/run/node_clock.h"

#include <array>
#include <cstdio>
#include <system_error>

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

std::string ClockOffsetText(double offset_s) {
  char text[64];
  std::snprintf(text, sizeof text, "%+.3f", offset_s);
  return text;
}

common::Status WriteClockOffset(const std::filesystem::path& host_ctl_dir, double offset_s) {
  return WriteFileAtomically(host_ctl_dir / kOffsetFile, ClockOffsetText(offset_s) + "\n")
      .WithContext("clock offset");
}

}  // namespace orchestrator

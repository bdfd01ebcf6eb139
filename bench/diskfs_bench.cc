// diskfs_bench: what the FUSE disk layer (orchestrator/run/diskfs/) costs and how long a crash
// takes. Mounts splitbrain-diskfs on a temp dir (root, /dev/fuse), then for the plain dir and
// the mount: N appends of B bytes each followed by an fsync (a write-ahead log's pattern), as
// appends/s and p50/p99 latency; then how long `crash` takes to revert F files with unsynced
// overwrites. Prints one line per case and a summary line of key=value pairs.
//
//   diskfs_bench [--appends 2000] [--bytes 256] [--files 50]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Figures {
  double per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// `appends` appends of `bytes` bytes to dir/wal, each followed by an fsync.
Figures AppendAndSync(const fs::path& dir, int appends, int bytes) {
  const int fd = ::open((dir / "wal").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return {};
  const std::string record(static_cast<size_t>(bytes), 'r');
  std::vector<double> latencies;
  const auto t0 = Clock::now();
  for (int i = 0; i < appends; ++i) {
    const auto start = Clock::now();
    if (::write(fd, record.data(), record.size()) != bytes || ::fsync(fd) != 0) break;
    latencies.push_back(Micros(Clock::now() - start));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  ::close(fd);
  if (latencies.empty()) return {};
  std::sort(latencies.begin(), latencies.end());
  return {.per_s = static_cast<double>(latencies.size()) / seconds,
          .p50_us = latencies[latencies.size() / 2],
          .p99_us = latencies[latencies.size() * 99 / 100]};
}

// `files` synced files of 64 KiB, each then half overwritten without an fsync.
void DirtyFiles(const fs::path& dir, int files) {
  const std::string block(65536, 'a');
  const std::string half(32768, 'b');
  for (int i = 0; i < files; ++i) {
    const fs::path path = dir / ("f" + std::to_string(i));
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) continue;
    (void)!::write(fd, block.data(), block.size());
    (void)::fsync(fd);
    (void)!::pwrite(fd, half.data(), half.size(), 0);
    ::close(fd);
  }
}

int Arg(int argc, char** argv, const std::string& flag, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return std::max(1, std::atoi(argv[i + 1]));
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int appends = Arg(argc, argv, "--appends", 2000);
  const int bytes = Arg(argc, argv, "--bytes", 256);
  const int files = Arg(argc, argv, "--files", 50);
  auto dir = common::testing::TempDir::Create("diskfs-bench");
  if (!dir.ok()) {
    std::cerr << "diskfs_bench: " << dir.status().message() << "\n";
    return 1;
  }
  const fs::path root = dir->path();
  fs::create_directories(root / "plain");
  fs::create_directories(root / "mnt");
  auto mount = diskfs::DiskfsMount::Create({.helper = DISKFS_BIN,
                                            .run_id = "d15cbe7c",
                                            .name = "bench",
                                            .backing = root / "backing",
                                            .mountpoint = root / "mnt",
                                            .log = root / "diskfs.log"});
  if (!mount.ok()) {
    std::cerr << "diskfs_bench: " << mount.status().message() << " (needs root and /dev/fuse)\n";
    return 1;
  }
  const Figures plain = AppendAndSync(root / "plain", appends, bytes);
  const Figures fused = AppendAndSync(root / "mnt", appends, bytes);
  std::printf("append+fsync plain dir   %8.0f /s  p50 %7.1f us  p99 %7.1f us\n", plain.per_s,
              plain.p50_us, plain.p99_us);
  std::printf("append+fsync diskfs      %8.0f /s  p50 %7.1f us  p99 %7.1f us\n", fused.per_s,
              fused.p50_us, fused.p99_us);
  DirtyFiles(root / "mnt", files);
  const auto t0 = Clock::now();
  auto reverted = (*mount)->Crash();
  const double crash_ms = Micros(Clock::now() - t0) / 1000;
  std::printf("crash: %d files reverted in %.1f ms\n", reverted.ok() ? *reverted : -1, crash_ms);
  std::printf(
      "plain_appends_per_s=%.0f diskfs_appends_per_s=%.0f diskfs_p99_us=%.1f "
      "crash_files=%d crash_ms=%.1f\n",
      plain.per_s, fused.per_s, fused.p99_us, reverted.ok() ? *reverted : -1, crash_ms);
  return reverted.ok() ? 0 : 1;
}

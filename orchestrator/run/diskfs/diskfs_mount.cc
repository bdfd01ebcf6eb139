#include "orchestrator/run/diskfs/diskfs_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/errno_text.h"
#include "common/unique_fd.h"
#include "orchestrator/run/diskfs/control_client.h"
#include "orchestrator/run/diskfs/control_protocol.h"
#include "workloads/db.h"

namespace diskfs {

namespace fs = std::filesystem;
using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kMountType = "fuse.splitbrain-diskfs";
constexpr auto kRequestTimeout = std::chrono::seconds(10);

struct MountEntry {
  std::string fsname;
  fs::path mountpoint;
};

// /proc/mounts escapes blanks and backslashes as \ooo.
std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::vector<MountEntry> DiskfsMountEntries() {
  std::vector<MountEntry> found;
  std::ifstream in("/proc/self/mounts");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string fsname;
    std::string mountpoint;
    std::string type;
    if (!(words >> fsname >> mountpoint >> type) || type != kMountType) continue;
    found.push_back({Unescape(fsname), Unescape(mountpoint)});
  }
  return found;
}

}  // namespace

fs::path DiskfsHelperPath() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("splitbrain-diskfs") : self.parent_path() / "splitbrain-diskfs";
}

bool IsDiskfsMounted(const fs::path& mountpoint) {
  for (const MountEntry& entry : DiskfsMountEntries()) {
    if (entry.mountpoint == mountpoint) return true;
  }
  return false;
}

Result<std::unique_ptr<DiskfsMount>> DiskfsMount::Create(const DiskfsMountOptions& options) {
  const std::string what = "disk layer of " + options.name;
  std::error_code ec;
  fs::create_directories(options.backing, ec);
  if (ec) return Status::IoError(what + ": " + options.backing.string() + ": " + ec.message());
  if (!fs::is_directory(options.mountpoint, ec)) {
    return Status::InvalidArgument(what + ": " + options.mountpoint.string() +
                                   " is not a directory");
  }
  if (access(options.helper.c_str(), X_OK) != 0) {
    return Status::NotFound(what + ": " + options.helper.string() +
                            " is missing (build the splitbrain-diskfs target; it needs "
                            "libfuse3-dev, see ci/setup.sh)");
  }
  std::unique_ptr<DiskfsMount> mount(new DiskfsMount(options));
  const fs::path mountpoint = fs::absolute(options.mountpoint);
  ASSIGN_OR_RETURN(
      mount->helper_,
      common::process::Child::Spawn(
          {.argv = {options.helper.string(), "--backing", fs::absolute(options.backing).string(),
                    "--mount", mountpoint.string(), "--run-id", options.run_id, "--name",
                    options.name},
           .env = {std::string(workloads::kRunIdVariable) + "=" + options.run_id},
           .log_path = options.log,
           .new_process_group = true}));
  mount->options_.mountpoint = mountpoint;
  mount->mounted_ = true;
  RETURN_IF_ERROR(mount->AwaitReady().WithContext(what));
  return mount;
}

Status DiskfsMount::AwaitReady() {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  const std::string socket = SocketName(options_.run_id, options_.name);
  for (;;) {
    if (!helper_.IsRunning()) {
      return Status::Unavailable("splitbrain-diskfs exited at start (see " + options_.log.string() +
                                 ")");
    }
    auto answer = Request(socket, "get", std::chrono::seconds(1));
    if (answer.ok() && IsDiskfsMounted(options_.mountpoint)) return Status::Ok();
    if (Clock::now() > deadline) {
      return Status::DeadlineExceeded("splitbrain-diskfs did not mount within 10 s (see " +
                                      options_.log.string() + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DiskfsMount::~DiskfsMount() {
  const Status status = Unmount();
  if (!status.ok()) std::cerr << "splitbrain: " << status.message() << "\n";
}

Status DiskfsMount::Unmount() {
  if (!mounted_) return Status::Ok();
  mounted_ = false;
  Status status;
  if (helper_.pid() > 0) {
    auto stopped = helper_.Stop(std::chrono::seconds(5));
    if (!stopped.ok()) status = stopped.status();
  }
  if (IsDiskfsMounted(options_.mountpoint) &&
      ::umount2(options_.mountpoint.c_str(), MNT_DETACH) != 0) {
    return Status::IoError("unmount " + options_.mountpoint.string() + ": " +
                           common::ErrnoText(errno));
  }
  return status.WithContext("stop splitbrain-diskfs of " + options_.name);
}

Status DiskfsMount::Set(const nemesis::DiskFaults& faults) {
  return Request(SocketName(options_.run_id, options_.name), "set " + FormatFaults(faults),
                 kRequestTimeout)
      .status();
}

Result<int> DiskfsMount::Crash() {
  ASSIGN_OR_RETURN(const std::string answer,
                   Request(SocketName(options_.run_id, options_.name), "crash", kRequestTimeout));
  const std::string prefix = "ok reverted=";
  if (!answer.starts_with(prefix)) return Status::IoError("crash: unexpected answer " + answer);
  return std::stoi(answer.substr(prefix.size()));
}

Result<std::string> DiskfsMount::Get() {
  return Request(SocketName(options_.run_id, options_.name), "get", kRequestTimeout);
}

Result<std::vector<std::string>> CleanupDiskMounts(const orchestrator::RunFilter& filter) {
  std::vector<std::string> removed;
  const std::string prefix = "splitbrain-";
  for (const MountEntry& entry : DiskfsMountEntries()) {
    if (!entry.fsname.starts_with(prefix)) continue;
    const std::string rest = entry.fsname.substr(prefix.size());
    const std::string run_id = rest.substr(0, rest.find('-'));
    if (!filter(run_id)) continue;
    if (::umount2(entry.mountpoint.c_str(), MNT_DETACH) != 0) {
      return Status::IoError("unmount " + entry.mountpoint.string() + ": " +
                             common::ErrnoText(errno));
    }
    removed.push_back("disk mount " + entry.mountpoint.string() + " (run " + run_id + ")");
  }
  return removed;
}

nemesis::DiskProbe ProbeDir(const fs::path& dir) {
  nemesis::DiskProbe probe;
  const fs::path path = dir / ".splitbrain-probe";
  {
    const common::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      probe.write_errno = errno;
      return probe;
    }
    const std::string data(4096, 'p');
    const ssize_t written = ::write(fd.get(), data.data(), data.size());
    if (written != static_cast<ssize_t>(data.size())) {
      probe.write_errno = written < 0 ? errno : EIO;
    } else {
      const auto t0 = Clock::now();
      if (::fsync(fd.get()) != 0) probe.fsync_errno = errno;
      probe.fsync_time = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
      char buf[64];
      if (::pread(fd.get(), buf, sizeof(buf), 0) < 0) probe.read_errno = errno;
    }
  }
  ::unlink(path.c_str());
  return probe;
}

}  // namespace diskfs

// The FUSE operations of splitbrain-diskfs: a passthrough to the backing directory (every call
// is the *at system call on the backing descriptor), with the faults of DiskState applied and
// every change recorded in UnsyncedWrites before it is made.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "orchestrator/run/diskfs/disk_state.h"

namespace diskfs {
namespace {

using nemesis::DiskOp;

DiskState& State() { return *static_cast<DiskState*>(fuse_get_context()->private_data); }

// FUSE paths start with "/"; the *at calls want them relative to the backing directory.
std::string Rel(const char* path) {
  if (path == nullptr) return {};
  while (*path == '/') ++path;
  return *path == '\0' ? std::string(".") : std::string(path);
}

int Fail() { return -errno; }

bool HasEio(DiskState& state, DiskOp op) REQUIRES(state.mutex) {
  return state.faults.eio.contains(op);
}

void* Init(fuse_conn_info* /*conn*/, fuse_config* config) {
  // No caching of names or attributes: a crash changes files behind the kernel's back.
  config->entry_timeout = 0;
  config->attr_timeout = 0;
  config->negative_timeout = 0;
  // An open, unlinked file has no name: its operations get a null path (libfuse passes one
  // when it cannot compute the path). Every other operation gets its path, which
  // UnsyncedWrites needs (nullpath_ok would withhold it).
  config->hard_remove = 1;
  config->nullpath_ok = 0;
  config->use_ino = 1;
  return fuse_get_context()->private_data;
}

int GetAttr(const char* path, struct stat* st, fuse_file_info* fi) {
  const int rc = fi != nullptr
                     ? ::fstat(static_cast<int>(fi->fh), st)
                     : ::fstatat(State().backing.get(), Rel(path).c_str(), st, AT_SYMLINK_NOFOLLOW);
  return rc == 0 ? 0 : Fail();
}

int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t /*offset*/,
            fuse_file_info* /*fi*/, fuse_readdir_flags /*flags*/) {
  const int fd =
      ::openat(State().backing.get(), Rel(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail();
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    const int error = errno;
    ::close(fd);
    return -error;
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): this DIR* belongs to this call alone
  while (const dirent* entry = ::readdir(dir)) {
    if (filler(buf, entry->d_name, nullptr, 0, static_cast<fuse_fill_dir_flags>(0)) != 0) break;
  }
  ::closedir(dir);
  return 0;
}

int MkDir(const char* path, mode_t mode) {
  return ::mkdirat(State().backing.get(), Rel(path).c_str(), mode) == 0 ? 0 : Fail();
}

int Unlink(const char* path) {
  DiskState& state = State();
  common::MutexLock lock(state.mutex);
  if (::unlinkat(state.backing.get(), Rel(path).c_str(), 0) != 0) return Fail();
  state.unsynced.Removed(Rel(path));
  return 0;
}

int RmDir(const char* path) {
  return ::unlinkat(State().backing.get(), Rel(path).c_str(), AT_REMOVEDIR) == 0 ? 0 : Fail();
}

int Rename(const char* from, const char* to, unsigned int flags) {
  DiskState& state = State();
  common::MutexLock lock(state.mutex);
  const int fd = state.backing.get();
  if ((flags & RENAME_EXCHANGE) != 0) return -EINVAL;  // UnsyncedWrites follows moves only
  if (::renameat2(fd, Rel(from).c_str(), fd, Rel(to).c_str(), flags) != 0) return Fail();
  state.unsynced.Renamed(Rel(from), Rel(to));
  return 0;
}

// The backing file is always opened for reading too (before images are read through it), and
// without O_TRUNC (a truncation is recorded first).
int BackingFlags(int flags) {
  flags &= ~(O_TRUNC | O_CREAT | O_EXCL);
  if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
  return flags | O_CLOEXEC;
}

// Truncates (or extends) the file open as `fd` to `size`, recording it first.
int Truncated(DiskState& state, const std::string& rel, int fd, off_t size) REQUIRES(state.mutex) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail();
  if (HasEio(state, DiskOp::kWrite)) return -EIO;
  if (state.faults.full && size > st.st_size) return -ENOSPC;
  if (!rel.empty() && !state.unsynced.BeforeTruncate(rel, fd, size).ok()) return -EIO;
  return ::ftruncate(fd, size) == 0 ? 0 : Fail();
}

int Truncate(const char* path, off_t size, fuse_file_info* fi) {
  DiskState& state = State();
  common::MutexLock lock(state.mutex);
  if (fi != nullptr) return Truncated(state, Rel(path), static_cast<int>(fi->fh), size);
  const common::UniqueFd fd(::openat(state.backing.get(), Rel(path).c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) return Fail();
  return Truncated(state, Rel(path), fd.get(), size);
}

int Open(const char* path, fuse_file_info* fi) {
  DiskState& state = State();
  const std::string rel = Rel(path);
  const int fd = ::openat(state.backing.get(), rel.c_str(), BackingFlags(fi->flags));
  if (fd < 0) return Fail();
  if ((fi->flags & O_TRUNC) != 0) {
    common::MutexLock lock(state.mutex);
    const int rc = Truncated(state, rel, fd, 0);
    if (rc != 0) {
      ::close(fd);
      return rc;
    }
  }
  fi->fh = static_cast<uint64_t>(fd);
  return 0;
}

int Create(const char* path, mode_t mode, fuse_file_info* fi) {
  DiskState& state = State();
  const std::string rel = Rel(path);
  common::MutexLock lock(state.mutex);
  const bool existed = ::faccessat(state.backing.get(), rel.c_str(), F_OK, 0) == 0;
  const int fd = ::openat(state.backing.get(), rel.c_str(),
                          BackingFlags(fi->flags) | O_CREAT | (fi->flags & O_EXCL), mode);
  if (fd < 0) return Fail();
  if (!existed) state.unsynced.Created(rel);
  fi->fh = static_cast<uint64_t>(fd);
  if (existed && (fi->flags & O_TRUNC) != 0) {
    const int rc = Truncated(state, rel, fd, 0);
    if (rc != 0) {
      ::close(fd);
      fi->fh = 0;
      return rc;
    }
  }
  return 0;
}

int Read(const char* /*path*/, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  DiskState& state = State();
  {
    common::MutexLock lock(state.mutex);
    if (HasEio(state, DiskOp::kRead)) return -EIO;
  }
  const ssize_t n = ::pread(static_cast<int>(fi->fh), buf, size, offset);
  return n >= 0 ? static_cast<int>(n) : Fail();
}

int Write(const char* path, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  DiskState& state = State();
  const int fd = static_cast<int>(fi->fh);
  common::MutexLock lock(state.mutex);
  if (HasEio(state, DiskOp::kWrite)) return -EIO;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail();
  if ((fi->flags & O_APPEND) != 0) offset = st.st_size;  // the backing fd appends too
  if (state.faults.full && offset + static_cast<off_t>(size) > st.st_size) return -ENOSPC;
  if (path != nullptr && !state.unsynced.BeforeWrite(Rel(path), fd, offset, size).ok()) {
    return -EIO;
  }
  const ssize_t n = ::pwrite(fd, buf, size, offset);
  return n >= 0 ? static_cast<int>(n) : Fail();
}

// The added latency, then the fault, then the backing file's own fsync (so a database's timing
// under the layer stays a disk's; the crash itself is simulated by UnsyncedWrites). `fd` is
// the file's backing descriptor, or -1 for a directory (opened here).
int Sync(const char* path, int fd, bool datasync) {
  DiskState& state = State();
  std::chrono::milliseconds delay{0};
  {
    common::MutexLock lock(state.mutex);
    delay = state.faults.fsync_delay;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  {
    common::MutexLock lock(state.mutex);
    if (HasEio(state, DiskOp::kFsync)) return -EIO;
  }
  if (fd < 0) {
    const common::UniqueFd dir(
        ::openat(state.backing.get(), Rel(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return Fail();
    return ::fsync(dir.get()) == 0 ? 0 : Fail();
  }
  if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) != 0) return Fail();
  common::MutexLock lock(state.mutex);
  if (path != nullptr) state.unsynced.Synced(Rel(path));
  return 0;
}

int Fsync(const char* path, int datasync, fuse_file_info* fi) {
  return Sync(path, static_cast<int>(fi->fh), datasync != 0);
}

int FsyncDir(const char* path, int datasync, fuse_file_info* /*fi*/) {
  return Sync(path, -1, datasync != 0);
}

int Release(const char* /*path*/, fuse_file_info* fi) {
  ::close(static_cast<int>(fi->fh));
  return 0;
}

int StatFs(const char* /*path*/, struct statvfs* st) {
  DiskState& state = State();
  if (::fstatvfs(state.backing.get(), st) != 0) return Fail();
  common::MutexLock lock(state.mutex);
  if (state.faults.full) st->f_bfree = st->f_bavail = 0;
  return 0;
}

int UTimens(const char* path, const timespec tv[2], fuse_file_info* fi) {
  const int rc = fi != nullptr ? ::futimens(static_cast<int>(fi->fh), tv)
                               : ::utimensat(State().backing.get(), Rel(path).c_str(), tv, 0);
  return rc == 0 ? 0 : Fail();
}

int ChMod(const char* path, mode_t mode, fuse_file_info* fi) {
  const int rc = fi != nullptr ? ::fchmod(static_cast<int>(fi->fh), mode)
                               : ::fchmodat(State().backing.get(), Rel(path).c_str(), mode, 0);
  return rc == 0 ? 0 : Fail();
}

int ChOwn(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
  const int rc = fi != nullptr ? ::fchown(static_cast<int>(fi->fh), uid, gid)
                               : ::fchownat(State().backing.get(), Rel(path).c_str(), uid, gid, 0);
  return rc == 0 ? 0 : Fail();
}

fuse_operations MakeOperations() {
  fuse_operations ops{};
  ops.init = Init;
  ops.getattr = GetAttr;
  ops.readdir = ReadDir;
  ops.mkdir = MkDir;
  ops.unlink = Unlink;
  ops.rmdir = RmDir;
  ops.rename = Rename;
  ops.truncate = Truncate;
  ops.open = Open;
  ops.create = Create;
  ops.read = Read;
  ops.write = Write;
  ops.fsync = Fsync;
  ops.fsyncdir = FsyncDir;
  ops.release = Release;
  ops.statfs = StatFs;
  ops.utimens = UTimens;
  ops.chmod = ChMod;
  ops.chown = ChOwn;
  return ops;
}

}  // namespace

const fuse_operations& Operations() {
  static const fuse_operations kOperations = MakeOperations();
  return kOperations;
}

}  // namespace diskfs

#include "refdb/storage/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <utility>

namespace refdb::storage {
namespace {

Status ErrnoStatus(const std::string& path, std::string_view action, int error_number) {
  std::string message = path + ": " + std::string(action) + ": " + std::strerror(error_number);
  if (error_number == ENOSPC) return Status::ResourceExhausted(std::move(message));
  return Status::IoError(std::move(message));
}

// Owns one descriptor; closing never retries on EINTR (on Linux the fd is gone either way).
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd& operator=(UniqueFd&&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0 && ::close(fd_) != 0) {
      std::cerr << "refdb/storage: close fd " << fd_ << ": " << std::strerror(errno) << "\n";
    }
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<int> OpenRetrying(const std::string& path, int flags, mode_t mode) {
  for (;;) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd >= 0) return fd;
    if (errno != EINTR) return ErrnoStatus(path, "open", errno);
  }
}

Status FsyncRetrying(int fd, const std::string& path) {
  // A failed fsync is never retried in the hope it works: after EIO the kernel may already
  // have dropped the dirty pages ("fsyncgate", PostgreSQL 2018). The caller must stop.
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return ErrnoStatus(path, "fsync", errno);
  }
  return Status::Ok();
}

class PosixFile final : public File {
 public:
  PosixFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  const std::string& path() const override { return path_; }

  // Not O_APPEND: on Linux, pwrite on an O_APPEND descriptor ignores its offset.
  Status Append(std::string_view data) override {
    ASSIGN_OR_RETURN(const uint64_t size_bytes, Size());
    return WriteAt(size_bytes, data);
  }

  Status WriteAt(uint64_t offset, std::string_view data) override {
    size_t written = 0;
    while (written < data.size()) {
      const ssize_t n = ::pwrite(fd_.get(), data.data() + written, data.size() - written,
                                 static_cast<off_t>(offset + written));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(path_, "pwrite", errno);
      written += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Result<std::string> ReadAt(uint64_t offset, size_t size_bytes) override {
    std::string out(size_bytes, '\0');
    size_t done = 0;
    while (done < size_bytes) {
      const ssize_t n = ::pread(fd_.get(), out.data() + done, size_bytes - done,
                                static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(path_, "pread", errno);
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
  }

  Result<uint64_t> Size() override {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return ErrnoStatus(path_, "fstat", errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status Truncate(uint64_t size_bytes) override {
    while (::ftruncate(fd_.get(), static_cast<off_t>(size_bytes)) != 0) {
      if (errno != EINTR) return ErrnoStatus(path_, "ftruncate", errno);
    }
    return Status::Ok();
  }

  Status Sync() override { return FsyncRetrying(fd_.get(), path_); }

 private:
  std::string path_;
  UniqueFd fd_;
};

int OpenFlags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kExisting:
      return O_RDWR;
    case OpenMode::kCreateExclusive:
      return O_RDWR | O_CREAT | O_EXCL;
    case OpenMode::kCreateOrTruncate:
      return O_RDWR | O_CREAT | O_TRUNC;
  }
  return O_RDWR;
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

Result<std::unique_ptr<File>> PosixFileSystem::Open(const std::string& path, OpenMode mode) {
  ASSIGN_OR_RETURN(const int raw_fd, OpenRetrying(path, OpenFlags(mode), 0644));
  return std::unique_ptr<File>(std::make_unique<PosixFile>(path, UniqueFd(raw_fd)));
}

Status PosixFileSystem::Rename(const std::string& source, const std::string& target) {
  if (::rename(source.c_str(), target.c_str()) != 0) {
    return ErrnoStatus(source, "rename to " + target, errno);
  }
  return Status::Ok();
}

Status PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoStatus(path, "unlink", errno);
  return Status::Ok();
}

Result<std::vector<std::string>> PosixFileSystem::ListDir(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
  if (handle == nullptr) return ErrnoStatus(dir, "opendir", errno);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(handle.get());
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return ErrnoStatus(dir, "readdir", errno);
  std::sort(names.begin(), names.end());
  return names;
}

Status PosixFileSystem::SyncDir(const std::string& dir) {
  ASSIGN_OR_RETURN(const int raw_fd, OpenRetrying(dir, O_RDONLY | O_DIRECTORY, 0));
  const UniqueFd fd(raw_fd);
  return FsyncRetrying(fd.get(), dir);
}

Status PosixFileSystem::CreateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus(dir, "mkdir", errno);
  return Status::Ok();
}

Result<bool> PosixFileSystem::Exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoStatus(path, "stat", errno);
}

}  // namespace refdb::storage

#include "orchestrator/run/diskfs/unsynced_writes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "common/errno_text.h"
#include "common/unique_fd.h"

namespace diskfs {

using common::Result;
using common::Status;

namespace {

Status Errno(const std::string& path, const char* action) {
  return Status::IoError(path + ": " + action + ": " + common::ErrnoText(errno));
}

Result<off_t> SizeOf(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno(path, "fstat");
  return st.st_size;
}

}  // namespace

void UnsyncedWrites::Created(const std::string& path) {
  Removed(path);
  files_[path] = File{.synced_size = 0, .images = {}};
}

Result<UnsyncedWrites::File*> UnsyncedWrites::Track(const std::string& path, int fd) {
  auto found = files_.find(path);
  if (found != files_.end()) return &found->second;
  ASSIGN_OR_RETURN(const off_t size, SizeOf(fd, path));
  return &files_.emplace(path, File{.synced_size = size, .images = {}}).first->second;
}

Status UnsyncedWrites::Keep(File& file, int fd, off_t from, off_t to, const std::string& path) {
  ASSIGN_OR_RETURN(const off_t size, SizeOf(fd, path));
  to = std::min({to, size, file.synced_size});
  if (from >= to) return Status::Ok();
  std::string bytes(static_cast<size_t>(to - from), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pread(fd, bytes.data() + done, bytes.size() - done, from + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno(path, "pread (before image)");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  image_bytes_ += bytes.size();
  file.images.push_back({.offset = from, .bytes = std::move(bytes)});
  return Status::Ok();
}

Status UnsyncedWrites::BeforeWrite(const std::string& path, int fd, off_t offset, size_t length) {
  ASSIGN_OR_RETURN(File * file, Track(path, fd));
  return Keep(*file, fd, offset, offset + static_cast<off_t>(length), path);
}

Status UnsyncedWrites::BeforeTruncate(const std::string& path, int fd, off_t size) {
  common::UniqueFd opened;
  if (fd < 0) {
    opened = common::UniqueFd(::openat(backing_fd_, path.c_str(), O_RDONLY | O_CLOEXEC));
    if (opened.get() < 0) return Errno(path, "open (before truncate)");
    fd = opened.get();
  }
  ASSIGN_OR_RETURN(File * file, Track(path, fd));
  ASSIGN_OR_RETURN(const off_t current, SizeOf(fd, path));
  return Keep(*file, fd, size, current, path);
}

void UnsyncedWrites::Synced(const std::string& path) { Removed(path); }

void UnsyncedWrites::Removed(const std::string& path) {
  auto found = files_.find(path);
  if (found == files_.end()) return;
  for (const Image& image : found->second.images) image_bytes_ -= image.bytes.size();
  files_.erase(found);
}

void UnsyncedWrites::Renamed(const std::string& from, const std::string& to) {
  Removed(to);
  std::vector<std::pair<std::string, File>> moved;
  const std::string subtree = from + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || it->first.starts_with(subtree)) {
      moved.emplace_back(to + it->first.substr(from.size()), std::move(it->second));
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, file] : moved) files_[path] = std::move(file);
}

Status UnsyncedWrites::Revert(const std::string& path, const File& file) {
  common::UniqueFd fd(::openat(backing_fd_, path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno(path, "open (revert)");
  for (size_t i = file.images.size(); i-- > 0;) {  // newest first
    const Image& image = file.images[i];
    size_t done = 0;
    while (done < image.bytes.size()) {
      const ssize_t n = ::pwrite(fd.get(), image.bytes.data() + done, image.bytes.size() - done,
                                 image.offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Errno(path, "pwrite (revert)");
      done += static_cast<size_t>(n);
    }
  }
  if (::ftruncate(fd.get(), file.synced_size) != 0) return Errno(path, "ftruncate (revert)");
  return Status::Ok();
}

Result<std::vector<std::string>> UnsyncedWrites::Crash() {
  Status first;
  std::vector<std::string> reverted;
  for (const auto& [path, file] : files_) {
    const Status status = Revert(path, file);
    if (status.ok()) {
      reverted.push_back(path);
    } else if (first.ok()) {
      first = status;
    }
  }
  files_.clear();
  image_bytes_ = 0;
  if (!first.ok()) return first;
  return reverted;
}

}  // namespace diskfs

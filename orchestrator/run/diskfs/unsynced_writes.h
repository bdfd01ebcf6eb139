// UnsyncedWrites: what splitbrain-diskfs needs to make a file forget every write since its last
// fsync, as a machine crash would. Writes go through to the backing file at once (reads are
// then plain reads of the backing file); before a write or truncate changes bytes of a file,
// the bytes it overwrites are kept in memory (a "before image"), with the file's size at its
// last fsync. Crash() puts the before images back, newest first, and truncates each file to its
// synced size, so every file reads as it did at its last fsync; Synced() forgets a file's
// images once its data is durable.
//
// The rule for names (documented in README.md): creating, renaming and removing names are
// durable at once (as on a filesystem mounted with `dirsync`), but a new file's data is not: a
// file created and written without an fsync is empty after a crash, and a file renamed over
// another takes its unsynced state with it (the crash state ext4 gives for write-then-rename
// without fsync). Only bytes below the synced size need images: bytes past it vanish with the
// final truncate.
//
// Paths are relative to the backing directory ("log/00001.wal"). Not thread-safe: the caller
// serialises every call (splitbrain-diskfs holds one mutex).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace diskfs {

class UnsyncedWrites {
 public:
  // `backing_fd` is a directory descriptor the paths are relative to; it must outlive this.
  explicit UnsyncedWrites(int backing_fd) : backing_fd_(backing_fd) {}

  // A file created now: after a crash it is empty.
  void Created(const std::string& path);
  // Before `length` bytes are written at `offset` through `fd` (open on `path`).
  common::Status BeforeWrite(const std::string& path, int fd, off_t offset, size_t length);
  // Before the file is truncated (or extended) to `size` through `fd` (-1: by path).
  common::Status BeforeTruncate(const std::string& path, int fd, off_t size);
  // After a successful fsync or fdatasync of `path`: its current contents are durable.
  void Synced(const std::string& path);
  // After a successful rename (a directory moves its whole subtree).
  void Renamed(const std::string& from, const std::string& to);
  // After a successful unlink.
  void Removed(const std::string& path);

  // Reverts every file to its last synced contents and forgets every image. Returns the paths
  // it reverted (for the caller to drop kernel caches); the first error stops nothing, and is
  // returned after every file was tried.
  common::Result<std::vector<std::string>> Crash();

  size_t files() const { return files_.size(); }
  uint64_t image_bytes() const { return image_bytes_; }

 private:
  struct Image {
    off_t offset;
    std::string bytes;
  };
  struct File {
    off_t synced_size;
    std::vector<Image> images;  // oldest first
  };

  // The file's record, created with its current size as the synced size.
  common::Result<File*> Track(const std::string& path, int fd);
  // Keeps the bytes of [from, to) that lie below the synced size.
  common::Status Keep(File& file, int fd, off_t from, off_t to, const std::string& path);
  common::Status Revert(const std::string& path, const File& file);

  int backing_fd_;
  std::map<std::string, File> files_;
  uint64_t image_bytes_ = 0;
};

}  // namespace diskfs

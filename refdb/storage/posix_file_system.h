// PosixFileSystem: the FileSystem of production, over POSIX calls.
//
// Every descriptor is opened O_CLOEXEC and owned by an RAII object; calls interrupted by a
// signal (EINTR) are retried; short reads and writes are looped until done. Errors name the
// path, the action and strerror ("/d/x.wal: pwrite: No space left on device"); ENOSPC maps
// to kResourceExhausted, everything else to kIoError. Stateless, so thread-safe; each File
// is not.
#pragma once

#include "refdb/storage/file_system.h"

namespace refdb::storage {

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  Status Rename(const std::string& source, const std::string& target) override;
  Status Remove(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Result<bool> Exists(const std::string& path) override;
};

}  // namespace refdb::storage

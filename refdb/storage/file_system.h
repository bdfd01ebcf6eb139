// FileSystem: every byte refdb/storage reads or writes goes through this interface, so tests
// can fail an fsync, fill the disk, tear the last write and drop unsynced data
// (FaultyFileSystem), while production uses PosixFileSystem. The idea is LevelDB's `Env`
// (include/leveldb/env.h) and its fault_injection_test.cc; the File handle is LogCabin's
// FilesystemUtil::File: a move-only owner of one open file that knows its path for messages.
//
// Paths are plain strings joined with '/'. Every error message names the path, the action
// and the cause ("/data/wal/x.wal: fsync: Input/output error"). A FileSystem must outlive
// every File it opened. Implementations are not thread-safe unless they say so.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace refdb::storage {

using common::Result;
using common::Status;

// An open file. Closing it (the destructor) never throws and never syncs: durability comes
// only from Sync(), and a destructor that synced would hide a missing Sync() in tests.
class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  virtual ~File() = default;

  virtual const std::string& path() const = 0;

  // Writes all of `data` at the end of the file. On failure a prefix may have been written.
  virtual Status Append(std::string_view data) = 0;
  // Writes all of `data` at `offset`, extending the file if needed.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // Reads up to `size_bytes` from `offset`; fewer only at the end of the file.
  virtual Result<std::string> ReadAt(uint64_t offset, size_t size_bytes) = 0;
  virtual Result<uint64_t> Size() = 0;
  virtual Status Truncate(uint64_t size_bytes) = 0;
  // Makes the file's contents durable (fsync). Does not make its directory entry durable:
  // that needs FileSystem::SyncDir of the parent.
  virtual Status Sync() = 0;
};

enum class OpenMode {
  kExisting,          // the file must exist
  kCreateExclusive,   // the file must not exist
  kCreateOrTruncate,  // created if missing, emptied if present
};

class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  virtual ~FileSystem() = default;

  // Opens for reading and writing.
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;
  // Atomically replaces `target` with `source` (rename(2)). Durable after SyncDir.
  virtual Status Rename(const std::string& source, const std::string& target) = 0;
  // Durable after SyncDir of the parent.
  virtual Status Remove(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Makes creations, renames and removals of `dir`'s entries durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Creates `dir`; succeeds if it already exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Result<bool> Exists(const std::string& path) = 0;
};

// `dir` + "/" + `name`.
std::string JoinPath(std::string_view dir, std::string_view name);

// The whole contents of the file at `path`.
Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);

}  // namespace refdb::storage

// FaultyFileSystem: an in-memory FileSystem that remembers what is durable, for tests.
//
// Like LevelDB's db/fault_injection_test.cc, it tracks for every file which contents were
// made durable by File::Sync and for every directory which entries (creations, renames,
// removals) were made durable by SyncDir. Crash() then throws away everything that was not:
// each file goes back to its contents as of its last Sync, each directory to its entries as
// of its last SyncDir. This is the strictest behaviour POSIX allows (a real disk may keep
// more), so code that survives it does not depend on luck.
//
// Faults, each armed explicitly by the test:
//   FailNextSync()      the next File::Sync or SyncDir fails with EIO (data stays unsynced);
//   FailSyncAfter(n)    the same, for the sync after the next n successful ones;
//   SetSpaceLimit(n)    writes beyond n more bytes fail with ENOSPC after writing what fits;
//   TearLastWrite(k)    the last write keeps only its first k bytes, as durable bytes: a power
//                       cut while it was in flight. Follow it with Crash().
// After Crash() every File opened before it fails: the process that held it is gone.
// Directories are durable as soon as CreateDir returns. Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "refdb/storage/file_system.h"

namespace refdb::storage {

class FaultyFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  Status Rename(const std::string& source, const std::string& target) override;
  Status Remove(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Result<bool> Exists(const std::string& path) override;

  void FailNextSync() { FailSyncAfter(0); }
  void FailSyncAfter(int successful_syncs) { syncs_before_failure_ = successful_syncs; }
  void ClearSyncFault() { syncs_before_failure_.reset(); }
  void SetSpaceLimit(uint64_t more_bytes) { space_left_bytes_ = more_bytes; }
  void ClearSpaceLimit() { space_left_bytes_.reset(); }
  // Fails with kInvalidArgument if there was no write, it was synced since, its file is gone,
  // it did not end at the end of its file, or keep_bytes is not shorter than it.
  Status TearLastWrite(size_t keep_bytes);
  void Crash();

  int sync_count() const { return sync_count_; }

  // The file-level state, shared with the File handles (public only for them).
  struct Inode {
    std::string data;
    std::string synced_data;
  };
  struct Directory {
    std::map<std::string, std::shared_ptr<Inode>> entries;
    std::map<std::string, std::shared_ptr<Inode>> synced_entries;
  };
  struct LastWrite {
    std::weak_ptr<Inode> inode;
    uint64_t offset = 0;
    size_t size_bytes = 0;
  };

  // Called by handles; not part of the FileSystem contract.
  Status CheckGeneration(uint64_t generation, const std::string& path) const;
  Status Write(const std::shared_ptr<Inode>& inode, const std::string& path, uint64_t offset,
               std::string_view data);
  Status SyncInode(Inode& inode, const std::string& path);
  uint64_t generation() const { return generation_; }

 private:
  Result<Directory*> FindDir(const std::string& dir, const std::string& path_for_error);
  Status ConsumeSyncFault(const std::string& path);

  std::map<std::string, Directory> dirs_;
  uint64_t generation_ = 0;                  // bumped by Crash(); stale handles fail
  std::optional<int> syncs_before_failure_;  // armed sync fault
  std::optional<uint64_t> space_left_bytes_;
  std::optional<LastWrite> last_write_;
  int sync_count_ = 0;
};

}  // namespace refdb::storage

// StableStore: the hard state (term, vote, commit) and the latest snapshot, each replaced
// atomically, so a crash at any instant leaves either the old value or the new one, whole.
// Not thread-safe: the server's single loop owns it.
//
// Files, in one directory (which may be shared with the log; the names do not clash):
//   hard-state      the current HardState
//   snapshot        the latest snapshot: SnapshotMeta and the data, in one file
//   *.tmp           a replacement being written; removed by Open (a crash left it behind)
//
// Replacing follows the classic recipe: write `<name>.tmp`, fsync it, rename it over
// `<name>`, fsync the directory. rename(2) is atomic, so readers see the old file or the
// new one; the first fsync guarantees the new file has its contents before its name points
// at them (without it a crash can leave an empty or partial file under the real name, the
// ext4 "zero-length file" problem); the directory fsync makes the rename itself durable, so
// a vote is never forgotten after it was sent (§5.2: at most one vote per term).
//
// Each file is an envelope: magic (4 bytes), CRC32C (4 bytes) of what follows, payload size
// (8 bytes), payload; integers little-endian. A file that fails the check is an error, never
// a default: a node that forgot its vote could vote twice in one term.
//   hard-state payload: term (8), vote (8), commit (8)
//   snapshot payload:   index (8), term (8), members size (8), members, data (the rest)
//
// Like SegmentedLog, a failed write or fsync is final: every later Save returns it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "refdb/storage/file_system.h"
#include "refdb/storage/records.h"

namespace refdb::storage {

class StableStore {
 public:
  // Opens the store in `dir` (which must exist). `fs` must outlive the store.
  static Result<StableStore> Open(FileSystem& fs, std::string dir);

  // nullopt if no hard state was ever saved; an error if the file is damaged.
  Result<std::optional<HardState>> LoadHardState();
  Status SaveHardState(const HardState& hard_state);

  // nullopt if no snapshot was ever saved; an error if the file is damaged.
  Result<std::optional<Snapshot>> LoadSnapshot();
  // Replaces the previous snapshot, if any.
  Status SaveSnapshot(const SnapshotMeta& meta, std::string_view data);

  static constexpr std::string_view kHardStateFileName = "hard-state";
  static constexpr std::string_view kSnapshotFileName = "snapshot";

 private:
  StableStore(FileSystem& fs, std::string dir) : fs_(&fs), dir_(std::move(dir)) {}

  Status RemoveLeftovers();
  Status ReplaceFile(std::string_view name, uint32_t magic, std::string_view payload);
  Result<std::optional<std::string>> ReadPayload(std::string_view name, uint32_t magic);

  FileSystem* fs_;
  std::string dir_;
  Status failure_;  // the first failed write or fsync; then sticky
};

}  // namespace refdb::storage

// Fuzz target: the stable store's files (stable_store.h), the hard state (term, vote, commit)
// and the snapshot file's framing, read from arbitrary bytes on the in-memory FaultyFileSystem.
//
// Input (fuzz_input.h): a flags byte, a piece for the `hard-state` file and the rest for the
// `snapshot` file. Flag bits: 0 recompute the envelopes' checksums (so mutations reach the
// size and payload checks behind the CRC); 1 the hard-state file exists; 2 the snapshot file
// exists; 3 leave a `snapshot.tmp` behind (a crash during a save).
//
// Beyond "no crash" it holds that
//   - Open succeeds and removes the leftover .tmp file;
//   - an absent file loads as nothing; a damaged one gives an IoError naming the file;
//   - a file that loads is exactly the encoding of what it loaded: saving the loaded value
//     writes the same bytes (so nothing in it was ignored), and it loads back equal.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/fuzz/storage_input.h"
#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/stable_store.h"

namespace refdb::fuzz {
namespace {

using storage::FaultyFileSystem;
using storage::StableStore;

constexpr uint8_t kFixChecksums = 1;
constexpr uint8_t kHasHardState = 2;
constexpr uint8_t kHasSnapshot = 4;
constexpr uint8_t kHasLeftover = 8;
constexpr char kDir[] = "/data";

void WriteFile(FaultyFileSystem& fs, std::string_view name, std::string_view contents) {
  auto file = fs.Open(storage::JoinPath(kDir, name), storage::OpenMode::kCreateOrTruncate);
  CHECK(file.ok()) << file.status().message();
  CHECK((*file)->Append(contents).ok());
  CHECK((*file)->Sync().ok());
}

std::string ReadFile(FaultyFileSystem& fs, std::string_view name) {
  auto contents = storage::ReadWholeFile(fs, storage::JoinPath(kDir, name));
  CHECK(contents.ok()) << contents.status().message();
  return *contents;
}

template <typename T>
void CheckFailure(const common::Result<T>& loaded, std::string_view name) {
  CHECK(loaded.status().code() == common::StatusCode::kIoError) << loaded.status().message();
  CHECK(loaded.status().message().starts_with(storage::JoinPath(kDir, name)))
      << loaded.status().message();
}

void CheckHardState(FaultyFileSystem& fs, StableStore& store, bool exists) {
  auto loaded = store.LoadHardState();
  if (!loaded.ok()) return CheckFailure(loaded, StableStore::kHardStateFileName);
  CHECK(loaded->has_value() == exists);
  if (!exists) return;
  const std::string original = ReadFile(fs, StableStore::kHardStateFileName);
  CHECK(store.SaveHardState(**loaded).ok());
  CHECK(ReadFile(fs, StableStore::kHardStateFileName) == original)
      << "a hard state that loads is not the encoding of what it loaded";
  auto again = store.LoadHardState();
  CHECK(again.ok() && *again == *loaded);
}

void CheckSnapshot(FaultyFileSystem& fs, StableStore& store, bool exists) {
  auto loaded = store.LoadSnapshot();
  if (!loaded.ok()) return CheckFailure(loaded, StableStore::kSnapshotFileName);
  CHECK(loaded->has_value() == exists);
  if (!exists) return;
  const std::string original = ReadFile(fs, StableStore::kSnapshotFileName);
  CHECK(store.SaveSnapshot((*loaded)->meta, (*loaded)->data).ok());
  CHECK(ReadFile(fs, StableStore::kSnapshotFileName) == original)
      << "a snapshot that loads is not the encoding of what it loaded";
  auto again = store.LoadSnapshot();
  CHECK(again.ok() && *again == *loaded);
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using refdb::fuzz::kDir;
  refdb::fuzz::ByteReader reader(data, size);
  const uint8_t flags = reader.TakeByte();
  std::string hard_state(reader.TakePiece());
  std::string snapshot(reader.TakeRest());
  if ((flags & refdb::fuzz::kFixChecksums) != 0) {
    refdb::fuzz::FixEnvelopeChecksum(hard_state);
    refdb::fuzz::FixEnvelopeChecksum(snapshot);
  }
  refdb::storage::FaultyFileSystem fs;
  CHECK(fs.CreateDir(kDir).ok());
  const bool has_hard_state = (flags & refdb::fuzz::kHasHardState) != 0;
  const bool has_snapshot = (flags & refdb::fuzz::kHasSnapshot) != 0;
  if (has_hard_state) refdb::fuzz::WriteFile(fs, "hard-state", hard_state);
  if (has_snapshot) refdb::fuzz::WriteFile(fs, "snapshot", snapshot);
  if ((flags & refdb::fuzz::kHasLeftover) != 0) refdb::fuzz::WriteFile(fs, "snapshot.tmp", "x");
  CHECK(fs.SyncDir(kDir).ok());
  auto store = refdb::storage::StableStore::Open(fs, kDir);
  CHECK(store.ok()) << store.status().message();
  auto exists = fs.Exists(refdb::storage::JoinPath(kDir, "snapshot.tmp"));
  CHECK(exists.ok() && !*exists) << "a leftover .tmp survived Open";
  refdb::fuzz::CheckHardState(fs, *store, has_hard_state);
  refdb::fuzz::CheckSnapshot(fs, *store, has_snapshot);
  return 0;
}

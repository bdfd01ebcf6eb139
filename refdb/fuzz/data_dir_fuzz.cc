// Fuzz target: a whole refdb data directory read at startup, as the server does it: the log
// segments, the hard state and the snapshot together (server::DiskLogStore::Open), then the
// Raft core opened over them (raft::Node::Open), on the in-memory FaultyFileSystem. The other
// storage targets take each file alone; this one finds what no single file shows: a snapshot
// and a log that do not fit together, a membership blob that does not decode, an entry type or
// a hard state the core cannot take.
//
// Input (fuzz_input.h): a flags byte, a piece for `hard-state`, a piece for `snapshot`, then
// the log directory's files (storage_input.h, TakeLogFiles). Flag bits: 0 recompute every
// checksum; 1 the hard-state file exists; 2 the snapshot file exists.
//
// Beyond "no crash" it holds that
//   - a directory that does not open gives an error Status;
//   - one that opens keeps the LogStore contract (entries right after the snapshot, with
//     consecutive indexes, known types and the terms Term() reports; a commit index within
//     [snapshot index, last index]; the snapshot's voters non-zero and increasing);
//   - the core either opens over it with its invariants holding, or answers InvalidArgument;
//   - a node that opens can campaign and win alone, persisting through the store, and what
//     it persisted is there when the directory is opened again.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/check.h"
#include "common/rng.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/fuzz/storage_input.h"
#include "refdb/raft/invariants.h"
#include "refdb/raft/node.h"
#include "refdb/server/disk_log_store.h"
#include "refdb/storage/faulty_file_system.h"

namespace refdb::fuzz {
namespace {

using server::DiskLogStore;

constexpr uint8_t kFixChecksums = 1;
constexpr uint8_t kHasHardState = 2;
constexpr uint8_t kHasSnapshot = 4;
constexpr char kDir[] = "/node";

void WriteDataDir(storage::FaultyFileSystem& fs, ByteReader& reader) {
  const uint8_t flags = reader.TakeByte();
  const bool fix = (flags & kFixChecksums) != 0;
  std::string hard_state(reader.TakePiece());
  std::string snapshot(reader.TakePiece());
  if (fix) {
    FixEnvelopeChecksum(hard_state);
    FixEnvelopeChecksum(snapshot);
  }
  Files files;
  if ((flags & kHasHardState) != 0) files["hard-state"] = hard_state;
  if ((flags & kHasSnapshot) != 0) files["snapshot"] = snapshot;
  WriteFiles(fs, kDir, files);
  WriteFiles(fs, storage::JoinPath(kDir, "log"), TakeLogFiles(reader, fix));
}

std::unique_ptr<DiskLogStore> OpenStore(storage::FaultyFileSystem& fs) {
  auto store = DiskLogStore::Open(fs, kDir, [](const std::function<void()>& job) { job(); });
  if (!store.ok()) {
    CHECK(!store.status().message().empty());
    return nullptr;
  }
  return std::move(store).value();
}

void CheckLogStore(const DiskLogStore& store) {
  const raft::Snapshot& snapshot = store.snapshot();
  CHECK(store.FirstIndex() == snapshot.index + 1);
  CHECK(store.LastIndex() >= snapshot.index);
  CHECK(store.hard_state().commit >= snapshot.index &&
        store.hard_state().commit <= store.LastIndex());
  for (size_t i = 0; i < snapshot.members.size(); ++i) {
    CHECK(snapshot.members[i] != raft::kNoNode);
    CHECK(i == 0 || snapshot.members[i - 1] < snapshot.members[i]);
  }
  CHECK(store.Term(snapshot.index) == snapshot.term);
  const std::vector<raft::Entry> entries = store.Entries(store.FirstIndex(), store.LastIndex() + 1);
  CHECK(entries.size() == store.LastIndex() - snapshot.index);
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].index == store.FirstIndex() + i);
    CHECK(entries[i].type == raft::EntryType::kNormal ||
          entries[i].type == raft::EntryType::kConfChange ||
          entries[i].type == raft::EntryType::kEmpty)
        << "entry " << entries[i].index << " has an unknown type "
        << static_cast<int>(entries[i].type);
    CHECK(store.Term(entries[i].index) == entries[i].term);
  }
}

// Campaigns as the only voter it knows of (a bootstrap single-node config when the directory
// names no voters) and persists every Ready into the store, as the server loop does.
void CampaignAndPersist(raft::Node& node, DiskLogStore& store) {
  (void)node.Campaign();
  for (int round = 0; round < 4 && node.HasReady(); ++round) {
    raft::Ready rd = node.TakeReady();
    const common::Status persisted = store.Persist(rd.snapshot, rd.entries, rd.hard_state, true);
    CHECK(persisted.ok()) << persisted.message();
    node.Advance(rd);
    raft::CheckInvariants(node);
  }
}

void CheckNode(storage::FaultyFileSystem& fs, std::unique_ptr<DiskLogStore> store) {
  common::Rng rng(1);
  auto node = raft::Node::Open({.id = 1, .peers = {1}}, *store, rng);
  if (!node.ok()) {
    CHECK(node.status().code() == common::StatusCode::kInvalidArgument) << node.status().message();
    return;
  }
  raft::CheckInvariants(*node);
  CampaignAndPersist(*node, *store);
  const uint64_t last_index = store->LastIndex();
  const raft::HardState hard_state = store->hard_state();
  store.reset();
  std::unique_ptr<DiskLogStore> reopened = OpenStore(fs);
  CHECK(reopened != nullptr) << "a directory the node wrote does not open again";
  CHECK(reopened->LastIndex() == last_index);
  CHECK(reopened->hard_state().term == hard_state.term);
  CHECK(reopened->hard_state().vote == hard_state.vote);
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refdb::fuzz::ByteReader reader(data, size);
  refdb::storage::FaultyFileSystem fs;
  refdb::fuzz::WriteDataDir(fs, reader);
  std::unique_ptr<refdb::server::DiskLogStore> store = refdb::fuzz::OpenStore(fs);
  if (store == nullptr) return 0;
  refdb::fuzz::CheckLogStore(*store);
  refdb::fuzz::CheckNode(fs, std::move(store));
  return 0;
}

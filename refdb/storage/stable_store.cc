#include "refdb/storage/stable_store.h"

#include "refdb/storage/coding.h"
#include "refdb/storage/crc32c.h"

namespace refdb::storage {
namespace {

constexpr uint32_t kHardStateMagic = 0x31534852;  // "RHS1" on disk
constexpr uint32_t kSnapshotMagic = 0x314E5352;   // "RSN1" on disk
constexpr size_t kEnvelopeHeaderSize = 16;
constexpr size_t kHardStatePayloadSize = 24;
constexpr size_t kSnapshotFixedSize = 24;
constexpr std::string_view kTempSuffix = ".tmp";

std::string Envelope(uint32_t magic, std::string_view payload) {
  std::string body;
  PutFixed64(body, payload.size());
  body.append(payload);
  std::string out;
  PutFixed32(out, magic);
  PutFixed32(out, crc32c::Value(body));
  out.append(body);
  return out;
}

Result<std::string> OpenEnvelope(const std::string& path, uint32_t magic, std::string_view bytes) {
  if (bytes.size() < kEnvelopeHeaderSize) {
    return Status::IoError(path + ": file is " + std::to_string(bytes.size()) +
                           " bytes, shorter than its header; refusing to start");
  }
  if (DecodeFixed32(bytes, 0) != magic) return Status::IoError(path + ": bad magic number");
  const std::string_view body = bytes.substr(8);
  if (crc32c::Value(body) != DecodeFixed32(bytes, 4)) {
    return Status::IoError(path + ": checksum mismatch; refusing to start");
  }
  const uint64_t payload_size = DecodeFixed64(bytes, 8);
  if (payload_size != bytes.size() - kEnvelopeHeaderSize) {
    return Status::IoError(path + ": payload size " + std::to_string(payload_size) +
                           " does not match the file size " + std::to_string(bytes.size()));
  }
  return std::string(bytes.substr(kEnvelopeHeaderSize));
}

}  // namespace

Result<StableStore> StableStore::Open(FileSystem& fs, std::string dir) {
  StableStore store(fs, std::move(dir));
  RETURN_IF_ERROR(store.RemoveLeftovers());
  return store;
}

// A .tmp file is a replacement that a crash interrupted before its rename: never the truth.
Status StableStore::RemoveLeftovers() {
  ASSIGN_OR_RETURN(const std::vector<std::string> names, fs_->ListDir(dir_));
  bool removed_any = false;
  for (const std::string_view name : names) {
    if (name == std::string(kHardStateFileName) + std::string(kTempSuffix) ||
        name == std::string(kSnapshotFileName) + std::string(kTempSuffix)) {
      RETURN_IF_ERROR(fs_->Remove(JoinPath(dir_, name)));
      removed_any = true;
    }
  }
  return removed_any ? fs_->SyncDir(dir_) : Status::Ok();
}

Status StableStore::ReplaceFile(std::string_view name, uint32_t magic, std::string_view payload) {
  RETURN_IF_ERROR(failure_);
  const std::string path = JoinPath(dir_, name);
  const std::string temp_path = path + std::string(kTempSuffix);
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->Open(temp_path, OpenMode::kCreateOrTruncate));
    RETURN_IF_ERROR(file->Append(Envelope(magic, payload)));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(fs_->Rename(temp_path, path));
    return fs_->SyncDir(dir_);
  }();
  if (!status.ok()) failure_ = status.WithContext("stable store unusable after a failure");
  return status;
}

Result<std::optional<std::string>> StableStore::ReadPayload(std::string_view name, uint32_t magic) {
  const std::string path = JoinPath(dir_, name);
  ASSIGN_OR_RETURN(const bool exists, fs_->Exists(path));
  if (!exists) return std::optional<std::string>();
  ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(*fs_, path));
  ASSIGN_OR_RETURN(std::string payload, OpenEnvelope(path, magic, bytes));
  return std::optional<std::string>(std::move(payload));
}

Status StableStore::SaveHardState(const HardState& hard_state) {
  std::string payload;
  PutFixed64(payload, hard_state.term);
  PutFixed64(payload, hard_state.vote);
  PutFixed64(payload, hard_state.commit);
  return ReplaceFile(kHardStateFileName, kHardStateMagic, payload);
}

Result<std::optional<HardState>> StableStore::LoadHardState() {
  ASSIGN_OR_RETURN(const std::optional<std::string> payload,
                   ReadPayload(kHardStateFileName, kHardStateMagic));
  if (!payload) return std::optional<HardState>();
  if (payload->size() != kHardStatePayloadSize) {
    return Status::IoError(JoinPath(dir_, kHardStateFileName) + ": payload is " +
                           std::to_string(payload->size()) + " bytes, expected 24");
  }
  return std::optional<HardState>(HardState{.term = DecodeFixed64(*payload, 0),
                                            .vote = DecodeFixed64(*payload, 8),
                                            .commit = DecodeFixed64(*payload, 16)});
}

Status StableStore::SaveSnapshot(const SnapshotMeta& meta, std::string_view data) {
  std::string payload;
  payload.reserve(kSnapshotFixedSize + meta.members_blob.size() + data.size());
  PutFixed64(payload, meta.index);
  PutFixed64(payload, meta.term);
  PutFixed64(payload, meta.members_blob.size());
  payload.append(meta.members_blob);
  payload.append(data);
  return ReplaceFile(kSnapshotFileName, kSnapshotMagic, payload);
}

Result<std::optional<Snapshot>> StableStore::LoadSnapshot() {
  ASSIGN_OR_RETURN(const std::optional<std::string> payload,
                   ReadPayload(kSnapshotFileName, kSnapshotMagic));
  if (!payload) return std::optional<Snapshot>();
  const std::string_view bytes = *payload;
  const uint64_t members_size = bytes.size() >= kSnapshotFixedSize ? DecodeFixed64(bytes, 16) : 0;
  if (bytes.size() < kSnapshotFixedSize || bytes.size() - kSnapshotFixedSize < members_size) {
    return Status::IoError(JoinPath(dir_, kSnapshotFileName) + ": truncated snapshot metadata");
  }
  Snapshot snapshot;
  snapshot.meta.index = DecodeFixed64(bytes, 0);
  snapshot.meta.term = DecodeFixed64(bytes, 8);
  snapshot.meta.members_blob = std::string(bytes.substr(kSnapshotFixedSize, members_size));
  snapshot.data = std::string(bytes.substr(kSnapshotFixedSize + members_size));
  return std::optional<Snapshot>(std::move(snapshot));
}

}  // namespace refdb::storage

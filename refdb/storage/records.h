// The plain values refdb/storage persists: log records, the hard state and snapshots.
//
// They are deliberately independent of the Raft core's types (refdb/raft), so the two can
// evolve separately; refdb/server adapts between them. All are plain copyable values.
#pragma once

#include <cstdint>
#include <string>

namespace refdb::storage {

// One entry of the replicated log. `type` is opaque to storage (the core's entry kind).
struct LogRecord {
  uint64_t index = 0;
  uint64_t term = 0;
  uint8_t type = 0;
  std::string data;

  friend bool operator==(const LogRecord&, const LogRecord&) = default;
};

// What Raft must remember across a restart (§5.1, Figure 2): current term, voted for, and the
// commit index (not required by the paper, but it lets a restarted node apply sooner).
struct HardState {
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;

  friend bool operator==(const HardState&, const HardState&) = default;
};

// Describes a snapshot: the last index and term it covers (§7) and the cluster membership as
// of that index, serialized by the caller.
struct SnapshotMeta {
  uint64_t index = 0;
  uint64_t term = 0;
  std::string members_blob;

  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

struct Snapshot {
  SnapshotMeta meta;
  std::string data;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

}  // namespace refdb::storage

// DiskFaults: the disk faults in force on one node, as plain data. The nemesis computes a
// node's whole set from its active disk faults and hands it to NodeControl::SetDiskFaults; the
// orchestrator passes it on to the node's FUSE layer (orchestrator/run/diskfs/), which makes
// every file under the node's data dir behave accordingly:
//   eio           each listed operation fails with EIO (read, write, fsync; fsync includes
//                 fdatasync and a directory's fsync)
//   fsync_delay   every fsync waits this long before it is done
//   full          a write or truncate that would grow a file fails with ENOSPC
// DiskProbe is what a probe through a node's data dir saw (NodeControl::ProbeDisk).
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nemesis {

enum class DiskOp { kRead, kWrite, kFsync };

std::string_view DiskOpName(DiskOp op);  // "read", "write", "fsync"
common::Result<DiskOp> ParseDiskOp(std::string_view name);

struct DiskFaults {
  std::set<DiskOp> eio;
  std::chrono::milliseconds fsync_delay{0};
  bool full = false;
  bool operator==(const DiskFaults&) const = default;
  bool none() const { return eio.empty() && fsync_delay.count() == 0 && !full; }
};

// One probe file written, fsynced, read back and removed in a node's data dir: the errno each
// step saw (0: it worked; fsync and read are tried only when the write worked) and how long
// the fsync took.
struct DiskProbe {
  int write_errno = 0;
  int fsync_errno = 0;
  int read_errno = 0;
  std::chrono::milliseconds fsync_time{0};
};

}  // namespace nemesis

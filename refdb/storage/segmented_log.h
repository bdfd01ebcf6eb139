// SegmentedLog: refdb's write-ahead log of Raft entries, in segment files with CRC32C-framed
// records. It guarantees that a record covered by a successful Sync() survives any crash, and
// that a node whose log was damaged anywhere but at its unsynced tail refuses to start rather
// than serve a wrong log. Not thread-safe: the server's single loop owns it.
//
// Files. The log lives in one directory as segment files named
// `seg-<first index, 20 digits>.wal`, e.g. `seg-00000000000000000042.wal` holds records
// 42, 43, ... in order. The zero padding makes name order equal index order. Naming a segment
// by its first index (instead of a sequence number, or LogCabin's open-N / closed-A-B) means
// the directory alone says where every record must be, so recovery can check the chain:
// each segment must start exactly one past where the previous one ended. A gap means a
// segment went missing and recovery refuses (a missing segment could hold committed
// entries). Other files in the directory are ignored.
//
// Records. Each record is framed as described in log_format.h: a 4-byte data length, a
// CRC32C, then index, term, type and data. The length comes first so a reader knows where the
// next record starts; the CRC covers the length too, so a flipped length bit is a checksum
// failure instead of a jump into the middle of some data. The index is stored (not derived
// from position) so recovery can check that indexes increase by exactly one: a gap or a
// repeat is corruption, even if every CRC matches.
//
// Only the last segment is ever written ("open"); the others are closed and immutable.
// Appends are buffered in memory; Sync() writes them out and fsyncs once, so many appends
// share one fsync (group commit: the server collects every entry of one loop iteration, then
// calls Sync() once before acknowledging any of them). When a segment would grow past
// Options::max_segment_size_bytes, it is fsynced and then the next segment is created and
// its directory entry fsynced. That order matters: a segment becomes "closed" the moment a
// later one exists, and closed segments must be complete, so the earlier one is durable
// before the later one can appear. Segments let TruncatePrefix free space by deleting whole
// files (after a snapshot) instead of rewriting the log.
//
// Recovery (Open). Segments are read in order; every record's CRC, index sequence and
// non-decreasing term are checked. A crash while writing can leave the end of the LAST
// segment torn: a short header, a short payload, or a bad CRC in the final record. Those
// bytes were never covered by a successful Sync (which would have made them whole), so they
// are cut off and Options::log_line reports it. Anything else is corruption and Open fails
// with the file, the offset and the reason: a bad record followed by a valid one (so it is
// not the tail; the data after it was written, and possibly synced and acknowledged, later),
// a bad record in a closed segment, an index gap or repeat, a missing segment, a segment named
// with a first index outside [1, 2^63] (indexes start at 1; no log gets near 2^63, and past it
// LastIndex() could wrap around). We do not try to repair: Raft tolerates a node that is down,
// not one that serves a wrong log (LogCabin PANICs in Storage/SegmentedLog.cc for the same
// reason). An operator can wipe the node and let it catch up from the leader.
//
// Open ends by fsyncing the last segment and the directory, so every record it shows is
// durable. Without that, a process that wrote records and exited before its Sync (or whose
// fsync failed) would leave them in the page cache only; restarted, it would advertise them,
// a leader could count them toward a commit (§5.3), and a power cut would then lose a
// committed entry. Closed segments need no such fsync: they were fsynced before closing.
//
// Truncation keeps every intermediate on-disk state a valid log, so a crash in the middle of
// one never makes the node refuse to start. TruncateSuffix deletes later segments newest
// first, then shortens the segment holding the cut (shortening first would leave a gap
// before the later segments). TruncatePrefix deletes segments oldest first; when the whole
// log goes it empties the last segment and renames it to the new first index. Both are
// durable when they return.
//
// Failed writes are final: after any failed write or fsync every mutating call returns the
// error. After a failed fsync the kernel may have dropped the dirty pages while reporting
// them clean, so a retry that "succeeds" proves nothing ("fsyncgate", PostgreSQL 2018). The
// node must restart and recover from what is really on disk.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "refdb/storage/file_system.h"
#include "refdb/storage/log_format.h"
#include "refdb/storage/records.h"

namespace refdb::storage {

class SegmentedLog {
 public:
  struct Options {
    // A segment is closed once the next record would take it past this size; a bigger
    // record gets a segment of its own.
    uint64_t max_segment_size_bytes = uint64_t{8} << 20;
    // Append writes buffered records out (without fsync) once they exceed this.
    size_t max_buffered_bytes = size_t{1} << 20;
    // Receives one line per recovery action (e.g. a torn tail cut off). Defaults to stderr.
    std::function<void(const std::string&)> log_line = nullptr;
  };

  // Opens the log in `dir` (which must exist), recovering it as the header describes; an
  // empty directory gets an empty log whose first index is 1. `fs` must outlive the log.
  static Result<SegmentedLog> Open(FileSystem& fs, std::string dir, Options options);

  SegmentedLog(SegmentedLog&&) = default;
  SegmentedLog& operator=(SegmentedLog&&) = default;
  ~SegmentedLog() = default;

  // Buffers `records`, which must continue the log: indexes LastIndex()+1, +2, ... and terms
  // never below the last record's. Not durable until Sync(). Fails with kInvalidArgument
  // (appending nothing) if the records do not continue the log.
  Status Append(std::span<const LogRecord> records);
  // Makes every appended record durable with one fsync (more if segments rolled over).
  Status Sync();
  // Writes every appended record to its segment file (write(2)) without an fsync: a process
  // crash then loses none of them, a machine crash may (only refdb's no-fsync bug uses this).
  Status Flush();
  // Removes records [first_index_to_remove, LastIndex()] (a Raft conflict, §5.3) and syncs.
  // Requires FirstIndex() <= first_index_to_remove; beyond LastIndex() it only syncs.
  Status TruncateSuffix(uint64_t first_index_to_remove);
  // Frees records below first_index_to_keep (covered by a snapshot, §7) a whole segment at a
  // time, so afterwards FirstIndex() <= first_index_to_keep, unless first_index_to_keep >
  // LastIndex(): then the log is emptied and its next record must have index
  // first_index_to_keep. Syncs first; durable on return.
  Status TruncatePrefix(uint64_t first_index_to_keep);

  // The index of the first record; for an empty log, the index its next record must have.
  uint64_t FirstIndex() const { return segments_.front().first_index; }
  // The index of the last record; FirstIndex() - 1 when the log is empty.
  uint64_t LastIndex() const { return FirstIndex() + entries_.size() - 1; }
  // Requires FirstIndex() <= index <= LastIndex(). Valid until the next mutating call.
  const LogRecord& Entry(uint64_t index) const;
  // Records [lo, hi). Requires FirstIndex() <= lo <= hi <= LastIndex() + 1.
  std::vector<LogRecord> Entries(uint64_t lo, uint64_t hi) const;
  // Requires FirstIndex() <= index <= LastIndex().
  uint64_t Term(uint64_t index) const { return Entry(index).term; }

  // File names of the segments, oldest first (for tests and status pages).
  std::vector<std::string> SegmentFileNames() const;

 private:
  struct Segment {
    uint64_t first_index = 0;
    uint64_t size_bytes = 0;  // bytes written to the file so far
  };

  SegmentedLog(FileSystem& fs, std::string dir, Options options);

  // Recovery (segmented_log_recovery.cc).
  Status Recover();
  Result<std::vector<uint64_t>> ListSegments();
  Status RecoverSegment(uint64_t first_index, bool is_last);
  Status HandleBadRecord(const std::string& path, std::string_view contents, size_t offset,
                         DecodeOutcome outcome, bool is_last);
  bool HasValidRecordAfter(std::string_view contents, size_t offset) const;
  Status CutTornTail(const std::string& path, size_t offset, size_t size_bytes,
                     DecodeOutcome outcome);

  // Writing.
  Status WriteBuffered();
  Status WriteToOpenSegment(std::string_view bytes);
  Status CreateSegment(uint64_t first_index);
  Status OpenLastSegment();
  Status RemoveSegmentFile(uint64_t first_index);
  Status RemoveWrittenSuffix(uint64_t first_index_to_remove);
  Status EmptyInto(uint64_t first_index);
  uint64_t OffsetInSegment(const Segment& segment, uint64_t index) const;

  std::string SegmentPath(uint64_t first_index) const;
  Status Usable() const { return failure_; }
  Status Fail(Status status);
  Status Corruption(const std::string& path, size_t offset, const std::string& reason) const;

  FileSystem* fs_;
  std::string dir_;
  Options options_;
  std::vector<Segment> segments_;    // oldest first; never empty once open; the last is open
  std::unique_ptr<File> open_file_;  // the last segment
  std::deque<LogRecord> entries_;    // FirstIndex() .. LastIndex(), synced or not
  uint64_t unwritten_index_ = 1;     // entries from here on are only in memory
  size_t buffered_bytes_ = 0;        // encoded size of the unwritten entries
  bool is_dirty_ = false;            // written to the open segment since its last fsync
  Status failure_;                   // the first failed write or fsync; then sticky
};

}  // namespace refdb::storage

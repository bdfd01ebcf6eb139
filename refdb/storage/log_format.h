// The byte layout of one write-ahead log record and of segment file names; the essay on why
// is in segmented_log.h. Pure functions; thread-safe.
//
//   offset  size  field
//        0     4  length of `data` in bytes (little-endian, like every integer here)
//        4     4  CRC32C of bytes [0, 4) followed by bytes [8, 25 + length)
//        8     8  index
//       16     8  term
//       24     1  type
//       25     n  data
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "refdb/storage/records.h"

namespace refdb::storage {

inline constexpr size_t kRecordHeaderSize = 25;

inline size_t EncodedSize(const LogRecord& record) {
  return kRecordHeaderSize + record.data.size();
}

void AppendEncodedRecord(std::string& out, const LogRecord& record);

enum class DecodeOutcome {
  kOk,
  kShortHeader,       // fewer than kRecordHeaderSize bytes remain
  kShortPayload,      // the length field points past the end of the file
  kChecksumMismatch,  // the bytes are all there but the CRC disagrees
};

const char* DecodeOutcomeName(DecodeOutcome outcome);

struct DecodedRecord {
  DecodeOutcome outcome = DecodeOutcome::kOk;
  LogRecord record;       // valid only when outcome == kOk
  size_t size_bytes = 0;  // header + data, valid only when outcome == kOk
};

// Decodes the record that starts at bytes[0].
DecodedRecord DecodeRecord(std::string_view bytes);

// The index field of a record starting at bytes[0], without checking anything else; nullopt
// if the header is short. Lets a corruption scan skip implausible offsets cheaply.
std::optional<uint64_t> PeekIndex(std::string_view bytes);

// "seg-00000000000000000042.wal": the segment whose first record has index 42.
std::string SegmentFileName(uint64_t first_index);
// The first index named by a segment file name, or nullopt if `name` is not one.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

}  // namespace refdb::storage

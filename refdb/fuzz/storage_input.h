// What the storage fuzz targets share: naming files from one input byte, fixing checksums so
// mutations reach the checks behind them, and writing files into a FaultyFileSystem.
// Pure helpers over in-memory files; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/storage/coding.h"
#include "refdb/storage/crc32c.h"
#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/log_format.h"

namespace refdb::fuzz {

// File name -> contents.
using Files = std::map<std::string, std::string>;

inline constexpr size_t kMaxFiles = 8;

// Name byte n < 200 names the segment whose first index is n; 200..254 the segments just
// below 2^64 (index overflow); 255 a file that is not a segment.
inline std::string LogFileName(uint8_t name_byte) {
  if (name_byte < 200) return storage::SegmentFileName(name_byte);
  if (name_byte < 255) return storage::SegmentFileName(UINT64_MAX - (254 - name_byte));
  return "notes.txt";
}

// Rewrites the checksum of every whole record, walking the file as recovery does.
inline void FixRecordChecksums(std::string& contents) {
  size_t offset = 0;
  while (contents.size() - offset >= storage::kRecordHeaderSize) {
    const std::string_view rest = std::string_view(contents).substr(offset);
    const size_t data_size = storage::DecodeFixed32(rest, 0);
    if (rest.size() - storage::kRecordHeaderSize < data_size) return;
    const storage::LogRecord record{
        .index = storage::DecodeFixed64(rest, 8),
        .term = storage::DecodeFixed64(rest, 16),
        .type = static_cast<uint8_t>(rest[24]),
        .data = std::string(rest.substr(storage::kRecordHeaderSize, data_size))};
    std::string encoded;
    storage::AppendEncodedRecord(encoded, record);
    contents.replace(offset, encoded.size(), encoded);
    offset += encoded.size();
  }
}

// Rewrites the CRC of a stable-store envelope (stable_store.h) over what follows it.
inline void FixEnvelopeChecksum(std::string& envelope) {
  if (envelope.size() < 8) return;
  std::string crc;
  storage::PutFixed32(crc, storage::crc32c::Value(std::string_view(envelope).substr(8)));
  envelope.replace(4, 4, crc);
}

// Up to kMaxFiles log files: a name byte (LogFileName), then a piece of contents each.
inline Files TakeLogFiles(ByteReader& reader, bool fix_checksums) {
  Files files;
  for (size_t i = 0; i < kMaxFiles && !reader.empty(); ++i) {
    const std::string name = LogFileName(reader.TakeByte());
    std::string contents(reader.TakePiece());
    if (fix_checksums) FixRecordChecksums(contents);
    files[name] = std::move(contents);
  }
  return files;
}

// Creates `dir` and writes `files` into it, everything synced.
inline void WriteFiles(storage::FaultyFileSystem& fs, const std::string& dir, const Files& files) {
  CHECK(fs.CreateDir(dir).ok());
  for (const auto& [name, contents] : files) {
    auto file = fs.Open(storage::JoinPath(dir, name), storage::OpenMode::kCreateOrTruncate);
    CHECK(file.ok()) << file.status().message();
    CHECK((*file)->Append(contents).ok());
    CHECK((*file)->Sync().ok());
  }
  CHECK(fs.SyncDir(dir).ok());
}

// Every file of `dir`, as it is now.
inline Files ReadFiles(storage::FaultyFileSystem& fs, const std::string& dir) {
  Files files;
  auto names = fs.ListDir(dir);
  CHECK(names.ok()) << names.status().message();
  for (const std::string& name : *names) {
    auto contents = storage::ReadWholeFile(fs, storage::JoinPath(dir, name));
    if (contents.ok()) files[name] = *contents;  // a subdirectory does not read as a file
  }
  return files;
}

}  // namespace refdb::fuzz

#include "refdb/storage/log_format.h"

#include <cstdio>

#include "refdb/storage/coding.h"
#include "refdb/storage/crc32c.h"

namespace refdb::storage {
namespace {

constexpr std::string_view kSegmentPrefix = "seg-";
constexpr std::string_view kSegmentSuffix = ".wal";
constexpr size_t kSegmentDigits = 20;

// The CRC covers the length field and everything after the CRC field, so a flipped bit in
// the length is caught as surely as one in the data.
uint32_t RecordChecksum(std::string_view record_bytes) {
  const uint32_t crc = crc32c::Value(record_bytes.substr(0, 4));
  return crc32c::Extend(crc, record_bytes.substr(8));
}

}  // namespace

void AppendEncodedRecord(std::string& out, const LogRecord& record) {
  const size_t start = out.size();
  PutFixed32(out, static_cast<uint32_t>(record.data.size()));
  PutFixed32(out, 0);  // CRC placeholder
  PutFixed64(out, record.index);
  PutFixed64(out, record.term);
  out.push_back(static_cast<char>(record.type));
  out.append(record.data);
  std::string crc_bytes;
  PutFixed32(crc_bytes, RecordChecksum(std::string_view(out).substr(start)));
  out.replace(start + 4, 4, crc_bytes);
}

const char* DecodeOutcomeName(DecodeOutcome outcome) {
  switch (outcome) {
    case DecodeOutcome::kOk:
      return "ok";
    case DecodeOutcome::kShortHeader:
      return "short record header";
    case DecodeOutcome::kShortPayload:
      return "short record payload";
    case DecodeOutcome::kChecksumMismatch:
      return "checksum mismatch";
  }
  return "unknown";
}

DecodedRecord DecodeRecord(std::string_view bytes) {
  DecodedRecord decoded;
  if (bytes.size() < kRecordHeaderSize) {
    decoded.outcome = DecodeOutcome::kShortHeader;
    return decoded;
  }
  const uint64_t data_size = DecodeFixed32(bytes, 0);
  if (bytes.size() - kRecordHeaderSize < data_size) {
    decoded.outcome = DecodeOutcome::kShortPayload;
    return decoded;
  }
  const std::string_view record_bytes = bytes.substr(0, kRecordHeaderSize + data_size);
  if (RecordChecksum(record_bytes) != DecodeFixed32(bytes, 4)) {
    decoded.outcome = DecodeOutcome::kChecksumMismatch;
    return decoded;
  }
  decoded.record.index = DecodeFixed64(bytes, 8);
  decoded.record.term = DecodeFixed64(bytes, 16);
  decoded.record.type = static_cast<uint8_t>(bytes[24]);
  decoded.record.data = std::string(record_bytes.substr(kRecordHeaderSize));
  decoded.size_bytes = record_bytes.size();
  return decoded;
}

std::optional<uint64_t> PeekIndex(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderSize) return std::nullopt;
  return DecodeFixed64(bytes, 8);
}

std::string SegmentFileName(uint64_t first_index) {
  char digits[kSegmentDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(first_index));
  return std::string(kSegmentPrefix) + digits + std::string(kSegmentSuffix);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentPrefix.size() + kSegmentDigits + kSegmentSuffix.size() ||
      !name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (const char c : name.substr(kSegmentPrefix.size(), kSegmentDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace refdb::storage

// Fuzz target: the write-ahead log's record framing and segment file names (log_format.h).
//
// The input is read as a segment's bytes: records are decoded one after another, as recovery
// does, until one does not decode. Beyond "no crash" it holds that
//   - a record that decodes re-encodes to exactly the bytes it came from (so its checksum is
//     valid and the decoder invented or dropped nothing), lies within the input, and PeekIndex
//     agrees with it; fewer bytes than a header are always kShortHeader;
//   - any record built from the input survives encode then decode unchanged;
//   - a name that parses as a segment file name is exactly the name SegmentFileName gives.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/storage/coding.h"
#include "refdb/storage/log_format.h"

namespace refdb::fuzz {
namespace {

using storage::DecodedRecord;
using storage::DecodeOutcome;
using storage::kRecordHeaderSize;
using storage::LogRecord;

// Returns the decoded size, 0 when the record does not decode.
size_t CheckOneRecord(std::string_view bytes) {
  const DecodedRecord decoded = storage::DecodeRecord(bytes);
  if (decoded.outcome != DecodeOutcome::kOk) {
    CHECK(std::string_view(storage::DecodeOutcomeName(decoded.outcome)) != "unknown");
    CHECK(bytes.size() >= kRecordHeaderSize || decoded.outcome == DecodeOutcome::kShortHeader);
    return 0;
  }
  CHECK(decoded.size_bytes == storage::EncodedSize(decoded.record));
  CHECK(decoded.size_bytes <= bytes.size());
  std::string encoded;
  storage::AppendEncodedRecord(encoded, decoded.record);
  CHECK(encoded == bytes.substr(0, decoded.size_bytes))
      << "a decoded record re-encodes differently";
  CHECK(storage::PeekIndex(bytes) == decoded.record.index);
  return decoded.size_bytes;
}

void CheckRoundTrip(std::string_view bytes) {
  ByteReader reader(bytes);
  const std::string_view header = reader.TakeBytes(17);
  std::string fixed(header);
  fixed.resize(17, '\0');
  const LogRecord record{.index = storage::DecodeFixed64(fixed, 0),
                         .term = storage::DecodeFixed64(fixed, 8),
                         .type = static_cast<uint8_t>(fixed[16]),
                         .data = std::string(reader.TakeRest())};
  std::string encoded;
  storage::AppendEncodedRecord(encoded, record);
  const DecodedRecord decoded = storage::DecodeRecord(encoded);
  CHECK(decoded.outcome == DecodeOutcome::kOk);
  CHECK(decoded.record == record);
  CHECK(decoded.size_bytes == encoded.size());
}

void CheckSegmentName(std::string_view name) {
  const std::optional<uint64_t> first_index = storage::ParseSegmentFileName(name);
  if (first_index) CHECK(storage::SegmentFileName(*first_index) == name);
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t offset = 0;
  while (offset < bytes.size()) {
    const size_t record_size = refdb::fuzz::CheckOneRecord(bytes.substr(offset));
    if (record_size == 0) break;
    offset += record_size;
  }
  refdb::fuzz::CheckRoundTrip(bytes);
  refdb::fuzz::CheckSegmentName(bytes);
  return 0;
}

// Fixed-width little-endian encoding of integers, as LevelDB's util/coding.h does it.
//
// Every integer refdb/storage writes to disk goes through these helpers, so files are
// byte-identical across hosts regardless of their endianness. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"

namespace refdb::storage {

inline void PutFixed32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

inline void PutFixed64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

// Requires: bytes.size() >= offset + 4.
inline uint32_t DecodeFixed32(std::string_view bytes, size_t offset) {
  CHECK(bytes.size() >= offset + 4) << "decode past the end: " << offset;
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[offset + static_cast<size_t>(i)]);
  }
  return value;
}

// Requires: bytes.size() >= offset + 8.
inline uint64_t DecodeFixed64(std::string_view bytes, size_t offset) {
  CHECK(bytes.size() >= offset + 8) << "decode past the end: " << offset;
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[offset + static_cast<size_t>(i)]);
  }
  return value;
}

}  // namespace refdb::storage

// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by iSCSI, ext4,
// LevelDB and etcd's WAL. Software slicing-by-8 (Intel's "Slicing-by-8" paper, 2008); tables
// are built at compile time. Pure functions; thread-safe.
//
// Known answer: Value("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <string_view>

namespace refdb::storage::crc32c {

// The CRC32C of `data` appended to a stream whose CRC so far is `crc`:
// Extend(Value(a), b) == Value(a + b). Extend(0, data) == Value(data).
uint32_t Extend(uint32_t crc, std::string_view data);

inline uint32_t Value(std::string_view data) { return Extend(0, data); }

}  // namespace refdb::storage::crc32c

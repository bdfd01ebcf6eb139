#include "refdb/storage/crc32c.h"

#include <array>

namespace refdb::storage::crc32c {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte-at-a-time table; tables[k][b] is the CRC of byte b followed by
// k zero bytes, which lets one step fold eight input bytes at once.
constexpr Tables MakeTables() {
  Tables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPolynomial : 0);
    tables[0][byte] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t byte = 0; byte < 256; ++byte) {
      const uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFF];
    }
  }
  return tables;
}

constexpr Tables kTables = MakeTables();

uint32_t Byte(const unsigned char* p, size_t i) { return p[i]; }

}  // namespace

uint32_t Extend(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t remaining = data.size();
  uint32_t state = ~crc;
  while (remaining >= 8) {
    // Byte order is explicit, so this is correct on big-endian hosts too.
    const uint32_t low =
        state ^ (Byte(p, 0) | Byte(p, 1) << 8 | Byte(p, 2) << 16 | Byte(p, 3) << 24);
    state = kTables[7][low & 0xFF] ^ kTables[6][(low >> 8) & 0xFF] ^
            kTables[5][(low >> 16) & 0xFF] ^ kTables[4][low >> 24] ^ kTables[3][Byte(p, 4)] ^
            kTables[2][Byte(p, 5)] ^ kTables[1][Byte(p, 6)] ^ kTables[0][Byte(p, 7)];
    p += 8;
    remaining -= 8;
  }
  while (remaining > 0) {
    state = kTables[0][(state ^ *p) & 0xFF] ^ (state >> 8);
    ++p;
    --remaining;
  }
  return ~state;
}

}  // namespace refdb::storage::crc32c

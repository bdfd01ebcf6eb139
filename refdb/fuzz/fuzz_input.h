// Splitting one fuzz input into the pieces a target needs (a flags byte, several files, several
// messages), and building such inputs, for the seed generator. Pure functions; thread-safe.
//
// A "piece" is a 2-byte little-endian length followed by that many bytes. Reading never fails:
// past the end a reader yields zeros and empty pieces, and a length that points past the end
// yields what is left, so every byte string is some valid input (libFuzzer mutates freely).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"

namespace refdb::fuzz {

inline constexpr size_t kMaxPieceSize = 0xffff;

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  ByteReader(const uint8_t* data, size_t size)
      : bytes_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return bytes_.empty(); }

  uint8_t TakeByte() {
    if (bytes_.empty()) return 0;
    const auto byte = static_cast<uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return byte;
  }

  // Up to `size_bytes` bytes.
  std::string_view TakeBytes(size_t size_bytes) {
    const std::string_view taken = bytes_.substr(0, size_bytes);
    bytes_.remove_prefix(taken.size());
    return taken;
  }

  std::string_view TakePiece() {
    const size_t low = TakeByte();
    const size_t high = TakeByte();
    return TakeBytes(low | (high << 8));
  }

  std::string_view TakeRest() { return TakeBytes(bytes_.size()); }

 private:
  std::string_view bytes_;
};

// Requires: piece.size() <= kMaxPieceSize.
inline void PutPiece(std::string& out, std::string_view piece) {
  CHECK(piece.size() <= kMaxPieceSize) << "fuzz input piece of " << piece.size() << " bytes";
  out.push_back(static_cast<char>(piece.size() & 0xff));
  out.push_back(static_cast<char>(piece.size() >> 8));
  out.append(piece);
}

}  // namespace refdb::fuzz

// TarWriter: builds a POSIX ustar archive in memory, the format `docker import` (the Engine's
// POST /images/create?fromSrc=-) reads. Enough for a root filesystem of regular files,
// directories and symbolic links: no hard links, no PAX extensions.
//
// Format: each entry is a 512-byte header followed by its contents padded with zeros to a
// multiple of 512; the archive ends with two zero blocks. Header fields are NUL-terminated
// octal numbers; a path longer than 100 bytes is split at a '/' into `prefix` (up to 155
// bytes) and `name` (up to 100); a symlink's target goes in `linkname` (up to 100 bytes, never
// split). The checksum is the byte sum of the header with the checksum
// field read as 8 spaces. Entries are owned by root (uid/gid 0) and dated 0, so the same
// inputs give byte-identical archives (the node image is tagged by a hash of them).
//
// Not thread-safe. Paths are relative ("bin/refdb"), without "." or ".." components.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orchestrator::docker {

inline constexpr size_t kTarBlockSize = 512;

class TarWriter {
 public:
  // InvalidArgument for an empty, absolute or unsplittable path, or "." / ".." components.
  common::Status AddDirectory(std::string_view path, uint32_t mode);
  common::Status AddFile(std::string_view path, uint32_t mode, std::string_view contents);
  // `target` is stored as given (absolute or relative to the link's directory); InvalidArgument
  // when it is empty or longer than 100 bytes.
  common::Status AddSymlink(std::string_view path, std::string_view target);

  // The archive with its end-of-archive blocks; the writer is empty afterwards.
  std::string Finish();

 private:
  struct HeaderFields {
    uint32_t mode = 0;
    uint64_t size_bytes = 0;
    char type_flag = '0';
    std::string_view link_target;
  };
  common::Status AddHeader(std::string_view path, const HeaderFields& fields);

  std::string archive_;
};

}  // namespace orchestrator::docker

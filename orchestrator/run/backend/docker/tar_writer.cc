#include "orchestrator/run/backend/docker/tar_writer.h"

#include <array>
#include <cstring>
#include <utility>

namespace orchestrator::docker {
namespace {

using common::Status;

// ustar header field offsets and lengths.
constexpr size_t kNameOffset = 0, kNameLength = 100;
constexpr size_t kModeOffset = 100;
constexpr size_t kUidOffset = 108;
constexpr size_t kGidOffset = 116;
constexpr size_t kSizeOffset = 124, kSizeLength = 12;
constexpr size_t kMtimeOffset = 136;
constexpr size_t kChecksumOffset = 148, kChecksumLength = 8;
constexpr size_t kTypeOffset = 156;
constexpr size_t kLinkNameOffset = 157, kLinkNameLength = 100;
constexpr size_t kMagicOffset = 257;
constexpr size_t kVersionOffset = 263;
constexpr size_t kPrefixOffset = 345, kPrefixLength = 155;
constexpr uint64_t kMaxSizeBytes = 077777777777ULL;  // 11 octal digits

using Header = std::array<char, kTarBlockSize>;

// Writes `value` as zero-padded octal in `length - 1` digits and a NUL.
void PutOctal(Header& header, size_t offset, size_t length, uint64_t value) {
  for (size_t i = length - 1; i-- > 0;) {
    header[offset + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  header[offset + length - 1] = '\0';
}

void PutString(Header& header, size_t offset, std::string_view text) {
  std::memcpy(header.data() + offset, text.data(), text.size());
}

Status CheckPath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return Status::InvalidArgument("tar: bad path \"" + std::string(path) + "\"");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("tar: bad path \"" + std::string(path) + "\"");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Status TarWriter::AddHeader(std::string_view path, const HeaderFields& fields) {
  RETURN_IF_ERROR(CheckPath(path));
  if (fields.size_bytes > kMaxSizeBytes) {
    return Status::InvalidArgument("tar: " + std::string(path) + " is too large for ustar");
  }
  std::string_view prefix;
  std::string_view name = path;
  if (path.size() > kNameLength) {
    // The split point: the last '/' leaving a name of at most 100 and a prefix of at most 155.
    const size_t split = path.rfind('/', kPrefixLength);
    if (split == std::string_view::npos || path.size() - split - 1 > kNameLength) {
      return Status::InvalidArgument("tar: path too long for ustar: " + std::string(path));
    }
    prefix = path.substr(0, split);
    name = path.substr(split + 1);
  }
  Header header{};
  PutString(header, kNameOffset, name);
  PutOctal(header, kModeOffset, 8, fields.mode & 07777);
  PutOctal(header, kUidOffset, 8, 0);
  PutOctal(header, kGidOffset, 8, 0);
  PutOctal(header, kSizeOffset, kSizeLength, fields.size_bytes);
  PutOctal(header, kMtimeOffset, 12, 0);
  header[kTypeOffset] = fields.type_flag;
  PutString(header, kLinkNameOffset, fields.link_target);
  PutString(header, kMagicOffset, std::string_view("ustar\0", 6));
  PutString(header, kVersionOffset, "00");
  PutString(header, kPrefixOffset, prefix);
  std::memset(header.data() + kChecksumOffset, ' ', kChecksumLength);
  uint32_t checksum = 0;
  for (const char byte : header) checksum += static_cast<unsigned char>(byte);
  PutOctal(header, kChecksumOffset, 7, checksum);  // six digits and a NUL; the space stays
  archive_.append(header.data(), header.size());
  return Status::Ok();
}

Status TarWriter::AddDirectory(std::string_view path, uint32_t mode) {
  return AddHeader(path, {.mode = mode, .type_flag = '5'});
}

Status TarWriter::AddFile(std::string_view path, uint32_t mode, std::string_view contents) {
  RETURN_IF_ERROR(AddHeader(path, {.mode = mode, .size_bytes = contents.size()}));
  archive_.append(contents);
  const size_t padding = (kTarBlockSize - contents.size() % kTarBlockSize) % kTarBlockSize;
  archive_.append(padding, '\0');
  return Status::Ok();
}

Status TarWriter::AddSymlink(std::string_view path, std::string_view target) {
  if (target.empty() || target.size() > kLinkNameLength) {
    return Status::InvalidArgument("tar: symlink " + std::string(path) + " -> \"" +
                                   std::string(target) + "\": target must be 1-100 bytes");
  }
  return AddHeader(path, {.mode = 0777, .type_flag = '2', .link_target = target});
}

std::string TarWriter::Finish() {
  archive_.append(2 * kTarBlockSize, '\0');
  return std::exchange(archive_, std::string());
}

}  // namespace orchestrator::docker

// Format names, detection and the entry points that dispatch to each reader (formats.h).
#include "checker/formats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "checker/text_util.h"

namespace checker {

namespace {

constexpr std::pair<Format, std::string_view> kFormatNames[] = {
    {Format::kAuto, "auto"},
    {Format::kJsonl, "jsonl"},
    {Format::kJepsenEdn, "jepsen-edn"},
    {Format::kPorcupineEtcd, "porcupine-etcd"},
    {Format::kPorcupineKv, "porcupine-kv"},
};

// Files larger than this are refused rather than read: a history that size is a mistake
// (e.g. /dev/zero) or needs a streaming reader we do not have.
constexpr size_t kMaxFileBytes = size_t{1} << 30;

// The format the first meaningful line implies, or std::nullopt.
std::optional<Format> ClassifyLine(std::string_view line) {
  if (line.starts_with("INFO") && line.find("jepsen.util") != std::string_view::npos) {
    return Format::kPorcupineEtcd;
  }
  if (line.starts_with("{")) {
    const std::string_view after_brace = text::TrimLeft(line.substr(1));
    if (after_brace.starts_with("\"") || after_brace.starts_with("}")) return Format::kJsonl;
    if (LooksLikePorcupineKvLine(line)) return Format::kPorcupineKv;
    return Format::kJepsenEdn;
  }
  if (line.starts_with("[") || line.starts_with("(") || line.starts_with("#")) {
    return Format::kJepsenEdn;
  }
  return std::nullopt;
}

// Owns a file descriptor; closes it on destruction.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status CannotOpen(const std::string& path, int error) {
  return Status::IoError(path + ": cannot open: " + std::generic_category().message(error));
}

}  // namespace

Result<std::string> ReadWholeFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return CannotOpen(path, errno);
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) return CannotOpen(path, errno);
  if (S_ISDIR(info.st_mode)) return CannotOpen(path, EISDIR);
  std::string contents;
  if (S_ISREG(info.st_mode) && static_cast<size_t>(info.st_size) <= kMaxFileBytes) {
    contents.reserve(static_cast<size_t>(info.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::IoError(path + ": cannot read: " + std::generic_category().message(errno));
    }
    if (n == 0) return contents;
    if (contents.size() + static_cast<size_t>(n) > kMaxFileBytes) {
      return Status::ResourceExhausted(path + ": file is larger than the " +
                                       std::to_string(kMaxFileBytes >> 20) + " MiB limit");
    }
    contents.append(buffer, static_cast<size_t>(n));
  }
}

std::string_view FormatName(Format format) {
  for (const auto& [f, name] : kFormatNames) {
    if (f == format) return name;
  }
  return "?";
}

Result<Format> ParseFormatName(std::string_view name) {
  for (const auto& [format, known] : kFormatNames) {
    if (known == name) return format;
  }
  return Status::InvalidArgument("unknown format \"" + text::Excerpt(name) +
                                 "\" (expected auto, jsonl, jepsen-edn, porcupine-etcd or "
                                 "porcupine-kv)");
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> names;
  for (const auto& [format, name] : kFormatNames) names.emplace_back(name);
  return names;
}

Result<Format> DetectFormat(std::string_view text, const std::string& source) {
  text::LineCursor cursor(text);
  std::string_view line;
  while (cursor.Next(&line)) {
    line = text::TrimLeft(line);
    if (line.empty() || text::IsBlank(line) || line.starts_with(";")) continue;
    if (std::optional<Format> format = ClassifyLine(line)) return *format;
    return text::ErrorAt(source, cursor.line_number(),
                         "cannot detect the history format from \"" + text::Excerpt(line) +
                             "\": tried jsonl ({\"...), jepsen-edn ({:...}, [...] or (...)), "
                             "porcupine-etcd (INFO jepsen.util - ...) and porcupine-kv "
                             "({:process N, :type ...}); name the format explicitly");
  }
  return Format::kJsonl;  // nothing but blank lines and comments: an empty history
}

std::string_view DefaultModelFor(Format format) {
  return format == Format::kPorcupineKv ? "kv" : "cas-register";
}

Result<History> ParseHistory(std::string_view text, Format format, const std::string& source) {
  if (format == Format::kAuto) {
    ASSIGN_OR_RETURN(format, DetectFormat(text, source));
  }
  switch (format) {
    case Format::kJsonl:
      return ParseJsonl(text, source);
    case Format::kJepsenEdn:
      return ParseJepsenEdn(text, source);
    case Format::kPorcupineEtcd:
      return ParsePorcupineEtcd(text, source);
    case Format::kPorcupineKv:
      return ParsePorcupineKv(text, source);
    case Format::kAuto:
      break;
  }
  return Status::Internal(source + ": no reader for format " + std::string(FormatName(format)));
}

Result<History> ReadHistoryFile(const std::string& path, Format format) {
  ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(path));
  return ParseHistory(contents, format, path);
}

}  // namespace checker

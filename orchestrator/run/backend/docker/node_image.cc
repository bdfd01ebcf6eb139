#include "orchestrator/run/backend/docker/node_image.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

#include "common/process/run.h"
#include "orchestrator/run/backend/docker/tar_writer.h"

namespace orchestrator::docker {
namespace {

using common::Result;
using common::Status;

constexpr auto kLddDeadline = std::chrono::seconds(10);
constexpr size_t kLddOutputMaxBytes = 1 << 20;
constexpr auto kImportTimeout = std::chrono::minutes(5);
constexpr size_t kLargeArchiveBytes = 64 << 20;  // report the build of anything larger

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::error_code error;
  const auto size_bytes = std::filesystem::file_size(path, error);
  if (error) return Status::IoError("node image: " + path.string() + ": " + error.message());
  std::ifstream in(path, std::ios::binary);
  std::string contents(size_bytes, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(size_bytes));
  if (!in || static_cast<uint64_t>(in.gcount()) != size_bytes) {
    return Status::IoError("node image: cannot read " + path.string());
  }
  return contents;
}

uint64_t Fnv1a64(std::string_view data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char byte : data) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

namespace fs = std::filesystem;

// The image path of an absolute host path: relative, lexically normal, no trailing '/'.
std::string ImagePath(const fs::path& absolute) {
  std::string path = absolute.lexically_normal().relative_path().string();
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

uint32_t ModeOf(const fs::file_status& status) {
  return static_cast<uint32_t>(status.permissions()) & 07777;
}

bool IsElf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> magic{};
  in.read(magic.data(), magic.size());
  return in && std::string_view(magic.data(), magic.size()) ==
                   "\x7f"
                   "ELF";
}

// One thing the image holds at an image path.
struct Entry {
  enum class Kind { kFile, kSymlink, kDirectory };
  Kind kind = Kind::kFile;
  uint32_t mode = 0755;
  std::string source;  // kFile: the host path whose (resolved) bytes it holds
  std::string target;  // kSymlink: the link text
};

Status BadBinaryName(const fs::path& binary) {
  const std::string name = binary.filename().string();
  if (name.empty()) return Status::InvalidArgument("node image: binary path has no file name");
  return Status::InvalidArgument("node image: two binaries named \"" + name +
                                 "\" would both be /bin/" + name);
}

Status NotAbsolute(std::string_view what, const fs::path& path) {
  return Status::InvalidArgument("node image: " + std::string(what) + " " + path.string() +
                                 " is not an absolute path");
}

// Collects the image's entries (image path -> Entry), then writes them as one sorted archive.
// Entries listed by the caller win over library closures added afterwards.
class ImageBuilder {
 public:
  Status AddBinary(const fs::path& binary);
  Status AddLibrary(const fs::path& library);
  Status AddFiles(const fs::path& root);
  Status AddClosures();
  Result<std::string> Write() const;

 private:
  Status AddPath(const fs::path& path, bool follow_directory_link);
  Status AddTree(const fs::path& root);
  Status AddSymlink(const fs::path& link, bool follow_directory_link);
  void AddFile(const fs::path& path, uint32_t mode, MissingLibraries if_missing);
  void AddLinkTo(const std::string& image_path, const fs::path& canonical);
  Status CheckDirectories(const std::set<std::string>& dirs) const;

  std::map<std::string, Entry> entries_;
  // Canonical host path of every file whose libraries the image needs -> what to do when one is
  // missing (kFail wins: a binary must load).
  std::map<std::string, MissingLibraries> closures_;
  std::set<std::string> binary_names_;
};

Status ImageBuilder::AddBinary(const fs::path& binary) {
  const std::string name = binary.filename().string();
  if (name.empty() || !binary_names_.insert(name).second) return BadBinaryName(binary);
  std::error_code error;
  const fs::path absolute = fs::absolute(binary, error).lexically_normal();
  if (error || !fs::is_regular_file(absolute, error)) {
    return Status::NotFound("node image: binary " + binary.string() + " does not exist");
  }
  const fs::path canonical = fs::canonical(absolute, error);
  if (error) return Status::IoError("node image: " + binary.string() + ": " + error.message());
  if (fs::is_symlink(absolute, error)) {
    AddLinkTo(ImagePath(absolute), canonical);
  } else {
    AddFile(absolute, 0755, MissingLibraries::kFail);
  }
  AddFile(canonical, 0755, MissingLibraries::kFail);
  if (!entries_.contains("bin/" + name)) AddLinkTo("bin/" + name, canonical);
  return Status::Ok();
}

Status ImageBuilder::AddLibrary(const fs::path& library) {
  if (!library.is_absolute()) return NotAbsolute("library", library);
  std::error_code error;
  if (!fs::is_regular_file(library, error)) {
    return Status::NotFound("node image: library " + library.string() + " does not exist");
  }
  entries_[ImagePath(library)] = Entry{.source = library.string()};
  closures_[fs::canonical(library, error).string()] = MissingLibraries::kFail;
  return Status::Ok();
}

Status ImageBuilder::AddFiles(const fs::path& root) {
  if (!root.is_absolute()) return NotAbsolute("file", root);
  return AddPath(root.lexically_normal(), /*follow_directory_link=*/true);
}

Status ImageBuilder::AddPath(const fs::path& path, bool follow_directory_link) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(path, error);
  if (error || !fs::exists(status)) {
    return Status::NotFound("node image: " + path.string() + " does not exist");
  }
  if (fs::is_symlink(status)) return AddSymlink(path, follow_directory_link);
  if (fs::is_directory(status)) return AddTree(path);
  if (fs::is_regular_file(status)) AddFile(path, ModeOf(status), MissingLibraries::kSkip);
  return Status::Ok();
}

Status ImageBuilder::AddTree(const fs::path& root) {
  std::error_code error;
  entries_[ImagePath(root)] =
      Entry{.kind = Entry::Kind::kDirectory, .mode = ModeOf(fs::status(root, error))};
  fs::recursive_directory_iterator it(root, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    RETURN_IF_ERROR(AddPath(it->path(), /*follow_directory_link=*/false));
  }
  if (error) return Status::IoError("node image: walk " + root.string() + ": " + error.message());
  return Status::Ok();
}

Status ImageBuilder::AddSymlink(const fs::path& link, bool follow_directory_link) {
  std::error_code error;
  const fs::path canonical = fs::canonical(link, error);
  if (error) {  // dangling on the host too: keep the link as it is
    const fs::path text = fs::read_symlink(link, error);
    if (!error && !text.empty() && text.string().size() <= 100) {
      entries_[ImagePath(link)] = Entry{.kind = Entry::Kind::kSymlink, .target = text.string()};
    }
    return Status::Ok();
  }
  const fs::file_status status = fs::status(canonical, error);
  if (fs::is_regular_file(status)) {
    AddFile(canonical, ModeOf(status), MissingLibraries::kSkip);
    AddLinkTo(ImagePath(link), canonical);
  } else if (fs::is_directory(status) && canonical.string().size() <= 100) {
    entries_[ImagePath(link)] = Entry{.kind = Entry::Kind::kSymlink, .target = canonical.string()};
    if (follow_directory_link) return AddTree(canonical);
  }
  return Status::Ok();
}

// A symlink to the regular file `canonical`, or a copy of it when the target is too long.
void ImageBuilder::AddLinkTo(const std::string& image_path, const fs::path& canonical) {
  if (canonical.string().size() <= 100) {
    entries_[image_path] = Entry{.kind = Entry::Kind::kSymlink, .target = canonical.string()};
  } else {
    entries_[image_path] = Entry{.source = canonical.string()};
  }
}

void ImageBuilder::AddFile(const fs::path& path, uint32_t mode, MissingLibraries if_missing) {
  entries_.try_emplace(ImagePath(path), Entry{.mode = mode, .source = path.string()});
  if (if_missing == MissingLibraries::kSkip && !IsElf(path)) return;
  std::error_code error;
  const std::string canonical = fs::canonical(path, error).string();
  const auto [it, is_new] = closures_.try_emplace(canonical, if_missing);
  if (!is_new && if_missing == MissingLibraries::kFail) it->second = if_missing;
}

Status ImageBuilder::AddClosures() {
  for (const auto& [path, if_missing] : closures_) {
    ASSIGN_OR_RETURN(const std::vector<std::string> libraries,
                     SharedLibraryClosure(path, if_missing));
    for (const auto& library : libraries) {
      entries_.try_emplace(ImagePath(library), Entry{.source = library});
    }
  }
  return Status::Ok();
}

// Every proper parent directory of each path ("a/b/c" -> "a", "a/b"), sorted parents-first,
// with the directories listed themselves.
std::set<std::string> Directories(const std::map<std::string, Entry>& entries) {
  std::set<std::string> dirs;
  for (const auto& [path, entry] : entries) {
    if (entry.kind == Entry::Kind::kDirectory) dirs.insert(path);
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      dirs.insert(path.substr(0, slash));
    }
  }
  return dirs;
}

Status ImageBuilder::CheckDirectories(const std::set<std::string>& dirs) const {
  for (const auto& dir : dirs) {
    const auto it = entries_.find(dir);
    if (it == entries_.end() || it->second.kind == Entry::Kind::kDirectory) continue;
    return Status::InvalidArgument("node image: /" + dir +
                                   " is a file or symlink on this host, but the image needs a "
                                   "directory there (list its target instead)");
  }
  return Status::Ok();
}

Result<std::string> ImageBuilder::Write() const {
  const std::set<std::string> dirs = Directories(entries_);
  RETURN_IF_ERROR(CheckDirectories(dirs));
  TarWriter tar;
  const std::map<std::string, uint32_t> fixed_dirs = {
      {"ctl", 0755}, {"data", 0755}, {"tmp", 01777}};
  for (const auto& [dir, mode] : fixed_dirs) RETURN_IF_ERROR(tar.AddDirectory(dir, mode));
  for (const auto& dir : dirs) {
    if (fixed_dirs.contains(dir)) continue;
    const auto it = entries_.find(dir);
    RETURN_IF_ERROR(tar.AddDirectory(dir, it == entries_.end() ? 0755 : it->second.mode));
  }
  for (const auto& [path, entry] : entries_) {
    if (entry.kind == Entry::Kind::kSymlink) {
      RETURN_IF_ERROR(tar.AddSymlink(path, entry.target));
    } else if (entry.kind == Entry::Kind::kFile) {
      ASSIGN_OR_RETURN(const std::string contents, ReadFile(entry.source));
      RETURN_IF_ERROR(tar.AddFile(path, entry.mode, contents));
    }
  }
  return tar.Finish();
}

Status CheckImportStream(std::string_view body) {
  std::istringstream lines{std::string(body)};
  for (std::string line; std::getline(lines, line);) {
    const auto message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_object() && message.contains("error")) {
      return Status::Internal("docker image import: " + message["error"].dump());
    }
  }
  return Status::Ok();
}

// The libraries in `ldd` output, and the names of those it could not find.
struct LddLibraries {
  std::vector<std::string> found;
  std::vector<std::string> missing;
};

LddLibraries ParseLddLines(std::string_view output) {
  LddLibraries libraries;
  std::istringstream lines{std::string(output)};
  for (std::string line; std::getline(lines, line);) {
    if (line.find("not a dynamic executable") != std::string::npos ||
        line.find("statically linked") != std::string::npos) {
      return {};
    }
    std::istringstream words(line);
    std::string first, arrow, target;
    words >> first >> arrow >> target;
    if (arrow == "=>" && target == "not") {
      libraries.missing.push_back(first);
    } else if (arrow == "=>" && !target.empty() && target.front() == '/') {
      libraries.found.push_back(fs::path(target).lexically_normal().string());
    } else if (!first.empty() && first.front() == '/') {
      libraries.found.push_back(first);  // the loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
    }
  }
  return libraries;
}

}  // namespace

Result<std::vector<std::string>> ParseLddOutput(std::string_view output) {
  LddLibraries libraries = ParseLddLines(output);
  if (!libraries.missing.empty()) {
    return Status::NotFound("ldd: library " + libraries.missing.front() + " not found");
  }
  return std::move(libraries.found);
}

Result<std::vector<std::string>> SharedLibraryClosure(const fs::path& binary,
                                                      MissingLibraries if_missing) {
  std::error_code error;
  if (!fs::is_regular_file(binary, error)) {
    return Status::NotFound("node image: binary " + binary.string() + " does not exist");
  }
  ASSIGN_OR_RETURN(
      const common::process::RunOutput run,
      common::process::Run(
          {.argv = {"ldd", binary.string()}, .deadline = kLddDeadline, .merge_output = true}));
  if (run.out.size() > kLddOutputMaxBytes) {
    return Status::ResourceExhausted("ldd " + binary.string() + ": output > 1 MiB");
  }
  LddLibraries libraries = ParseLddLines(run.out);
  if (!libraries.missing.empty() && if_missing == MissingLibraries::kFail) {
    return Status::NotFound(binary.string() + ": ldd: library " + libraries.missing.front() +
                            " not found");
  }
  if (!run.status.ok() && !libraries.found.empty()) {
    return Status::Internal("ldd " + binary.string() + " " + run.status.Describe() + ": " +
                            run.out);
  }
  return std::move(libraries.found);
}

Result<std::string> NodeImageTar(const NodeImageInputs& inputs) {
  if (inputs.binaries.empty()) return Status::InvalidArgument("node image: no binaries");
  ImageBuilder image;
  for (const auto& binary : inputs.binaries) RETURN_IF_ERROR(image.AddBinary(binary));
  for (const auto& library : inputs.libraries) RETURN_IF_ERROR(image.AddLibrary(library));
  for (const auto& file : inputs.files) RETURN_IF_ERROR(image.AddFiles(file));
  RETURN_IF_ERROR(image.AddClosures());
  return image.Write();
}

std::string NodeImageTag(std::string_view tar) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(Fnv1a64(tar)));
  return std::string(kNodeImageRepository) + ":" + hex;
}

Result<NodeImage> EnsureNodeImage(DockerClient& client, const NodeImageInputs& inputs) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(const std::string tar, NodeImageTar(inputs));
  NodeImage image{.tag = NodeImageTag(tar)};
  ASSIGN_OR_RETURN(const DockerResponse inspect,
                   client.Call({.method = "GET", .path = "/images/" + image.tag + "/json"}));
  if (inspect.ok()) image.was_cached = true;
  if (tar.size() >= kLargeArchiveBytes) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::cerr << "node image " << image.tag << ": " << tar.size() / (1 << 20) << " MiB, built in "
              << std::fixed << std::setprecision(1) << elapsed.count() << " s"
              << (image.was_cached ? " (cached)" : "; importing") << std::endl;
  }
  if (image.was_cached) return image;
  if (inspect.http_status != 404)
    return HttpError("GET", "/images/" + image.tag + "/json", inspect);
  const std::string hash = image.tag.substr(kNodeImageRepository.size() + 1);
  const std::string path =
      "/images/create?fromSrc=-&repo=" + std::string(kNodeImageRepository) + "&tag=" + hash;
  ASSIGN_OR_RETURN(const DockerResponse response, client.Call({.method = "POST",
                                                               .path = path,
                                                               .body = tar,
                                                               .content_type = "application/x-tar",
                                                               .timeout = kImportTimeout}));
  if (!response.ok()) return HttpError("POST", path, response);
  RETURN_IF_ERROR(CheckImportStream(response.body));
  return image;
}

}  // namespace orchestrator::docker

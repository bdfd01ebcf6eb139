#include "orchestrator/run/backend/docker/node_image.h"

#include <chrono>
#include <cstdio>
#include <fstream>
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

// Every proper parent directory of each path ("a/b/c" -> "a", "a/b"), sorted parents-first.
std::set<std::string> ParentDirectories(const std::map<std::string, std::string>& files) {
  std::set<std::string> dirs;
  for (const auto& [path, source] : files) {
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      dirs.insert(path.substr(0, slash));
    }
  }
  return dirs;
}

Status BadBinaryName(const std::filesystem::path& binary) {
  const std::string name = binary.filename().string();
  if (name.empty()) return Status::InvalidArgument("node image: binary path has no file name");
  return Status::InvalidArgument("node image: two binaries named \"" + name +
                                 "\" would both be /bin/" + name);
}

// Image path (relative) -> host source of every file the image holds.
Result<std::map<std::string, std::string>> ImageFiles(
    std::span<const std::filesystem::path> binaries,
    std::span<const std::filesystem::path> libraries) {
  std::map<std::string, std::string> files;
  std::set<std::string> names;
  for (const auto& binary : binaries) {
    const std::string name = binary.filename().string();
    if (name.empty() || !names.insert(name).second) return BadBinaryName(binary);
    files[std::string("bin/").append(name)] = binary.string();
    ASSIGN_OR_RETURN(const std::vector<std::string> needed_libraries, SharedLibraryClosure(binary));
    for (const auto& needed : needed_libraries) files[needed.substr(1)] = needed;
  }
  for (const auto& library : libraries) {
    if (!library.is_absolute()) {
      return Status::InvalidArgument("node image: library " + library.string() +
                                     " is not an absolute path");
    }
    files[library.relative_path().string()] = library.string();
    ASSIGN_OR_RETURN(const std::vector<std::string> closure, SharedLibraryClosure(library));
    for (const auto& needed : closure) files[needed.substr(1)] = needed;
  }
  return files;
}

Status CheckImportStream(std::string_view body) {
  std::istringstream lines{std::string(body)};
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("error")) {
      return Status::Internal("docker image import: " + json["error"].dump());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ParseLddOutput(std::string_view output) {
  std::vector<std::string> libraries;
  std::istringstream lines{std::string(output)};
  for (std::string line; std::getline(lines, line);) {
    if (line.find("not a dynamic executable") != std::string::npos ||
        line.find("statically linked") != std::string::npos) {
      return std::vector<std::string>{};
    }
    std::istringstream words(line);
    std::string first, arrow, target;
    words >> first >> arrow >> target;
    if (arrow == "=>" && target == "not") {
      return Status::NotFound("ldd: library " + first + " not found");
    }
    if (arrow == "=>" && !target.empty() && target.front() == '/') {
      libraries.push_back(target);
    } else if (!first.empty() && first.front() == '/') {
      libraries.push_back(first);  // the loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
    }
  }
  return libraries;
}

Result<std::vector<std::string>> SharedLibraryClosure(const std::filesystem::path& binary) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(binary, error)) {
    return Status::NotFound("node image: binary " + binary.string() + " does not exist");
  }
  ASSIGN_OR_RETURN(
      const common::process::RunOutput run,
      common::process::Run(
          {.argv = {"ldd", binary.string()}, .deadline = kLddDeadline, .merge_output = true}));
  if (run.out.size() > kLddOutputMaxBytes) {
    return Status::ResourceExhausted("ldd " + binary.string() + ": output > 1 MiB");
  }
  auto libraries = ParseLddOutput(run.out);
  if (!libraries.ok()) return libraries.status().WithContext(binary.string());
  if (!run.status.ok() && !libraries->empty()) {
    return Status::Internal("ldd " + binary.string() + " " + run.status.Describe() + ": " +
                            run.out);
  }
  return libraries;
}

Result<std::string> NodeImageTar(std::span<const std::filesystem::path> binaries,
                                 std::span<const std::filesystem::path> libraries) {
  if (binaries.empty()) return Status::InvalidArgument("node image: no binaries");
  ASSIGN_OR_RETURN(const auto files, ImageFiles(binaries, libraries));
  TarWriter tar;
  RETURN_IF_ERROR(tar.AddDirectory("ctl", 0755));
  RETURN_IF_ERROR(tar.AddDirectory("data", 0755));
  RETURN_IF_ERROR(tar.AddDirectory("tmp", 01777));
  for (const auto& dir : ParentDirectories(files)) RETURN_IF_ERROR(tar.AddDirectory(dir, 0755));
  for (const auto& [path, source] : files) {
    ASSIGN_OR_RETURN(const std::string contents, ReadFile(source));
    RETURN_IF_ERROR(tar.AddFile(path, 0755, contents));
  }
  return tar.Finish();
}

std::string NodeImageTag(std::string_view tar) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(Fnv1a64(tar)));
  return std::string(kNodeImageRepository) + ":" + hex;
}

Result<NodeImage> EnsureNodeImage(DockerClient& client,
                                  std::span<const std::filesystem::path> binaries,
                                  std::span<const std::filesystem::path> libraries) {
  ASSIGN_OR_RETURN(const std::string tar, NodeImageTar(binaries, libraries));
  NodeImage image{.tag = NodeImageTag(tar)};
  ASSIGN_OR_RETURN(const DockerResponse inspect,
                   client.Call({.method = "GET", .path = "/images/" + image.tag + "/json"}));
  if (inspect.ok()) {
    image.was_cached = true;
    return image;
  }
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

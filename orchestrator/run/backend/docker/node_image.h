// The node image: a root filesystem made of the host's node binaries and exactly the shared
// libraries they load, imported into the local Docker daemon (no registry, no Dockerfile).
//
// Layout: each binary at /bin/<basename>; each library at the path `ldd` prints for it (the
// loader included), as a regular file holding the resolved file's bytes; each extra library (one
// a node loads by path, such as libfaketime through LD_PRELOAD) at its host path, with its own
// closure; an empty /tmp, /data and /ctl. The tag is `splitbrain-node:<16 hex digits>`, an FNV-1a
// 64 hash of the archive, which is byte-identical for identical inputs (TarWriter), so an unchanged
// build skips the import. Thread-compatible: no state; uses the DockerClient it is given.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orchestrator/run/backend/docker/docker_client.h"

namespace orchestrator::docker {

inline constexpr std::string_view kNodeImageRepository = "splitbrain-node";

// The absolute library paths in `ldd` output (the "=> /path" targets and the loader's own
// line). Empty for "not a dynamic executable". NotFound naming the library for "not found".
common::Result<std::vector<std::string>> ParseLddOutput(std::string_view output);

// Runs `ldd BINARY` (argv, no shell; 10 s deadline) and parses its output.
common::Result<std::vector<std::string>> SharedLibraryClosure(const std::filesystem::path& binary);

// The rootfs archive for `binaries` and the extra `libraries` (absolute paths). InvalidArgument
// when two binaries share a basename or a library path is relative.
common::Result<std::string> NodeImageTar(std::span<const std::filesystem::path> binaries,
                                         std::span<const std::filesystem::path> libraries = {});

// "splitbrain-node:<hash of tar>".
std::string NodeImageTag(std::string_view tar);

struct NodeImage {
  std::string tag;
  bool was_cached = false;  // the daemon already had this tag: nothing was imported
};

// Builds the archive, and imports it unless the daemon already has its tag.
common::Result<NodeImage> EnsureNodeImage(DockerClient& client,
                                          std::span<const std::filesystem::path> binaries,
                                          std::span<const std::filesystem::path> libraries = {});

}  // namespace orchestrator::docker

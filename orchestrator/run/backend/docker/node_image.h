// The node image: a root filesystem made of the host's node binaries, the host files a database
// needs (a JVM, jars) and exactly the shared libraries they load, imported into the local Docker
// daemon (no registry, no Dockerfile).
//
// Layout, every path the same as on the host unless said otherwise:
//   binaries   each at its host path, and /bin/<basename> a symlink to it (the backend runs
//              argv[0] as /bin/<basename>; splitbrain-procs runs its inner argvs by host path)
//   files      each path, recursively for a directory, with its host mode (owner root, mtime 0);
//              other file types (sockets, fifos, devices) are left out
//   libraries  (loaded by path, such as libfaketime through LD_PRELOAD) at their host path
//   closures   for every binary, library and ELF file (first bytes "\x7fELF") among them, the
//              libraries `ldd` lists, at the path it prints, as regular files holding the
//              resolved bytes, the loader included
//   /tmp, /data, /ctl empty
// A host symlink stays a symlink: one that resolves to a regular file points at the resolved
// (canonical) path, and that file goes in as well, so a symlink chain such as /usr/bin/java ->
// /etc/alternatives/java -> /usr/lib/jvm/.../bin/java is one hop and the JVM still finds its home
// from /proc/self/exe. One that resolves to a directory points at it, and the directory goes in
// only when the symlink itself was listed in `files`; one that does not resolve keeps its text.
// A target longer than 100 bytes (ustar's limit) is stored as the resolved file instead.
//
// The tag is `splitbrain-node:<16 hex digits>`, an FNV-1a 64 hash of the archive, which is
// byte-identical for identical inputs (sorted entries, TarWriter's fixed owner and mtime), so an
// unchanged build skips the import. Thread-compatible: no state; uses the DockerClient it is given.
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
// line), lexically normal ("bin/../lib" -> "lib"). Empty for "not a dynamic executable".
// NotFound naming the library for "not found".
common::Result<std::vector<std::string>> ParseLddOutput(std::string_view output);

// What SharedLibraryClosure does with a library `ldd` cannot find: fail (a node binary must
// load), or leave it out (a JVM's libjava.so finds libjvm.so through the JVM, not through ldd).
enum class MissingLibraries { kFail, kSkip };

// Runs `ldd BINARY` (argv, no shell; 10 s deadline) and parses its output.
common::Result<std::vector<std::string>> SharedLibraryClosure(
    const std::filesystem::path& binary, MissingLibraries if_missing = MissingLibraries::kFail);

// What goes into the image (see the layout above). Paths in `libraries` and `files` are absolute.
struct NodeImageInputs {
  std::span<const std::filesystem::path> binaries;
  std::span<const std::filesystem::path> libraries;
  std::span<const std::filesystem::path> files;
};

// The rootfs archive. InvalidArgument when there is no binary, two binaries share a basename, a
// library or file path is relative, or a path the image needs as a directory is a file or a
// symlink in it; NotFound for a missing binary, library or file.
common::Result<std::string> NodeImageTar(const NodeImageInputs& inputs);

// "splitbrain-node:<hash of tar>".
std::string NodeImageTag(std::string_view tar);

struct NodeImage {
  std::string tag;
  bool was_cached = false;  // the daemon already had this tag: nothing was imported
};

// Builds the archive, and imports it unless the daemon already has its tag. Prints one line to
// stderr when the archive is large (a JVM): its size, the time taken and whether it is imported.
common::Result<NodeImage> EnsureNodeImage(DockerClient& client, const NodeImageInputs& inputs);

}  // namespace orchestrator::docker

// splitbrain-diskfs: a FUSE passthrough filesystem that mounts a backing directory onto a
// node's data directory and injects disk faults there, switched at run time through its control
// socket (control_protocol.h). See README.md.
//
//   splitbrain-diskfs --backing DIR --mount DIR --run-id ID --name NAME
//
// The mount is listed in /proc/mounts as `splitbrain-<ID>-<NAME> DIR fuse.splitbrain-diskfs`
// and the control socket is @splitbrain-diskfs/<ID>/<NAME>, so `splitbrain cleanup` finds both
// by the run id. SIGTERM, SIGINT or SIGHUP end the loop and unmount. Exit 0 after a clean
// unmount, 254 on bad arguments, 3 when it cannot mount.
#include <fcntl.h>

#include <cctype>
#include <cerrno>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/errno_text.h"
#include "orchestrator/run/diskfs/control_protocol.h"
#include "orchestrator/run/diskfs/control_server.h"
#include "orchestrator/run/diskfs/disk_state.h"

namespace {

constexpr int kBadArguments = 254;
constexpr int kFailed = 3;

struct Args {
  std::string backing;
  std::string mount;
  std::string run_id;
  std::string name;
};

// A run id or mount name goes into mount options and a socket name: letters, digits, '-', '_'.
bool IsPlainWord(const std::string& word) {
  if (word.empty() || word.size() > 64) return false;
  for (char c : word) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_')) return false;
  }
  return true;
}

bool ParseArgs(int argc, char** argv, Args& args) {
  std::map<std::string, std::string*> flags{{"--backing", &args.backing},
                                            {"--mount", &args.mount},
                                            {"--run-id", &args.run_id},
                                            {"--name", &args.name}};
  for (int i = 1; i < argc; i += 2) {
    auto found = flags.find(argv[i]);
    if (found == flags.end() || i + 1 >= argc) {
      std::cerr << "splitbrain-diskfs: unknown flag or missing value: " << argv[i] << "\n";
      return false;
    }
    *found->second = argv[i + 1];
  }
  for (const auto& [flag, value] : flags) {
    if (value->empty()) {
      std::cerr << "splitbrain-diskfs: " << flag << " is missing\n";
      return false;
    }
  }
  if (!IsPlainWord(args.run_id) || !IsPlainWord(args.name)) {
    std::cerr << "splitbrain-diskfs: --run-id and --name take letters, digits, '-' and '_'\n";
    return false;
  }
  return true;
}

// fuse_new's argument list: the mount options that name the mount after the run.
std::vector<std::string> FuseArgs(const Args& args) {
  return {"splitbrain-diskfs", "-o",
          "fsname=splitbrain-" + args.run_id + "-" + args.name +
              ",subtype=splitbrain-diskfs,allow_other"};
}

int Serve(const Args& args, diskfs::DiskState& state) {
  std::vector<std::string> words = FuseArgs(args);
  std::vector<char*> argv;
  argv.reserve(words.size());
  for (std::string& word : words) argv.push_back(word.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse* f = fuse_new(&fargs, &diskfs::Operations(), sizeof(fuse_operations), &state);
  if (f == nullptr) {
    std::cerr << "splitbrain-diskfs: fuse_new failed\n";
    return kFailed;
  }
  if (fuse_mount(f, args.mount.c_str()) != 0) {
    std::cerr << "splitbrain-diskfs: cannot mount on " << args.mount << "\n";
    fuse_destroy(f);
    return kFailed;
  }
  state.fuse = f;
  fuse_session* session = fuse_get_session(f);
  int rc = fuse_set_signal_handlers(session) == 0 ? 0 : kFailed;
  if (rc == 0) {
    auto server = diskfs::ControlServer::Start(diskfs::SocketName(args.run_id, args.name), state);
    if (server.ok()) {
      // Ends on SIGTERM, SIGINT or SIGHUP (its result then carries the signal: not an error).
      (void)fuse_loop(f);
    } else {
      std::cerr << "splitbrain-diskfs: " << server.status().message() << "\n";
      rc = kFailed;
    }
    fuse_remove_signal_handlers(session);
  }
  fuse_unmount(f);
  fuse_destroy(f);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::cerr << "usage: splitbrain-diskfs --backing DIR --mount DIR --run-id ID --name NAME\n";
    return kBadArguments;
  }
  common::UniqueFd backing(::open(args.backing.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (backing.get() < 0) {
    std::cerr << "splitbrain-diskfs: --backing " << args.backing << ": " << common::ErrnoText(errno)
              << "\n";
    return kBadArguments;
  }
  diskfs::DiskState state(std::move(backing));
  return Serve(args, state);
}

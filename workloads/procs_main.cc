// splitbrain-procs: runs a node's several programs as one node (docs/db-definitions.md).
//
//   splitbrain-procs NAME -- PROGRAM ARGS... [--- NAME -- PROGRAM ARGS...]...
//
// Every program runs in this process's process group, so the backend's signals (kill, freeze,
// resume) reach all of them at once. When any program exits, the others get SIGTERM (SIGKILL
// after 5 s) and splitbrain-procs exits with the first one's status: a node is whole or down.
// SIGTERM and SIGINT to splitbrain-procs stop every program the same way.
#include <csignal>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/process/child.h"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void OnStop(int /*sig*/) { stop_requested = 1; }

struct Program {
  std::string name;
  std::vector<std::string> argv;
};

int Usage(const std::string& why) {
  std::cerr
      << "splitbrain-procs: " << why
      << "\nusage: splitbrain-procs NAME -- PROGRAM ARGS... [--- NAME -- PROGRAM ARGS...]...\n";
  return 2;
}

bool Parse(int argc, char** argv, std::vector<Program>& out) {
  Program current;
  bool in_argv = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "---") {
      if (current.argv.empty()) return false;
      out.push_back(std::move(current));
      current = {};
      in_argv = false;
    } else if (!in_argv && current.name.empty()) {
      current.name = arg;
    } else if (!in_argv && arg == "--") {
      in_argv = true;
    } else if (in_argv) {
      current.argv.push_back(arg);
    } else {
      return false;
    }
  }
  if (current.argv.empty()) return false;
  out.push_back(std::move(current));
  return true;
}

int Code(const common::process::ExitStatus& status) {
  if (status.code) return *status.code;
  return status.signal ? 128 + *status.signal : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Program> programs;
  if (!Parse(argc, argv, programs)) return Usage("bad arguments");
  struct sigaction action = {};
  action.sa_handler = OnStop;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::vector<common::process::Child> children;
  for (const Program& program : programs) {
    auto child =
        common::process::Child::Spawn({.argv = program.argv, .stdout_fd = 1, .stderr_fd = 2});
    if (!child.ok()) {
      std::cerr << "splitbrain-procs: " << program.name << ": " << child.status().message() << "\n";
      return 127;
    }
    std::cerr << "splitbrain-procs: " << program.name << " started (pid " << child->pid() << ")\n";
    children.push_back(std::move(*child));
  }
  int code = 0;
  for (bool done = false; !done;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_requested != 0) break;
    for (size_t i = 0; i < children.size() && !done; ++i) {
      if (children[i].IsRunning()) continue;
      auto ended = children[i].WaitForExit(std::chrono::milliseconds(0));
      code = ended.ok() ? Code(*ended) : 1;
      std::cerr << "splitbrain-procs: " << programs[i].name << " "
                << (ended.ok() ? ended->Describe() : ended.status().message())
                << "; stopping the others\n";
      done = true;
    }
  }
  for (common::process::Child& child : children) (void)child.Stop(std::chrono::seconds(5));
  return code;
}

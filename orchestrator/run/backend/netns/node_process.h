// NodeProcess: one running node program, a common::process::Child started inside the node's
// network namespace as the leader of its own process group. Signals go to the whole group, so
// every process the node started is killed, stopped or frozen with it. Move-only RAII: the
// destructor SIGKILLs the group and reaps the leader (Down kills nodes; it does not stop them).
// Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/process/child.h"
#include "common/status.h"

namespace orchestrator::netns {

struct NodeStart {
  std::filesystem::path netns_path;  // /var/run/netns/NAME: the child joins it before exec
  std::vector<std::string> argv;     // argv[0] the program's host path
  std::vector<std::string> env;      // "NAME=VALUE": set on top of this process's environment
  std::filesystem::path log_path;    // stdout and stderr, appended
};

class NodeProcess {
 public:
  // Starts the node: in its namespace, its own process group, an empty signal mask and default
  // dispositions, stdin from /dev/null.
  static common::Result<NodeProcess> Start(const NodeStart& start);

  NodeProcess() = default;
  NodeProcess(NodeProcess&& other) noexcept = default;
  NodeProcess& operator=(NodeProcess&& other) noexcept;
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess();

  pid_t pid() const { return child_.pid(); }  // -1 when none or reaped
  // Reaps the process if it has exited; true while it has not (a stopped process runs).
  bool is_running() { return child_.IsRunning(); }
  // SIGKILL to the group, then reap; OK when nothing runs.
  common::Status Kill();
  // SIGTERM (and SIGCONT, so a paused node sees it), up to `grace`, then Kill().
  common::Status Stop(std::chrono::milliseconds grace);
  // Sends `sig` to the group; Unavailable when nothing runs.
  common::Status Signal(int sig) { return child_.Signal(sig); }

 private:
  explicit NodeProcess(common::process::Child child) : child_(std::move(child)) {}

  common::process::Child child_;
};

}  // namespace orchestrator::netns

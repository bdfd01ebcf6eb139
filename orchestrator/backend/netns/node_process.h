// NodeProcess: one running node program (a child of this process, leader of its own process
// group). Move-only RAII: the destructor SIGKILLs the group and reaps the leader. Signals go to
// the whole group, so every process the node started is killed, stopped or frozen with it.
// Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>

#include "common/status.h"

namespace orchestrator::netns {

class NodeProcess {
 public:
  NodeProcess() = default;
  explicit NodeProcess(pid_t pid) : pid_(pid) {}
  NodeProcess(NodeProcess&& other) noexcept;
  NodeProcess& operator=(NodeProcess&& other) noexcept;
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess();

  pid_t pid() const { return pid_; }  // -1 when none or reaped
  // Reaps the process if it has exited; true while it has not (a stopped process runs).
  bool is_running();
  // SIGKILL to the group, then reap; OK when nothing runs.
  common::Status Kill();
  // SIGTERM (and SIGCONT, so a paused node sees it), up to `grace`, then Kill().
  common::Status Stop(std::chrono::milliseconds grace);
  // Sends `sig` to the group; Unavailable when nothing runs.
  common::Status Signal(int sig);

 private:
  common::Status SendToGroup(int sig);
  common::Status Reap();

  pid_t pid_ = -1;
};

}  // namespace orchestrator::netns

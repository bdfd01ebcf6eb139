// ControlServer: splitbrain-diskfs's control socket (control_protocol.h). A thread accepts one
// connection at a time on an abstract unix socket, reads one request line (1 s deadline, at
// most 1 KiB), answers it and closes the connection. Bad requests get `error ...` and change
// nothing. The destructor stops the thread (it polls a stop flag every 100 ms).
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "common/status.h"
#include "common/unique_fd.h"
#include "orchestrator/run/diskfs/disk_state.h"

namespace diskfs {

class ControlServer {
 public:
  // Binds `socket_name` (abstract namespace) and starts serving `state`, which must outlive it.
  static common::Result<std::unique_ptr<ControlServer>> Start(const std::string& socket_name,
                                                              DiskState& state);
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer();

  // The answer line to one request line (without newlines). Public for tests.
  static std::string Handle(DiskState& state, const std::string& request);

 private:
  ControlServer(common::UniqueFd listener, DiskState& state)
      : listener_(std::move(listener)), state_(state) {}
  void Loop();
  void Serve(int connection);

  common::UniqueFd listener_;
  DiskState& state_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace diskfs

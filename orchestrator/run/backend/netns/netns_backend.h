// NetnsBackend: the Backend of backend.h on plain Linux network namespaces, no daemon needed.
//
// Layout of run <id> (every name carries the id, so CleanupNetns finds what a killed run left):
//   namespace sb-<id>-sw     the switch: bridge br0, the host-facing end of every veth
//   namespace sb-<id>-n<i>   node i: lo, eth0 = 10.214.X.(10+i)/24 (peer p<i> in the switch)
//   link sb<id>h (host)      10.214.X.1/24, peer "host" in the switch: this process reaches nodes
//   namespace sb-<id>-c<j>   lease candidate j (AddCandidateBox): eth0 = 10.214.X.(220+j)/24
// The bridge sits in its own namespace so bridged traffic never crosses the host's iptables
// (Docker sets the host's FORWARD policy to DROP). X comes from the run id, skipping any /24
// the host already routes (subnet.h).
//
// Nodes run as children of this process, in their namespace and a process group of their own,
// output appended to run_dir/nodes/n<i>/node.log; their data dir is the host path
// run_dir/nodes/n<i>/data (no mount namespace). Kill is SIGKILL and reap, Stop SIGTERM then
// SIGKILL after 5 s, Pause/Resume SIGSTOP/SIGCONT to the group.
//
// Requires root and `ip` (iproute2). Not thread-safe (backend.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orchestrator/run/backend/backend.h"
#include "orchestrator/run/backend/netns/net_object.h"
#include "orchestrator/run/backend/netns/node_process.h"

namespace orchestrator {

// Root and `ip` on PATH.
bool NetnsAvailable();

class NetnsBackend : public Backend {
 public:
  NetnsBackend() = default;
  NetnsBackend(const NetnsBackend&) = delete;
  NetnsBackend& operator=(const NetnsBackend&) = delete;
  ~NetnsBackend() override;  // Down(); a failure is logged

  std::string_view name() const override { return "netns"; }

  common::Status Up(const BackendOptions& options) override;
  std::string NodeIp(int node) const override;
  std::string NodeDataDir(int node) const override;
  std::string NodeCtlDir(int node) const override;

  using Backend::CreateNode;
  common::Status CreateNode(int node, const std::vector<std::string>& argv,
                            const std::vector<std::string>& env) override;
  common::Status StartNode(int node) override;
  common::Status KillNode(int node) override;
  common::Status StopNode(int node) override;
  common::Status PauseNode(int node) override;
  common::Status ResumeNode(int node) override;
  bool IsRunning(int node) override;
  bool IsPaused(int node) override;
  common::Result<std::string> NetnsPath(int node) override;
  // Namespace sb-<id>-c<j>, eth0 = 10.214.X.(220+j)/24 on the switch (j in 1..30).
  common::Result<CandidateBox> AddCandidateBox(int candidate) override;

  common::Status CollectLogs() override;
  common::Status Down() override;

  // Names of this run's objects (valid after Up), for tests and messages.
  std::string SwitchNetns() const;
  std::string NodeNetns(int node) const;
  std::string HostLink() const;

 private:
  struct Node {
    std::vector<std::string> argv;  // empty until CreateNode
    std::vector<std::string> env;   // "NAME=VALUE" added to this process's environment
    netns::NodeProcess process;
  };

  common::Status BuildNetwork();
  common::Status AddSwitch();
  common::Status AddNode(int node);
  // A namespace `ns_name` whose eth0 (address `ip`) is plugged into the switch as `port`.
  common::Status AddBox(const std::string& ns_name, const std::string& port, const std::string& ip);
  common::Status AddHostLink();
  common::Result<Node*> At(int node);

  BackendOptions options_;
  std::string subnet_;         // "10.214.X"
  netns::NetObjects objects_;  // namespaces and the host link, removed newest first
  std::vector<Node> nodes_;    // node i at i - 1; declared last: processes die first
};

// A NetnsBackend; Unavailable (naming the fix) when not root or `ip` is missing.
common::Result<std::unique_ptr<Backend>> MakeNetnsBackend();

}  // namespace orchestrator

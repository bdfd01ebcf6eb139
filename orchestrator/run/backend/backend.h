// Backend: the one node-control interface the run lifecycle and the nemesis act through. A
// backend owns a cluster network and N node "boxes" (a container, or a network namespace with
// a process in it); it knows nothing of the database the nodes run.
//
// Lifecycle, driven by orchestrator/run:
//   Up(options)            network, per-node dirs (and, for docker, the image); no node runs
//   NodeIp(i)              the fixed address of node i (1-based) on the cluster network,
//                          reachable from this process (clients and the status poller use it)
//   NodeDataDir(i)         the path of node i's data dir as the node process sees it
//   NodeCtlDir(i)          the path, as node i's process sees it, of the host dir
//                          run_dir/nodes/n<i>/ctl: files the harness changes while the node
//                          runs (libfaketime's clock offset file)
//   CreateNode(i, argv, env)  argv[0] is the program's host path (docker maps it to /bin/<name>);
//                          env: "NAME=VALUE" entries added to the node's environment
//   StartNode / KillNode / StopNode / PauseNode / ResumeNode(i)
//   NetnsPath(i)           a path `nsenter --net=PATH` accepts, for the network faults
//   AddCandidateBox(j)     a network namespace of its own on the cluster network for lease
//                          candidate j (netns); removed by Down
//   CollectLogs()          copies each node's output into run_dir/nodes/n<i>/node.log
//   Down()                 removes everything Up and CreateNode made; idempotent; the
//                          destructor calls it, so an early return or exception tears down
//
// Every object a backend creates is labelled with the run id (docker label
// `splitbrain.run=<id>`, or the id inside its name), so `splitbrain cleanup` finds what a
// killed run left (see cleanup.h). Not thread-safe: one thread drives a backend; the nemesis
// and the lifecycle share it under the run's mutex.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

struct BackendOptions {
  std::string run_id;           // 8 lowercase hex digits; see run_id.h
  int nodes = 5;                // nodes are numbered 1..nodes
  RunDir run_dir = RunDir({});  // node i's host files: node_data(i), node_ctl(i), node_log(i)
  std::vector<std::filesystem::path> binaries;  // host paths of every program a node runs
  // Absolute host paths of shared libraries a node loads by path (LD_PRELOAD); docker carries
  // them, and what they link, at the same paths.
  std::vector<std::filesystem::path> libraries;
  // Host files and directories (absolute) docker copies into the node image at the same paths,
  // with the libraries their executables and shared objects link (a JVM, jars, data files).
  std::vector<std::filesystem::path> files;
  // A local image to run instead of building one (docker only); empty: build one.
  std::string image;
};

// Where a lease candidate runs (orchestrator/run/candidate_fleet.h).
struct CandidateBox {
  std::string netns_path;  // the child setns()es into it; `nsenter --net=PATH` accepts it
  std::string ip;          // its address on the cluster network
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;  // "docker" or "netns"

  virtual common::Status Up(const BackendOptions& options) = 0;
  virtual std::string NodeIp(int node) const = 0;
  virtual std::string NodeDataDir(int node) const = 0;
  virtual std::string NodeCtlDir(int node) const = 0;

  virtual common::Status CreateNode(int node, const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env) = 0;
  common::Status CreateNode(int node, const std::vector<std::string>& argv) {
    return CreateNode(node, argv, {});
  }
  virtual common::Status StartNode(int node) = 0;  // also restarts a killed or stopped node
  virtual common::Status KillNode(int node) = 0;   // SIGKILL; returns once it is dead
  virtual common::Status StopNode(int node) = 0;   // SIGTERM, then SIGKILL after 5 s
  virtual common::Status PauseNode(int node) = 0;  // freeze every process; returns once frozen
  virtual common::Status ResumeNode(int node) = 0;
  virtual bool IsRunning(int node) = 0;  // started and not killed or stopped (paused counts)
  virtual bool IsPaused(int node) = 0;   // running, and frozen by PauseNode
  virtual common::Result<std::string> NetnsPath(int node) = 0;
  // A namespace for lease candidate `candidate` (1-based) beside the nodes. Unavailable where
  // the backend has none to give (docker: the candidates then run on the host's network).
  virtual common::Result<CandidateBox> AddCandidateBox(int candidate) {
    return common::Status::Unavailable(
        "the " + std::string(name()) +
        " backend gives lease candidates no namespace of their own (" + std::to_string(candidate) +
        ")");
  }

  virtual common::Status CollectLogs() = 0;
  virtual common::Status Down() = 0;
};

}  // namespace orchestrator

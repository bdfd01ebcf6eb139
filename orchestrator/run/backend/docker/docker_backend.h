// DockerBackend: the Backend (orchestrator/backend/backend.h) on a local Docker daemon, driven
// through the Engine API (DockerClient). What it creates, all labelled
// `splitbrain.run=<run id>` and `splitbrain.pid=<orchestrator pid>`:
//   image      splitbrain-node:<hash> of the binaries, files and libraries (node_image.h;
//              shared by runs, cached), or BackendOptions::image as given (checked, not made)
//   network    sb-<run id>: a bridge (interface sb-<run id>) on 10.213.X.0/24, X derived from
//              the run id (the next X when Docker reports an overlapping pool); the host holds
//              the gateway .1, so this process reaches every node directly
//   container  sb-<run id>-n<i>: Init (tini forwards SIGTERM), fixed address .10+i, host dir
//              run_dir/nodes/n<i>/data bind-mounted at /data, argv[0] -> /bin/<basename> (with
//              a given image, argv[0] stays the host path)
// A container restarted after a kill or stop keeps its address and its data (same container).
// Down removes every container and network with the run's label, so it also finds objects a
// failed call half-made. Not thread-safe (the Backend contract).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orchestrator/run/backend/backend.h"
#include "orchestrator/run/backend/docker/docker_client.h"

namespace orchestrator::docker {

inline constexpr std::string_view kRunLabel = "splitbrain.run";
inline constexpr std::string_view kPidLabel = "splitbrain.pid";

class DockerBackend : public Backend {
 public:
  explicit DockerBackend(std::unique_ptr<DockerClient> client);
  ~DockerBackend() override;  // Down(); a failure is logged to stderr
  DockerBackend(const DockerBackend&) = delete;
  DockerBackend& operator=(const DockerBackend&) = delete;

  std::string_view name() const override { return "docker"; }

  common::Status Up(const BackendOptions& options) override;
  std::string NodeIp(int node) const override;  // "" before Up
  std::string NodeDataDir(int /*node*/) const override { return "/data"; }
  std::string NodeCtlDir(int /*node*/) const override { return "/ctl"; }

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

  common::Status CollectLogs() override;
  common::Status Down() override;

  // Valid after Up: the built image's tag, or BackendOptions::image.
  const std::string& image_tag() const { return image_tag_; }
  const std::string& network_name() const { return network_name_; }
  std::string ContainerName(int node) const;

 private:
  common::Status CreateNetwork();
  common::Status CheckNode(int node, bool must_exist) const;
  common::Result<std::string> ContainerCreateBody(int node, const std::vector<std::string>& argv,
                                                  const std::vector<std::string>& env);
  common::Status NodeAction(int node, std::string_view action);  // POST /containers/X/<action>
  common::Status CollectNodeLogs(int node);
  std::string Labels() const;  // the labels object as JSON

  std::unique_ptr<DockerClient> client_;
  BackendOptions options_;
  bool is_up_ = false;
  std::string image_tag_;
  std::string network_name_;
  int subnet_octet_ = -1;  // X of 10.213.X.0/24, once the network exists
  std::set<int> created_;  // nodes with a container
};

}  // namespace orchestrator::docker

namespace orchestrator {

// A DockerBackend on the daemon at `options.socket_path`; Unavailable with the fix in the
// message (see DockerClient) when it does not answer a ping.
common::Result<std::unique_ptr<Backend>> MakeDockerBackend(
    docker::DockerClientOptions options = {});

}  // namespace orchestrator

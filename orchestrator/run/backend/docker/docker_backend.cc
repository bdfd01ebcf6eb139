#include "orchestrator/run/backend/docker/docker_backend.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "orchestrator/run/backend/docker/docker_cleanup.h"
#include "orchestrator/run/backend/docker/log_demuxer.h"
#include "orchestrator/run/backend/docker/node_image.h"

namespace orchestrator::docker {
namespace {

using common::Result;
using common::Status;
using nlohmann::json;

constexpr int kMaxNodes = 244;                           // addresses .11 .. .254
constexpr int kSubnetAttempts = 32;                      // /24s tried after an overlapping pool
constexpr auto kStopTimeout = std::chrono::seconds(30);  // stop?t=5 plus slack
constexpr auto kWaitTimeout = std::chrono::seconds(30);

std::string SubnetPrefix(int octet) { return "10.213." + std::to_string(octet) + "."; }

// X of 10.213.X.0/24 for a run id: FNV-1a of its bytes, so concurrent runs rarely collide.
int SubnetOctetFor(std::string_view run_id) {
  uint32_t hash = 2166136261U;
  for (const char byte : run_id) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 16777619U;
  }
  return static_cast<int>(hash % 256);
}

Status CheckRunId(std::string_view run_id) {
  const bool is_valid = !run_id.empty() && run_id.size() <= 8 &&
                        run_id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (is_valid) return Status::Ok();
  return Status::InvalidArgument("docker backend: run id \"" + std::string(run_id) +
                                 "\" is not 1-8 lowercase hex digits");
}

Status CheckImageExists(DockerClient& client, const std::string& image) {
  const std::string path = "/images/" + image + "/json";
  ASSIGN_OR_RETURN(const DockerResponse inspect, client.Call({.method = "GET", .path = path}));
  if (inspect.ok()) return Status::Ok();
  if (inspect.http_status == 404) {
    return Status::NotFound("docker image \"" + image +
                            "\" is not in the local daemon (pull or build it first: docker pull " +
                            image + ")");
  }
  return HttpError("GET", path, inspect).WithContext("docker image " + image);
}

}  // namespace

DockerBackend::DockerBackend(std::unique_ptr<DockerClient> client) : client_(std::move(client)) {}

DockerBackend::~DockerBackend() {
  const Status status = Down();
  if (!status.ok()) std::cerr << "docker backend teardown: " << status.message() << "\n";
}

std::string DockerBackend::ContainerName(int node) const {
  return "sb-" + options_.run_id + "-n" + std::to_string(node);
}

std::string DockerBackend::NodeIp(int node) const {
  if (subnet_octet_ < 0) return "";
  return SubnetPrefix(subnet_octet_) + std::to_string(10 + node);
}

std::string DockerBackend::Labels() const {
  return json{{std::string(kRunLabel), options_.run_id},
              {std::string(kPidLabel), std::to_string(getpid())}}
      .dump();
}

Status DockerBackend::Up(const BackendOptions& options) {
  if (is_up_ || !options_.run_id.empty()) {
    return Status::InvalidArgument("docker backend: Up called twice");
  }
  RETURN_IF_ERROR(CheckRunId(options.run_id));
  if (options.nodes < 1 || options.nodes > kMaxNodes) {
    return Status::InvalidArgument("docker backend: " + std::to_string(options.nodes) +
                                   " nodes (1.." + std::to_string(kMaxNodes) + ")");
  }
  options_ = options;
  std::error_code error;
  options_.run_dir = RunDir(std::filesystem::absolute(options.run_dir.root(), error));
  if (error) return Status::IoError("docker backend: run dir: " + error.message());
  for (int node = 1; node <= options_.nodes; ++node) {
    for (const auto& dir : {options_.run_dir.node_data(node), options_.run_dir.node_ctl(node)}) {
      std::filesystem::create_directories(dir, error);
      if (error) return Status::IoError("create " + dir.string() + ": " + error.message());
    }
  }
  if (options_.image.empty()) {
    ASSIGN_OR_RETURN(const NodeImage image,
                     EnsureNodeImage(*client_, {.binaries = options_.binaries,
                                                .libraries = options_.libraries,
                                                .files = options_.files}));
    image_tag_ = image.tag;
  } else {
    RETURN_IF_ERROR(CheckImageExists(*client_, options_.image));
    image_tag_ = options_.image;
  }
  RETURN_IF_ERROR(CreateNetwork());
  is_up_ = true;
  return Status::Ok();
}

Status DockerBackend::CreateNetwork() {
  network_name_ = "sb-" + options_.run_id;
  const int first_octet = SubnetOctetFor(options_.run_id);
  for (int attempt = 0; attempt < kSubnetAttempts; ++attempt) {
    const int octet = (first_octet + attempt) % 256;
    const json body = {{"Name", network_name_},
                       {"Driver", "bridge"},
                       {"CheckDuplicate", true},
                       {"Labels", json::parse(Labels())},
                       {"Options", {{"com.docker.network.bridge.name", network_name_}}},
                       {"IPAM",
                        {{"Config", json::array({{{"Subnet", SubnetPrefix(octet) + "0/24"},
                                                  {"Gateway", SubnetPrefix(octet) + "1"}}})}}}};
    ASSIGN_OR_RETURN(
        const DockerResponse response,
        client_->Call({.method = "POST", .path = "/networks/create", .body = body.dump()}));
    if (response.ok()) {
      subnet_octet_ = octet;
      return Status::Ok();
    }
    if (DockerMessage(response.body).find("overlap") == std::string::npos) {
      return HttpError("POST", "/networks/create", response)
          .WithContext("network " + network_name_);
    }
  }
  return Status::ResourceExhausted("network " + network_name_ + ": every /24 tried in 10.213." +
                                   std::to_string(first_octet) + "+0.." +
                                   std::to_string(kSubnetAttempts - 1) + " overlaps another");
}

Status DockerBackend::CheckNode(int node, bool must_exist) const {
  if (!is_up_) return Status::InvalidArgument("docker backend: not up");
  if (node < 1 || node > options_.nodes) {
    return Status::InvalidArgument("docker backend: no node " + std::to_string(node) + " (1.." +
                                   std::to_string(options_.nodes) + ")");
  }
  if (must_exist && !created_.contains(node)) {
    return Status::InvalidArgument("docker backend: node " + std::to_string(node) +
                                   " has no container (CreateNode first)");
  }
  return Status::Ok();
}

Result<std::string> DockerBackend::ContainerCreateBody(int node,
                                                       const std::vector<std::string>& argv,
                                                       const std::vector<std::string>& env) {
  if (argv.empty()) return Status::InvalidArgument("CreateNode: empty argv");
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  bool is_known = false;
  for (const auto& binary : options_.binaries) is_known |= binary.filename() == program;
  if (!is_known) {
    return Status::InvalidArgument("CreateNode " + std::to_string(node) + ": " + argv[0] +
                                   " is not one of BackendOptions::binaries");
  }
  std::vector<std::string> cmd = argv;
  // Our image has every binary at /bin/<basename>; a given image is run with the host path.
  if (options_.image.empty()) cmd[0] = "/bin/" + program;
  const json body = {
      {"Image", image_tag_},
      {"Cmd", cmd},
      {"Env", env},
      {"Hostname", "n" + std::to_string(node)},
      {"Labels", json::parse(Labels())},
      {"HostConfig",
       {{"NetworkMode", network_name_},
        {"Init", true},
        {"Binds", json::array({options_.run_dir.node_data(node).string() + ":/data",
                               options_.run_dir.node_ctl(node).string() + ":/ctl"})}}},
      {"NetworkingConfig",
       {{"EndpointsConfig",
         {{network_name_, {{"IPAMConfig", {{"IPv4Address", NodeIp(node)}}}}}}}}}};
  return body.dump();
}

Status DockerBackend::CreateNode(int node, const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env) {
  RETURN_IF_ERROR(CheckNode(node, /*must_exist=*/false));
  if (created_.contains(node)) {
    return Status::InvalidArgument("CreateNode " + std::to_string(node) + ": already created");
  }
  ASSIGN_OR_RETURN(const std::string body, ContainerCreateBody(node, argv, env));
  const std::string name = ContainerName(node);
  auto created = client_->Post("/containers/create?name=" + name, body);
  if (!created.ok()) return created.status().WithContext("create container " + name);
  created_.insert(node);
  return Status::Ok();
}

Status DockerBackend::NodeAction(int node, std::string_view action) {
  RETURN_IF_ERROR(CheckNode(node, /*must_exist=*/true));
  const std::string name = ContainerName(node);
  const std::string path = "/containers/" + name + "/" + std::string(action);
  const bool is_stop = action.starts_with("stop");
  ASSIGN_OR_RETURN(const DockerResponse response,
                   client_->Call({.method = "POST",
                                  .path = path,
                                  .timeout = is_stop ? kStopTimeout : std::chrono::seconds(0)}));
  if (response.ok() || response.http_status == 304) return Status::Ok();  // 304: already so
  return HttpError("POST", path, response);
}

Status DockerBackend::StartNode(int node) { return NodeAction(node, "start"); }

Status DockerBackend::KillNode(int node) {
  RETURN_IF_ERROR(CheckNode(node, /*must_exist=*/true));
  Status killed = NodeAction(node, "kill?signal=SIGKILL");
  // 409 "is not running": already dead, which is what was asked.
  if (!killed.ok() && killed.message().find("is not running") == std::string::npos) return killed;
  const std::string path = "/containers/" + ContainerName(node) + "/wait?condition=not-running";
  auto waited = client_->Post(path, "", kWaitTimeout);
  return waited.ok() ? Status::Ok() : waited.status();
}

Status DockerBackend::StopNode(int node) { return NodeAction(node, "stop?t=5"); }
Status DockerBackend::PauseNode(int node) { return NodeAction(node, "pause"); }
Status DockerBackend::ResumeNode(int node) { return NodeAction(node, "unpause"); }

bool DockerBackend::IsRunning(int node) {
  if (!CheckNode(node, /*must_exist=*/true).ok()) return false;
  auto body = client_->Get("/containers/" + ContainerName(node) + "/json");
  if (!body.ok()) return false;
  const json inspect = json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (!inspect.is_object() || !inspect.contains("State")) return false;
  return inspect["State"].value("Running", false);
}

bool DockerBackend::IsPaused(int node) {
  if (!CheckNode(node, /*must_exist=*/true).ok()) return false;
  auto body = client_->Get("/containers/" + ContainerName(node) + "/json");
  if (!body.ok()) return false;
  const json inspect = json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (!inspect.is_object() || !inspect.contains("State")) return false;
  return inspect["State"].value("Running", false) && inspect["State"].value("Paused", false);
}

Result<std::string> DockerBackend::NetnsPath(int node) {
  RETURN_IF_ERROR(CheckNode(node, /*must_exist=*/true));
  const std::string name = ContainerName(node);
  ASSIGN_OR_RETURN(const std::string body, client_->Get("/containers/" + name + "/json"));
  const json inspect = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!inspect.is_object() || !inspect.contains("State")) {
    return Status::Internal("inspect " + name + ": no State in the answer");
  }
  const json& state = inspect["State"];
  const int pid = state.value("Pid", 0);
  if (!state.value("Running", false) || pid <= 0) {
    return Status::Unavailable("netns of " + name + ": the container is not running");
  }
  return "/proc/" + std::to_string(pid) + "/ns/net";
}

Status DockerBackend::CollectNodeLogs(int node) {
  const std::string name = ContainerName(node);
  const auto log_path = options_.run_dir.node_log(node);
  std::ofstream out(log_path, std::ios::binary | std::ios::trunc);
  if (!out)
    return Status::IoError("collect logs of " + name + ": cannot open " + log_path.string());
  LogDemuxer demuxer([&out](LogStream, std::string_view payload) {
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  });
  Status demux_status;
  const std::string path = "/containers/" + name + "/logs?stdout=1&stderr=1";
  ASSIGN_OR_RETURN(
      const DockerResponse response,
      client_->Call({.method = "GET", .path = path, .sink = [&](std::string_view chunk) {
                       demux_status = demuxer.Feed(chunk);
                       return demux_status.ok();
                     }}));
  if (!demux_status.ok()) return demux_status.WithContext("collect logs of " + name);
  if (!response.ok()) return HttpError("GET", path, response);
  RETURN_IF_ERROR(demuxer.Finish().WithContext("collect logs of " + name));
  out.flush();
  if (!out) return Status::IoError("collect logs of " + name + ": write " + log_path.string());
  return Status::Ok();
}

Status DockerBackend::CollectLogs() {
  Status first_error;
  for (const int node : created_) {
    const Status status = CollectNodeLogs(node);
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  return first_error;
}

Status DockerBackend::Down() {
  if (options_.run_id.empty()) return Status::Ok();  // Up never ran: nothing of ours exists
  const std::string run_id = options_.run_id;
  auto removed = RemoveLabelledObjects(*client_, std::string(kRunLabel) + "=" + run_id,
                                       [&run_id](const std::string& id) { return id == run_id; });
  if (!removed.ok()) return removed.status().WithContext("docker backend down " + run_id);
  created_.clear();
  is_up_ = false;
  return Status::Ok();
}

}  // namespace orchestrator::docker

namespace orchestrator {

common::Result<std::unique_ptr<Backend>> MakeDockerBackend(docker::DockerClientOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<docker::DockerClient> client,
                   docker::DockerClient::Create(std::move(options)));
  RETURN_IF_ERROR(client->Ping());
  return std::unique_ptr<Backend>(std::make_unique<docker::DockerBackend>(std::move(client)));
}

}  // namespace orchestrator

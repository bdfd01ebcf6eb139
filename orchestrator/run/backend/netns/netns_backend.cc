#include "orchestrator/run/backend/netns/netns_backend.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <system_error>
#include <thread>

#include "common/process/run.h"
#include "orchestrator/run/backend/netns/subnet.h"

namespace orchestrator {

using common::Result;
using common::Status;
using common::process::FindProgram;
using common::process::RunChecked;
using netns::NetObject;

namespace {

constexpr int kMaxNodes = 200;       // host part 10 + i stays below 255
constexpr int kCandidateHost = 220;  // candidate j's host part is 220 + j
constexpr int kMaxCandidates = 30;
constexpr auto kStopGrace = std::chrono::seconds(5);
constexpr const char* kNetnsDir = "/var/run/netns/";

std::vector<std::string> Ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  return args;
}

Status ValidateOptions(const BackendOptions& options) {
  if (!netns::IsRunId(options.run_id)) {
    return Status::InvalidArgument("netns: run id \"" + options.run_id +
                                   "\": want 8 lowercase hex digits");
  }
  if (options.nodes < 1 || options.nodes > kMaxNodes) {
    return Status::InvalidArgument("netns: " + std::to_string(options.nodes) + " nodes: want 1.." +
                                   std::to_string(kMaxNodes));
  }
  if (options.run_dir.root().empty()) return Status::InvalidArgument("netns: empty run dir");
  for (const std::filesystem::path& binary : options.binaries) {
    if (::access(binary.c_str(), X_OK) != 0) {
      return Status::InvalidArgument("netns: binary " + binary.string() +
                                     " is missing or not executable");
    }
  }
  return Status::Ok();
}

}  // namespace

bool NetnsAvailable() { return ::geteuid() == 0 && FindProgram("ip").has_value(); }

Result<std::unique_ptr<Backend>> MakeNetnsBackend() {
  if (::geteuid() != 0) {
    return Status::Unavailable("netns backend: needs root (run as root, or use --backend docker)");
  }
  if (!FindProgram("ip")) {
    return Status::Unavailable("netns backend: `ip` not found (apt-get install iproute2)");
  }
  return std::unique_ptr<Backend>(std::make_unique<NetnsBackend>());
}

NetnsBackend::~NetnsBackend() {
  if (Status s = Down(); !s.ok()) std::cerr << "netns: down: " << s.message() << "\n";
}

std::string NetnsBackend::SwitchNetns() const { return "sb-" + options_.run_id + "-sw"; }
std::string NetnsBackend::NodeNetns(int node) const {
  return "sb-" + options_.run_id + "-n" + std::to_string(node);
}
std::string NetnsBackend::HostLink() const { return "sb" + options_.run_id + "h"; }

Status NetnsBackend::Up(const BackendOptions& options) {
  if (!nodes_.empty()) return Status::InvalidArgument("netns: Up called twice without Down");
  RETURN_IF_ERROR(ValidateOptions(options));
  if (!NetnsAvailable()) {
    return Status::Unavailable("netns backend: needs root and `ip` (apt-get install iproute2)");
  }
  options_ = options;
  for (int i = 1; i <= options_.nodes; ++i) {
    for (const auto& dir : {options_.run_dir.node_data(i), options_.run_dir.node_ctl(i)}) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return Status::IoError(dir.string() + ": mkdir: " + ec.message());
    }
  }
  if (Status s = BuildNetwork(); !s.ok()) {
    if (Status removed = objects_.RemoveAll(); !removed.ok()) {
      std::cerr << "netns: undo of a failed Up: " << removed.message() << "\n";
    }
    return s.WithContext("netns up");
  }
  nodes_.resize(options_.nodes);
  return Status::Ok();
}

Status NetnsBackend::BuildNetwork() {
  ASSIGN_OR_RETURN(const std::string routes,
                   RunChecked(Ip({"-j", "-4", "route", "show", "table", "all"})));
  ASSIGN_OR_RETURN(const std::string addrs, RunChecked(Ip({"-j", "-4", "addr"})));
  ASSIGN_OR_RETURN(subnet_, netns::ChooseSubnet(options_.run_id, routes, addrs));
  RETURN_IF_ERROR(AddSwitch());
  for (int i = 1; i <= options_.nodes; ++i) RETURN_IF_ERROR(AddNode(i));
  return AddHostLink();
}

Status NetnsBackend::AddSwitch() {
  const std::string sw = SwitchNetns();
  ASSIGN_OR_RETURN(NetObject ns, NetObject::Create("netns " + sw, Ip({"netns", "add", sw}),
                                                   Ip({"netns", "del", sw})));
  objects_.Add(std::move(ns));  // owns br0 and every switch port: they die with it
  RETURN_IF_ERROR(RunChecked(Ip({"-n", sw, "link", "add", "br0", "type", "bridge"})).status());
  return RunChecked(Ip({"-n", sw, "link", "set", "br0", "up"})).status();
}

// The veth pair p<i>/eth0 lives in the node's and the switch's namespaces: deleting the node
// namespace deletes both ends.
Status NetnsBackend::AddNode(int node) {
  return AddBox(NodeNetns(node), "p" + std::to_string(node), NodeIp(node));
}

Result<CandidateBox> NetnsBackend::AddCandidateBox(int candidate) {
  if (nodes_.empty()) return Status::Unavailable("netns: the cluster is not up");
  if (candidate < 1 || candidate > kMaxCandidates) {
    return Status::InvalidArgument("netns: candidate " + std::to_string(candidate) + ": want 1.." +
                                   std::to_string(kMaxCandidates));
  }
  const std::string ns_name = "sb-" + options_.run_id + "-c" + std::to_string(candidate);
  const std::string ip = subnet_ + "." + std::to_string(kCandidateHost + candidate);
  RETURN_IF_ERROR(
      AddBox(ns_name, "c" + std::to_string(candidate), ip).WithContext("netns: candidate"));
  return CandidateBox{.netns_path = kNetnsDir + ns_name, .ip = ip};
}

Status NetnsBackend::AddBox(const std::string& ns_name, const std::string& port,
                            const std::string& ip) {
  const std::string sw = SwitchNetns();
  ASSIGN_OR_RETURN(NetObject ns,
                   NetObject::Create("netns " + ns_name, Ip({"netns", "add", ns_name}),
                                     Ip({"netns", "del", ns_name})));
  objects_.Add(std::move(ns));
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
            ns_name},
           {"-n", sw, "link", "set", port, "master", "br0", "up"},
           {"-n", ns_name, "addr", "add", ip + "/24", "dev", "eth0"},
           {"-n", ns_name, "link", "set", "eth0", "up"},
           {"-n", ns_name, "link", "set", "lo", "up"}}) {
    RETURN_IF_ERROR(RunChecked(Ip(args)).status());
  }
  return Status::Ok();
}

Status NetnsBackend::AddHostLink() {
  const std::string sw = SwitchNetns();
  const std::string link = HostLink();
  ASSIGN_OR_RETURN(NetObject host, NetObject::Create("link " + link,
                                                     Ip({"link", "add", link, "type", "veth",
                                                         "peer", "name", "host", "netns", sw}),
                                                     Ip({"link", "del", link})));
  objects_.Add(std::move(host));
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-n", sw, "link", "set", "host", "master", "br0", "up"},
           {"addr", "add", subnet_ + ".1/24", "dev", link},
           {"link", "set", link, "up"}}) {
    RETURN_IF_ERROR(RunChecked(Ip(args)).status());
  }
  return Status::Ok();
}

std::string NetnsBackend::NodeIp(int node) const {
  if (subnet_.empty() || node < 1 || node > options_.nodes) return "";
  return subnet_ + "." + std::to_string(10 + node);
}

std::string NetnsBackend::NodeDataDir(int node) const {
  if (node < 1 || node > options_.nodes) return "";
  return options_.run_dir.node_data(node).string();
}

std::string NetnsBackend::NodeCtlDir(int node) const {
  if (node < 1 || node > options_.nodes) return "";
  return options_.run_dir.node_ctl(node).string();
}

Result<NetnsBackend::Node*> NetnsBackend::At(int node) {
  if (nodes_.empty()) return Status::Unavailable("netns: the cluster is not up");
  if (node < 1 || node > static_cast<int>(nodes_.size())) {
    return Status::InvalidArgument("netns: node " + std::to_string(node) + ": want 1.." +
                                   std::to_string(nodes_.size()));
  }
  return &nodes_[node - 1];
}

Status NetnsBackend::CreateNode(int node, const std::vector<std::string>& argv,
                                const std::vector<std::string>& env) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  if (argv.empty())
    return Status::InvalidArgument("netns: node " + std::to_string(node) + ": empty argv");
  if (n->process.is_running()) {
    return Status::InvalidArgument("netns: node " + std::to_string(node) + " runs already");
  }
  for (const std::string& entry : env) {
    if (entry.find('=') == std::string::npos || entry.front() == '=') {
      return Status::InvalidArgument("netns: node " + std::to_string(node) +
                                     ": environment entry \"" + entry + "\" is not NAME=VALUE");
    }
  }
  n->argv = argv;
  n->env = env;
  return Status::Ok();
}

Status NetnsBackend::StartNode(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  if (n->argv.empty()) {
    return Status::InvalidArgument("netns: node " + std::to_string(node) + " was never created");
  }
  if (n->process.is_running()) return Status::Ok();
  ASSIGN_OR_RETURN(n->process,
                   netns::NodeProcess::Start({.netns_path = kNetnsDir + NodeNetns(node),
                                              .argv = n->argv,
                                              .env = n->env,
                                              .log_path = options_.run_dir.node_log(node)}));
  return Status::Ok();
}

Status NetnsBackend::KillNode(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  return n->process.Kill().WithContext("netns: kill node " + std::to_string(node));
}

Status NetnsBackend::StopNode(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  return n->process.Stop(kStopGrace).WithContext("netns: stop node " + std::to_string(node));
}

Status NetnsBackend::PauseNode(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  RETURN_IF_ERROR(
      n->process.Signal(SIGSTOP).WithContext("netns: pause node " + std::to_string(node)));
  // The signal is delivered when the kernel next schedules the process: return once it shows
  // stopped (the nemesis records the pause as applied after this), within a second.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!IsPaused(node) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

Status NetnsBackend::ResumeNode(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  return n->process.Signal(SIGCONT).WithContext("netns: resume node " + std::to_string(node));
}

bool NetnsBackend::IsRunning(int node) {
  Result<Node*> n = At(node);
  return n.ok() && (*n)->process.is_running();
}

bool NetnsBackend::IsPaused(int node) {
  Result<Node*> n = At(node);
  if (!n.ok() || !(*n)->process.is_running()) return false;
  // The third field of /proc/PID/stat is the state: T when stopped by a signal (SIGSTOP).
  std::ifstream stat("/proc/" + std::to_string((*n)->process.pid()) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');  // the command name may hold spaces and parentheses
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'T';
}

Result<std::string> NetnsBackend::NetnsPath(int node) {
  ASSIGN_OR_RETURN(Node * n, At(node));
  (void)n;
  return kNetnsDir + NodeNetns(node);
}

// Each node writes node.log itself through an O_APPEND descriptor this process closed right
// after the start: nothing is buffered here, nothing to copy.
Status NetnsBackend::CollectLogs() { return Status::Ok(); }

Status NetnsBackend::Down() {
  Status first;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Status s = nodes_[i].process.Kill();
    if (!s.ok() && first.ok()) first = s.WithContext("kill node " + std::to_string(i + 1));
  }
  nodes_.clear();
  if (Status s = objects_.RemoveAll(); !s.ok() && first.ok()) first = s;
  return first.WithContext("netns down");
}

}  // namespace orchestrator

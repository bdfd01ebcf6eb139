#include "refdb/server/testing/local_cluster.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <utility>

namespace refdb::testing {

using common::Result;
using common::Status;
using common::process::Child;
using common::process::ExitStatus;
using common::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);
std::atomic<int> cluster_counter{0};

std::string IpPrefix() {
  const int pid = static_cast<int>(::getpid());
  const int n = cluster_counter.fetch_add(1);
  return "127." + std::to_string(1 + pid % 250) + "." + std::to_string((pid / 250 + n * 7) % 250) +
         ".";
}

}  // namespace

LocalCluster::LocalCluster(ClusterOptions options, TempDir dir, std::string ip_prefix, int port)
    : options_(std::move(options)),
      dir_(std::move(dir)),
      ip_prefix_(std::move(ip_prefix)),
      port_(port) {}

LocalCluster::~LocalCluster() {
  for (auto& [node, process] : processes_) {
    Result<ExitStatus> r = process.Stop(common::process::kDefaultStopGrace);
    (void)r;  // nothing to report to here; a stuck node is killed by the policy
  }
}

Result<std::unique_ptr<LocalCluster>> LocalCluster::Start(ClusterOptions options) {
  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("refdb-cluster"));
  std::unique_ptr<LocalCluster> cluster(
      new LocalCluster(std::move(options), std::move(dir), IpPrefix(), 17000));
  if (cluster->options_.tls) {
    common::certs::CertDirOptions certs{.parent = cluster->dir_.path(), .prefix = "tls-"};
    for (int node = 1; node <= cluster->size(); ++node) {
      const std::string address = cluster->address(node);
      certs.identities.push_back({.name = "n" + std::to_string(node),
                                  .addresses = {address.substr(0, address.rfind(':'))}});
    }
    certs.identities.push_back({.name = "client"});
    ASSIGN_OR_RETURN(cluster->certs_, common::certs::CertDir::Create(certs));
  }
  for (int node = 1; node <= cluster->size(); ++node) RETURN_IF_ERROR(cluster->StartNode(node));
  return cluster;
}

std::string LocalCluster::address(int node) const {
  return ip_prefix_ + std::to_string(node) + ":" + std::to_string(port_);
}

std::vector<std::string> LocalCluster::endpoints() const {
  std::vector<std::string> out;
  for (int node = 1; node <= size(); ++node) out.push_back(address(node));
  return out;
}

std::string LocalCluster::data_dir(int node) const {
  return dir_.path() + "/n" + std::to_string(node);
}

std::string LocalCluster::log_path(int node) const {
  return dir_.path() + "/n" + std::to_string(node) + ".log";
}

uint64_t LocalCluster::id(int node) const {
  auto it = rejoined_ids_.find(node);
  return it == rejoined_ids_.end() ? static_cast<uint64_t>(node) : it->second;
}

Status LocalCluster::RejoinNode(int node, uint64_t id) {
  if (is_running(node))
    return Status::InvalidArgument("node " + std::to_string(node) + " still runs");
  std::error_code error;
  std::filesystem::remove_all(data_dir(node), error);
  if (error) return Status::Internal(data_dir(node) + ": " + error.message());
  rejoined_ids_[node] = id;
  return StartNode(node);
}

Status LocalCluster::StartNode(int node) {
  std::string peers;
  for (int other = 1; other <= size(); ++other) {
    peers += (peers.empty() ? "" : ",") + std::to_string(id(other)) + "=" + address(other);
  }
  std::vector<std::string> argv = {options_.binary, "--id",        std::to_string(id(node)),
                                   "--listen",      address(node), "--peers",
                                   peers,           "--data",      data_dir(node)};
  if (rejoined_ids_.count(node) != 0) argv.emplace_back("--join");
  argv.insert(argv.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  if (certs_) {
    const common::TlsFiles tls = certs_->FilesFor("n" + std::to_string(node));
    argv.insert(argv.end(), {"--tls-ca", tls.ca, "--tls-cert", tls.cert, "--tls-key", tls.key});
  }
  ASSIGN_OR_RETURN(Child process, Child::Spawn({.argv = argv, .log_path = log_path(node)}));
  processes_.insert_or_assign(node, std::move(process));
  return Status::Ok();
}

Status LocalCluster::KillNode(int node) {
  auto it = processes_.find(node);
  if (it == processes_.end()) return Status::NotFound("node " + std::to_string(node));
  Result<ExitStatus> r = it->second.Kill();
  return r.ok() ? Status::Ok() : r.status();
}

Status LocalCluster::StopNode(int node) {
  auto it = processes_.find(node);
  if (it == processes_.end()) return Status::NotFound("node " + std::to_string(node));
  Result<ExitStatus> r = it->second.Stop(common::process::kDefaultStopGrace);
  return r.ok() ? Status::Ok() : r.status();
}

bool LocalCluster::is_running(int node) {
  auto it = processes_.find(node);
  return it != processes_.end() && it->second.IsRunning();
}

Result<statuspb::StatusResponse> LocalCluster::Status(int node) {
  auto& stub = status_stubs_[node];
  if (!stub) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // see Reset below
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (certs_) {
      ASSIGN_OR_RETURN(common::TlsPem pem, common::ReadTlsFiles(certs_->FilesFor("client")));
      credentials = grpc::SslCredentials(
          {.pem_root_certs = pem.ca, .pem_private_key = pem.key, .pem_cert_chain = pem.cert});
    }
    stub = statuspb::Status::NewStub(grpc::CreateCustomChannel(address(node), credentials, args));
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  statuspb::StatusResponse response;
  const grpc::Status s = stub->GetStatus(&context, statuspb::StatusRequest(), &response);
  if (!s.ok()) {
    // A fresh channel next time: gRPC keeps a refused channel in backoff for seconds.
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) stub.reset();
    return Status::Unavailable(address(node) + ": status: " + s.error_message());
  }
  return response;
}

Result<int> LocalCluster::WaitForLeader(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::optional<int> leader;
    uint64_t leader_term = 0, max_term = 0;
    for (int node = 1; node <= size(); ++node) {
      if (!is_running(node)) continue;
      Result<statuspb::StatusResponse> s = Status(node);
      if (!s.ok()) continue;
      max_term = std::max(max_term, s->term());
      if (s->role() == "leader" && s->term() >= leader_term) {
        leader = node;
        leader_term = s->term();
      }
    }
    if (leader && leader_term == max_term) return *leader;
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::DeadlineExceeded("no leader within " + std::to_string(timeout.count()) + " ms");
}

Status LocalCluster::WaitForApplied(uint64_t index, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string behind;
  while (Clock::now() < deadline) {
    behind.clear();
    for (int node = 1; node <= size(); ++node) {
      if (!is_running(node)) continue;
      Result<statuspb::StatusResponse> s = Status(node);
      if (!s.ok() || s->applied_index() < index) behind += " " + std::to_string(node);
    }
    if (behind.empty()) return Status::Ok();
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::DeadlineExceeded("nodes" + behind + " did not apply " + std::to_string(index));
}

}  // namespace refdb::testing

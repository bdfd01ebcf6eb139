#include "bench/etcd_cluster.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <utility>

#include "workloads/etcd_db.h"

namespace bench {

using common::Result;
using common::Status;
using common::process::Child;
using common::process::ExitStatus;
using common::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kClientPort = 12379;
constexpr int kPeerPort = 12380;
constexpr auto kPollInterval = std::chrono::milliseconds(10);

// Differs from LocalCluster's prefix for the same pid, so the two clusters never share an IP.
std::string IpPrefix() {
  const int pid = static_cast<int>(::getpid());
  return "127." + std::to_string(1 + (pid + 97) % 250) + "." + std::to_string(pid / 250 % 250) +
         ".";
}

}  // namespace

EtcdCluster::EtcdCluster(EtcdOptions options, TempDir dir, std::string ip_prefix)
    : options_(std::move(options)), dir_(std::move(dir)), ip_prefix_(std::move(ip_prefix)) {}

EtcdCluster::~EtcdCluster() {
  for (auto& [member, process] : processes_) {
    Result<ExitStatus> r = process.Stop(std::chrono::milliseconds(3000));
    if (!r.ok()) std::fprintf(stderr, "etcd member %d: %s\n", member, r.status().message().c_str());
  }
}

Result<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(EtcdOptions options) {
  if (::access(options.binary.c_str(), X_OK) != 0) {
    return Status::NotFound(options.binary +
                            ": no etcd binary (install Debian's etcd-server: ci/setup.sh)");
  }
  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("refdb-bench-etcd"));
  std::unique_ptr<EtcdCluster> cluster(
      new EtcdCluster(std::move(options), std::move(dir), IpPrefix()));
  for (int member = 1; member <= cluster->size(); ++member) {
    RETURN_IF_ERROR(cluster->StartMember(member));
  }
  return cluster;
}

std::string EtcdCluster::client_address(int member) const {
  return ip_prefix_ + std::to_string(member) + ":" + std::to_string(kClientPort);
}

std::string EtcdCluster::peer_url(int member) const {
  return "http://" + ip_prefix_ + std::to_string(member) + ":" + std::to_string(kPeerPort);
}

std::string EtcdCluster::log_path(int member) const {
  return dir_.path() + "/m" + std::to_string(member) + ".log";
}

// The members' flags are the etcd adapter's (workloads/etcd_db.h), on loopback addresses and
// this bench's ports, token and names.
std::vector<std::string> EtcdCluster::MemberArgv(int member) const {
  std::vector<std::string> ips;
  for (int other = 1; other <= size(); ++other) ips.push_back(ip_prefix_ + std::to_string(other));
  const workloads::EtcdDb db({.binary = options_.binary,
                              .client_port = kClientPort,
                              .peer_port = kPeerPort,
                              .token = "refdb-bench-" + std::to_string(::getpid()),
                              .name_prefix = "m"});
  return db.NodeArgv({.id = member,
                      .ip = ips[member - 1],
                      .peer_ips = ips,
                      .data_dir = dir_.path() + "/m" + std::to_string(member)});
}

Status EtcdCluster::StartMember(int member) {
  ASSIGN_OR_RETURN(Child process,
                   Child::Spawn({.argv = MemberArgv(member), .log_path = log_path(member)}));
  processes_.insert_or_assign(member, std::move(process));
  return Status::Ok();
}

Status EtcdCluster::KillMember(int member) {
  auto it = processes_.find(member);
  if (it == processes_.end()) return Status::NotFound("etcd member " + std::to_string(member));
  Result<ExitStatus> r = it->second.Kill();
  return r.ok() ? Status::Ok() : r.status();
}

bool EtcdCluster::is_running(int member) {
  auto it = processes_.find(member);
  return it != processes_.end() && it->second.IsRunning();
}

Result<etcdserverpb::StatusResponse> EtcdCluster::Status(int member) {
  auto& stub = stubs_[member];
  if (!stub) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    stub = etcdserverpb::Maintenance::NewStub(grpc::CreateCustomChannel(
        client_address(member), grpc::InsecureChannelCredentials(), args));
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  etcdserverpb::StatusResponse response;
  const grpc::Status s = stub->Status(&context, etcdserverpb::StatusRequest(), &response);
  if (!s.ok()) {
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) stub.reset();
    return Status::Unavailable("etcd " + client_address(member) + ": status: " + s.error_message());
  }
  member_numbers_[response.header().member_id()] = member;
  return response;
}

Result<int> EtcdCluster::WaitForLeader(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    uint64_t leader_id = 0;
    bool agree = true;
    for (int member = 1; member <= size() && agree; ++member) {
      if (!is_running(member)) continue;
      Result<etcdserverpb::StatusResponse> s = Status(member);
      if (!s.ok()) continue;
      if (leader_id == 0) leader_id = s->leader();
      agree = s->leader() != 0 && s->leader() == leader_id;
    }
    auto it = member_numbers_.find(leader_id);
    if (agree && it != member_numbers_.end() && is_running(it->second)) return it->second;
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::DeadlineExceeded("etcd: no leader within " + std::to_string(timeout.count()) +
                                  " ms");
}

Status EtcdCluster::WaitForHealthy(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  ASSIGN_OR_RETURN(const int leader, WaitForLeader(timeout));
  ASSIGN_OR_RETURN(etcdserverpb::StatusResponse leader_status, Status(leader));
  std::string behind;
  while (Clock::now() < deadline) {
    behind.clear();
    for (int member = 1; member <= size(); ++member) {
      Result<etcdserverpb::StatusResponse> s = Status(member);
      if (!s.ok() || s->raftappliedindex() < leader_status.raftindex()) {
        behind += " " + std::to_string(member);
      }
    }
    if (behind.empty()) return Status::Ok();
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::DeadlineExceeded("etcd members" + behind + " did not catch up");
}

}  // namespace bench

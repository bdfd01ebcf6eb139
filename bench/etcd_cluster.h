// EtcdCluster: N real etcd members (Debian's etcd-server 3.4, /usr/bin/etcd by default) on
// this machine, member i (1..N) on its own loopback address 127.A.B.i (A.B from the process
// id), client port 12379, peer port 12380, data dirs in one TempDir. The flags are the etcd
// adapter's (workloads/etcd_db.h: heartbeat 100 ms, election timeout 1000 ms, pre-vote on);
// etcd fsyncs its WAL before acknowledging, as refdb does. Owns its member processes (Child:
// SIGTERM, then SIGKILL, on destruction) and the TempDir. Every wait polls a condition until a
// deadline. Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/process/child.h"
#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "etcd_rpc.grpc.pb.h"

namespace bench {

struct EtcdOptions {
  std::string binary = "/usr/bin/etcd";
  int members = 3;
};

class EtcdCluster {
 public:
  // NotFound with a clear message when the binary is missing; else starts every member.
  static common::Result<std::unique_ptr<EtcdCluster>> Start(EtcdOptions options);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return options_.members; }
  std::string client_address(int member) const;  // host:port, for gRPC
  std::string log_path(int member) const;

  common::Status StartMember(int member);  // also restarts a killed one from its data dir
  common::Status KillMember(int member);   // SIGKILL (a crash)
  bool is_running(int member);

  // Maintenance.Status of one member, or an error when it does not answer within 500 ms.
  common::Result<etcdserverpb::StatusResponse> Status(int member);
  // Waits until every running member that answers names the same leader, and that leader is
  // a running member; returns its number.
  common::Result<int> WaitForLeader(std::chrono::milliseconds timeout);
  // Waits until there is a leader and every member has applied the leader's commit index.
  common::Status WaitForHealthy(std::chrono::milliseconds timeout);

 private:
  EtcdCluster(EtcdOptions options, common::testing::TempDir dir, std::string ip_prefix);
  std::string peer_url(int member) const;
  std::vector<std::string> MemberArgv(int member) const;

  EtcdOptions options_;
  common::testing::TempDir dir_;
  std::string ip_prefix_;
  std::map<int, common::process::Child> processes_;
  std::map<int, std::unique_ptr<etcdserverpb::Maintenance::Stub>> stubs_;
  std::map<uint64_t, int> member_numbers_;  // etcd member id -> our member number
};

}  // namespace bench

// LocalCluster: N real `refdb` processes on this machine, each on its own loopback address
// (127.A.B.<node>:port, with A.B drawn from the process id so parallel tests do not clash),
// with data dirs in one TempDir. Nodes are numbered 1..N. Owns its node processes (Child:
// stopped with SIGTERM, then SIGKILL, on destruction) and the TempDir. Every wait polls a condition
// until a deadline. Not thread-safe. Used by the integration tests and the benchmark.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/certs/cert_dir.h"
#include "common/process/child.h"
#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "status.grpc.pb.h"

namespace refdb::testing {

struct ClusterOptions {
  std::string binary;  // path of refdb
  int nodes = 3;
  std::vector<std::string> extra_flags = {};  // given to every node, e.g. {"--bug", "no-fsync"}
  // Mutual TLS: a CertDir in the cluster's TempDir (identities n<i> with node i's address as
  // IP SAN, and "client"); node i runs with n<i>'s --tls-* files, Status calls use "client".
  bool tls = false;
};

class LocalCluster {
 public:
  // Creates the data dirs and starts every node.
  static common::Result<std::unique_ptr<LocalCluster>> Start(ClusterOptions options);
  ~LocalCluster();

  int size() const { return options_.nodes; }
  std::string address(int node) const;
  std::vector<std::string> endpoints() const;
  std::string data_dir(int node) const;
  std::string log_path(int node) const;
  // The cluster's certificates (tls only; null otherwise).
  const common::certs::CertDir* certs() const { return certs_ ? &*certs_ : nullptr; }

  common::Status StartNode(int node);
  // Member replacement: wipes the stopped node's data dir and starts it as the new member `id`
  // (the id etcd's MemberAdd gave it) with --join. Later StartNode calls keep that id.
  common::Status RejoinNode(int node, uint64_t id);
  uint64_t id(int node) const;        // the node's refdb id: its number until it rejoins
  common::Status KillNode(int node);  // SIGKILL (a crash)
  common::Status StopNode(int node);  // SIGTERM, then SIGKILL after the grace period
  bool is_running(int node);

  // The node's status, or an error when it does not answer within 500 ms.
  common::Result<statuspb::StatusResponse> Status(int node);
  // Waits until a running node reports itself leader and every other running node that
  // answers agrees on its term or is behind it; returns its number.
  common::Result<int> WaitForLeader(std::chrono::milliseconds timeout);
  // Waits until every running node has applied at least `index`.
  common::Status WaitForApplied(uint64_t index, std::chrono::milliseconds timeout);

 private:
  LocalCluster(ClusterOptions options, common::testing::TempDir dir, std::string ip_prefix,
               int port);

  ClusterOptions options_;
  common::testing::TempDir dir_;
  std::string ip_prefix_;
  int port_;
  std::optional<common::certs::CertDir> certs_;
  std::map<int, common::process::Child> processes_;
  std::map<int, uint64_t> rejoined_ids_;  // node -> id given to RejoinNode
  std::map<int, std::unique_ptr<statuspb::Status::Stub>> status_stubs_;
};

}  // namespace refdb::testing

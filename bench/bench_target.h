// BenchTarget: one database cluster as refdb_bench sees it: a client per load thread, its
// leader, killing and restarting members. StartRefdbTarget and StartEtcdTarget start a local
// cluster (LocalCluster, EtcdCluster); the target owns it and tears it down on destruction.
// Not thread-safe, except NewClient's clients, which each belong to one thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "bench/kv_load.h"
#include "common/status.h"

namespace bench {

class BenchTarget {
 public:
  virtual ~BenchTarget() = default;
  virtual std::string name() const = 0;  // "refdb", "etcd": the prefix of every output key
  virtual int size() const = 0;          // members are numbered 1..size()
  virtual std::string client_address(int member) const = 0;
  // A client over `channel` (which may be shared by several clients).
  virtual std::unique_ptr<KvClient> NewClient(std::shared_ptr<grpc::Channel> channel) = 0;
  virtual common::Result<int> WaitForLeader(std::chrono::milliseconds timeout) = 0;
  // A leader, and every member has applied what it had committed.
  virtual common::Status WaitForHealthy(std::chrono::milliseconds timeout) = 0;
  virtual common::Status Kill(int member) = 0;  // SIGKILL
  virtual common::Status Restart(int member) = 0;
};

// A channel with its own TCP connection (not shared with other channels to that address).
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address);

common::Result<std::unique_ptr<BenchTarget>> StartRefdbTarget(const std::string& binary);
common::Result<std::unique_ptr<BenchTarget>> StartEtcdTarget(const std::string& binary);

}  // namespace bench

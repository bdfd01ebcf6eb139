// EtcdForwarder: passes an etcd call (KV, Lease, MemberAdd/Remove) a follower received on to the
// leader, so that an etcd client may use any member's endpoint (etcdctl 3.4 sends each call to the
// next endpoint in turn). etcd forwards proposals inside the cluster; here the whole call is
// relayed over gRPC to the leader's client port, with its deadline, and the leader's answer is the
// answer. A relayed call carries the metadata `refdb-forwarded` and is never relayed again: if the
// node it reached is no longer leader, the client gets "not leader" (FAILED_PRECONDITION) and
// retries. A serializable Range is never relayed (it is served from the local state).
// Channels and stubs are kept per leader address. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/mutex.h"
#include "etcd_rpc.grpc.pb.h"
#include "refdb/server/driver.h"

namespace refdb::server {

class EtcdForwarder {
 public:
  // `credentials`: for the channels to the leader (tls_credentials.h).
  EtcdForwarder(const Driver& driver, std::shared_ptr<grpc::ChannelCredentials> credentials)
      : driver_(&driver), credentials_(std::move(credentials)) {}

  struct Stubs {
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Lease::Stub> lease;
    std::unique_ptr<etcdserverpb::Cluster::Stub> cluster;
  };

  // Where to relay the call now: the leader's address, when this node is not the leader, a
  // leader is known and the call was not relayed already; nullopt: serve it here.
  std::optional<std::string> Target(const grpc::ServerContextBase& context) const;
  // The stubs for the leader at `address` (created on first use, kept).
  const Stubs& StubsFor(const std::string& address) EXCLUDES(mu_);
  // A client context for the relayed call: the marker, and `context`'s deadline (capped at
  // kMaxCallWait when `cap_deadline`; a keep-alive stream keeps it as it is).
  static std::shared_ptr<grpc::ClientContext> RelayContext(const grpc::ServerContextBase& context,
                                                           bool cap_deadline = true);

  static constexpr char kForwardedKey[] = "refdb-forwarded";

 private:
  const Driver* driver_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  common::Mutex mu_;
  std::map<std::string, std::unique_ptr<Stubs>> stubs_ GUARDED_BY(mu_);
};

}  // namespace refdb::server

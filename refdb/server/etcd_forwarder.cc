#include "refdb/server/etcd_forwarder.h"

#include "refdb/server/pending_call.h"

namespace refdb::server {

std::optional<std::string> EtcdForwarder::Target(const grpc::ServerContextBase& context) const {
  if (context.client_metadata().count(kForwardedKey) != 0) return std::nullopt;
  const statuspb::StatusResponse s = driver_->status();
  if (s.role() == "leader" || s.leader_id() == 0 || s.leader_id() == s.node_id() ||
      s.leader_address().empty()) {
    return std::nullopt;
  }
  return s.leader_address();
}

const EtcdForwarder::Stubs& EtcdForwarder::StubsFor(const std::string& address) {
  common::MutexLock lock(mu_);
  std::unique_ptr<Stubs>& stubs = stubs_[address];
  if (!stubs) {
    grpc::ChannelArguments args;
    // A restarted leader is reached again soon (gRPC's default reconnect backoff grows to 120 s).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    auto channel = grpc::CreateCustomChannel(address, credentials_, args);
    stubs = std::make_unique<Stubs>(Stubs{.kv = etcdserverpb::KV::NewStub(channel),
                                          .lease = etcdserverpb::Lease::NewStub(channel),
                                          .cluster = etcdserverpb::Cluster::NewStub(channel)});
  }
  return *stubs;
}

std::shared_ptr<grpc::ClientContext> EtcdForwarder::RelayContext(
    const grpc::ServerContextBase& context, bool cap_deadline) {
  auto relay = std::make_shared<grpc::ClientContext>();
  relay->set_deadline(cap_deadline ? WaitDeadline(context) : context.deadline());
  relay->AddMetadata(kForwardedKey, "1");
  return relay;
}

}  // namespace refdb::server

// A gRPC channel of its own to one node, for the database adapters: not shared with other
// channels to the same address (a local subchannel pool), and reconnecting within 20-100 ms
// once the node is back, instead of gRPC's default backoff of up to two minutes. Insecure unless
// given credentials (TLS).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace workloads {

inline std::shared_ptr<grpc::Channel> FreshChannel(
    const std::string& endpoint, const std::shared_ptr<grpc::ChannelCredentials>& credentials =
                                     grpc::InsecureChannelCredentials()) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(endpoint, credentials, args);
}

}  // namespace workloads

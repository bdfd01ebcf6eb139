// etcd's Lease service. Sync handlers: each call waits for the loop's Reply (WaitUntil), at
// most until its deadline or kMaxCallWait.
#include <chrono>
#include <memory>
#include <utility>

#include "refdb/server/etcd_services.h"
#include "refdb/server/pending_call.h"

namespace refdb::server {

namespace pb = etcdserverpb;
using commandpb::Command;
using commandpb::CommandResult;

namespace {

std::chrono::steady_clock::time_point SteadyDeadline(const grpc::ServerContext& context) {
  const auto left = WaitDeadline(context) - std::chrono::system_clock::now();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

}  // namespace

grpc::Status EtcdLeaseService::WaitForWrite(grpc::ServerContext& context, Command command,
                                            CommandResult& result) {
  auto reply = std::make_shared<Reply<WriteReply>>();
  if (!driver_->Submit(WriteInput{.command = std::move(command), .reply = reply})) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "input queue full"};
  }
  std::optional<WriteReply> r = reply->WaitUntil(SteadyDeadline(context));
  if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "write proposed, outcome unknown"};
  if (r->code != ReplyCode::kOk) return EtcdLoopFailure(context, *driver_, r->code, r->message);
  if (r->result.has_etcd_error()) {
    return {static_cast<grpc::StatusCode>(r->result.etcd_error().code()),
            r->result.etcd_error().message()};
  }
  result = std::move(r->result);
  return grpc::Status::OK;
}

grpc::Status EtcdLeaseService::WaitForRead(grpc::ServerContext& context, EtcdRead read,
                                           ReadReply& reply) {
  auto waiting = std::make_shared<Reply<ReadReply>>();
  if (!driver_->Submit(ReadInput{.reply = waiting, .etcd = std::move(read)})) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "input queue full"};
  }
  std::optional<ReadReply> r = waiting->WaitUntil(SteadyDeadline(context));
  if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "read did not complete in time"};
  if (r->code != ReplyCode::kOk) return EtcdLoopFailure(context, *driver_, r->code, r->message);
  reply = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status EtcdLeaseService::LeaseGrant(grpc::ServerContext* context,
                                          const pb::LeaseGrantRequest* request,
                                          pb::LeaseGrantResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).lease->LeaseGrant(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  Command command;
  *command.mutable_lease_grant() = *request;
  CommandResult result;
  grpc::Status status = WaitForWrite(*context, std::move(command), result);
  if (!status.ok()) return status;
  *response = std::move(*result.mutable_lease_grant());
  identity_.Fill(driver_->status(), response->header().revision(), *response->mutable_header());
  return grpc::Status::OK;
}

grpc::Status EtcdLeaseService::LeaseRevoke(grpc::ServerContext* context,
                                           const pb::LeaseRevokeRequest* request,
                                           pb::LeaseRevokeResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).lease->LeaseRevoke(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  Command command;
  *command.mutable_lease_revoke() = *request;
  CommandResult result;
  grpc::Status status = WaitForWrite(*context, std::move(command), result);
  if (!status.ok()) return status;
  *response = std::move(*result.mutable_lease_revoke());
  identity_.Fill(driver_->status(), response->header().revision(), *response->mutable_header());
  return grpc::Status::OK;
}

grpc::Status EtcdLeaseService::LeaseKeepAlive(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<pb::LeaseKeepAliveResponse, pb::LeaseKeepAliveRequest>* stream) {
  if (auto leader = forwarder_->Target(*context)) return RelayKeepAlive(*context, *leader, *stream);
  pb::LeaseKeepAliveRequest request;
  while (stream->Read(&request)) {
    ReadReply reply;
    grpc::Status status = WaitForRead(*context, request, reply);
    if (!status.ok()) return status;
    pb::LeaseKeepAliveResponse& response = reply.keep_alive;
    identity_.Fill(driver_->status(), response.header().revision(), *response.mutable_header());
    if (!stream->Write(response)) break;
  }
  return grpc::Status::OK;
}

// One keep-alive answer per request, as the leader gives them.
grpc::Status EtcdLeaseService::RelayKeepAlive(
    grpc::ServerContext& context, const std::string& leader,
    grpc::ServerReaderWriter<pb::LeaseKeepAliveResponse, pb::LeaseKeepAliveRequest>& stream) {
  std::shared_ptr<grpc::ClientContext> relay =
      EtcdForwarder::RelayContext(context, /*cap_deadline=*/false);
  auto upstream = forwarder_->StubsFor(leader).lease->LeaseKeepAlive(relay.get());
  pb::LeaseKeepAliveRequest request;
  pb::LeaseKeepAliveResponse response;
  while (stream.Read(&request)) {
    if (!upstream->Write(request) || !upstream->Read(&response)) break;
    if (!stream.Write(response)) break;
  }
  upstream->WritesDone();
  return upstream->Finish();
}

grpc::Status EtcdLeaseService::LeaseTimeToLive(grpc::ServerContext* context,
                                               const pb::LeaseTimeToLiveRequest* request,
                                               pb::LeaseTimeToLiveResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).lease->LeaseTimeToLive(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  ReadReply reply;
  grpc::Status status = WaitForRead(*context, *request, reply);
  if (!status.ok()) return status;
  *response = std::move(reply.time_to_live);
  identity_.Fill(driver_->status(), response->header().revision(), *response->mutable_header());
  return grpc::Status::OK;
}

grpc::Status EtcdLeaseService::LeaseLeases(grpc::ServerContext* context,
                                           const pb::LeaseLeasesRequest* request,
                                           pb::LeaseLeasesResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).lease->LeaseLeases(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  ReadReply reply;
  grpc::Status status = WaitForRead(*context, *request, reply);
  if (!status.ok()) return status;
  *response = std::move(reply.leases);
  identity_.Fill(driver_->status(), response->header().revision(), *response->mutable_header());
  return grpc::Status::OK;
}

}  // namespace refdb::server

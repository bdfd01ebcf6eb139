// etcd's Cluster service: MemberList, and MemberAdd / MemberRemove as single-server
// configuration changes of the Raft core. Sync handlers: each waits for the loop's Reply, at
// most until its deadline or kMaxCallWait. A follower relays MemberAdd and MemberRemove to the
// leader (etcd_forwarder.h).
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "refdb/server/etcd_services.h"
#include "refdb/server/pending_call.h"

namespace refdb::server {

namespace pb = etcdserverpb;

namespace {

std::chrono::steady_clock::time_point ClusterCallDeadline(const grpc::ServerContext& context) {
  const auto left = WaitDeadline(context) - std::chrono::system_clock::now();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

// "http://HOST:PORT" (a trailing "/" allowed) -> "HOST:PORT"; nullopt otherwise.
std::optional<std::string> PeerAddress(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) return std::nullopt;
  if (url.find('/') != std::string_view::npos) return std::nullopt;
  const std::string_view port = url.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(url);
}

bool IsMember(const statuspb::StatusResponse& s, uint64_t id) {
  return std::find(s.members().begin(), s.members().end(), id) != s.members().end();
}

}  // namespace

grpc::Status EtcdClusterService::WaitForWrite(grpc::ServerContext& context, Input input,
                                              const std::shared_ptr<Reply<WriteReply>>& reply,
                                              WriteReply& result) {
  if (!driver_->Submit(std::move(input))) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "input queue full"};
  }
  std::optional<WriteReply> r = reply->WaitUntil(ClusterCallDeadline(context));
  if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "change proposed, outcome unknown"};
  if (r->code == ReplyCode::kRejected) {
    // etcd's answer to a change while another is in progress, or too early in a term.
    return {grpc::StatusCode::UNAVAILABLE, "etcdserver: unhealthy cluster (" + r->message + ")"};
  }
  if (r->code != ReplyCode::kOk) return EtcdLoopFailure(context, *driver_, r->code, r->message);
  result = std::move(*r);
  return grpc::Status::OK;
}

void EtcdClusterService::FillMembers(google::protobuf::RepeatedPtrField<pb::Member>& members,
                                     pb::ResponseHeader& header) {
  const statuspb::StatusResponse s = driver_->status();
  identity_.Fill(s, s.revision(), header);
  const std::map<uint64_t, std::string> addresses = driver_->member_addresses();
  for (uint64_t id : s.members()) {
    pb::Member& m = *members.Add();
    m.set_id(id);
    m.set_name("n" + std::to_string(id));
    auto it = addresses.find(id);
    if (it == addresses.end()) continue;
    m.add_peerurls("http://" + it->second);
    m.add_clienturls("http://" + it->second);
  }
}

grpc::Status EtcdClusterService::MemberList(grpc::ServerContext* /*context*/,
                                            const pb::MemberListRequest* /*request*/,
                                            pb::MemberListResponse* response) {
  FillMembers(*response->mutable_members(), *response->mutable_header());
  return grpc::Status::OK;
}

grpc::Status EtcdClusterService::MemberAdd(grpc::ServerContext* context,
                                           const pb::MemberAddRequest* request,
                                           pb::MemberAddResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).cluster->MemberAdd(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  if (request->islearner()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "refdb has no learners"};
  }
  std::optional<std::string> address;
  if (request->peerurls_size() == 1) address = PeerAddress(request->peerurls(0));
  if (!address) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "MemberAdd needs exactly one peer URL http://HOST:PORT"};
  }
  const statuspb::StatusResponse s = driver_->status();
  uint64_t largest_id = 0;
  for (const auto& [id, known] : driver_->member_addresses()) {
    largest_id = std::max(largest_id, id);
    if (known == *address && IsMember(s, id)) {
      return {grpc::StatusCode::FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"};
    }
  }
  for (uint64_t id : s.members()) largest_id = std::max(largest_id, id);
  // 1. The address, through the log: every replica learns it, and the id is chosen.
  commandpb::Command command;
  command.mutable_member_address()->set_address(*address);
  command.mutable_member_address()->set_min_id(largest_id);
  auto reply = std::make_shared<Reply<WriteReply>>();
  WriteReply recorded;
  grpc::Status status = WaitForWrite(
      *context, WriteInput{.command = std::move(command), .reply = reply}, reply, recorded);
  if (!status.ok()) return status;
  const uint64_t id = recorded.result.member_address().id();
  // 2. The voter.
  reply = std::make_shared<Reply<WriteReply>>();
  WriteReply added;
  status = WaitForWrite(
      *context,
      ConfChangeInput{.change = {.type = raft::ConfChange::Type::kAddVoter, .node_id = id},
                      .reply = reply},
      reply, added);
  if (!status.ok()) return status;
  pb::Member& member = *response->mutable_member();
  member.set_id(id);
  member.set_name("n" + std::to_string(id));
  member.add_peerurls("http://" + *address);
  FillMembers(*response->mutable_members(), *response->mutable_header());
  return grpc::Status::OK;
}

grpc::Status EtcdClusterService::MemberRemove(grpc::ServerContext* context,
                                              const pb::MemberRemoveRequest* request,
                                              pb::MemberRemoveResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return forwarder_->StubsFor(*leader).cluster->MemberRemove(
        EtcdForwarder::RelayContext(*context).get(), *request, response);
  }
  if (!IsMember(driver_->status(), request->id())) {
    return {grpc::StatusCode::NOT_FOUND, "etcdserver: member not found"};
  }
  auto reply = std::make_shared<Reply<WriteReply>>();
  WriteReply removed;
  grpc::Status status = WaitForWrite(
      *context,
      ConfChangeInput{
          .change = {.type = raft::ConfChange::Type::kRemoveVoter, .node_id = request->id()},
          .reply = reply},
      reply, removed);
  if (!status.ok()) return status;
  FillMembers(*response->mutable_members(), *response->mutable_header());
  return grpc::Status::OK;
}

}  // namespace refdb::server

#include "refdb/server/peer_transport.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "refdb/server/message_codec.h"

namespace refdb::server {

namespace {

constexpr auto kSnapshotDeadline = std::chrono::seconds(30);
constexpr size_t kSnapshotChunkBytes = size_t{1} << 20;
constexpr auto kReconnectInterval = std::chrono::milliseconds(50);
constexpr int kKeepaliveTimeMs = 1000;
constexpr int kKeepaliveTimeoutMs = 2000;
constexpr int kMinPingIntervalMs = 500;

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  // Our own subchannels, so that replacing the channel really starts a fresh connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // A stream lives as long as its connection: pings find a peer that vanished without a
  // FIN (SIGSTOP, a partition), so the stream breaks and is replaced.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace

void AllowPeerKeepalive(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
}

PeerSender::PeerSender(const std::string& address,
                       std::shared_ptr<grpc::ChannelCredentials> credentials)
    : address_(address),
      credentials_(std::move(credentials)),
      stub_(peerpb::Peer::NewStub(MakeChannel(address, credentials_))),
      thread_([this] { Run(); }) {}

PeerSender::~PeerSender() { Stop(); }

bool PeerSender::Enqueue(raft::Message m) {
  {
    common::MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= kMaxQueuedMessages) return false;
    queue_.push_back(std::move(m));
  }
  cv_.NotifyOne();
  return true;
}

// A write blocked by flow control (a peer that stopped reading) returns once cancelled.
void PeerSender::Stop() {
  {
    common::MutexLock lock(mu_);
    stopping_ = true;
    if (stream_context_) stream_context_->TryCancel();
    if (snapshot_context_ != nullptr) snapshot_context_->TryCancel();
  }
  cv_.NotifyOne();
  if (thread_.joinable()) thread_.join();
}

void PeerSender::Run() {
  for (;;) {
    std::deque<raft::Message> batch = TakeBatch();
    if (batch.empty()) break;  // stopping
    SendBatch(batch);
  }
  CloseStream();
}

std::deque<raft::Message> PeerSender::TakeBatch() {
  common::MutexLock lock(mu_);
  cv_.Wait(lock, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
  if (stopping_) return {};
  std::deque<raft::Message> batch;
  const size_t n = std::min(queue_.size(), kMaxBatchMessages);
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

// Keeps the order of the batch: the messages before a snapshot are written before it is sent.
void PeerSender::SendBatch(const std::deque<raft::Message>& batch) {
  peerpb::MessageBatch request;
  for (const raft::Message& m : batch) {
    if (m.type == raft::MsgType::kSnapshot) {
      if (!request.messages().empty()) (void)WriteBatch(request);
      request.clear_messages();
      SendSnapshot(m);
    } else {
      *request.add_messages() = ToProto(m, /*with_snapshot_data=*/false);
    }
  }
  if (!request.messages().empty()) (void)WriteBatch(request);
}

bool PeerSender::WriteBatch(const peerpb::MessageBatch& batch) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stream_ && !OpenStream()) return false;
    if (stream_->Write(batch)) return true;
    CloseStream();  // broken: what it buffered is lost, Raft resends
  }
  return false;
}

bool PeerSender::OpenStream() {
  auto context = std::make_unique<grpc::ClientContext>();
  grpc::ClientContext* raw = context.get();
  {
    common::MutexLock lock(mu_);
    if (stopping_) return false;
    stream_context_ = std::move(context);
  }
  // No deadline: the stream lives until it breaks or Stop cancels it.
  stream_ = stub_->Stream(raw, &stream_ack_);
  return true;
}

void PeerSender::CloseStream() {
  if (!stream_) return;
  (void)stream_->WritesDone();
  const grpc::Status status = stream_->Finish();
  stream_.reset();
  {
    common::MutexLock lock(mu_);
    stream_context_.reset();
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) Reconnect();
}

// gRPC 1.51 keeps a channel whose peer refused a connection in backoff, and later attempts
// to a restarted peer kept failing ("tcp handshaker shutdown") for seconds in our tests. A new
// channel connects at once; at most one per kReconnectInterval.
void PeerSender::Reconnect() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_reconnect_ < kReconnectInterval) return;
  last_reconnect_ = now;
  stub_ = peerpb::Peer::NewStub(MakeChannel(address_, credentials_));
}

void PeerSender::SendSnapshot(const raft::Message& m) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kSnapshotDeadline);
  {
    common::MutexLock lock(mu_);
    if (stopping_) return;
    snapshot_context_ = &context;
  }
  peerpb::Ack ack;
  std::unique_ptr<grpc::ClientWriter<peerpb::SnapshotChunk>> writer =
      stub_->InstallSnapshot(&context, &ack);
  const std::string& data = m.snapshot->data;
  peerpb::SnapshotChunk chunk;
  *chunk.mutable_header() = ToProto(m, /*with_snapshot_data=*/false);
  size_t offset = 0;
  do {
    const size_t n = std::min(kSnapshotChunkBytes, data.size() - offset);
    chunk.set_data(data.substr(offset, n));
    offset += n;
    if (!writer->Write(chunk)) break;
    chunk.clear_header();
  } while (offset < data.size());
  writer->WritesDone();
  // A failed snapshot is resent after the next heartbeat answer.
  const grpc::Status status = writer->Finish();
  {
    common::MutexLock lock(mu_);
    snapshot_context_ = nullptr;
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) Reconnect();
}

PeerTransport::PeerTransport(const std::map<uint64_t, std::string>& peers,
                             const std::shared_ptr<grpc::ChannelCredentials>& credentials)
    : credentials_(credentials) {
  for (const auto& [id, address] : peers) {
    senders_.emplace(id, std::make_unique<PeerSender>(address, credentials));
  }
  addresses_ = peers;
}

void PeerTransport::AddPeer(uint64_t id, const std::string& address) {
  auto it = addresses_.find(id);
  if (it != addresses_.end() && it->second == address) return;
  addresses_[id] = address;
  // An old sender stops as it is freed.
  senders_[id] = std::make_unique<PeerSender>(address, credentials_);
}

void PeerTransport::Send(std::vector<raft::Message> messages) {
  for (raft::Message& m : messages) {
    auto it = senders_.find(m.to);
    if (it != senders_.end()) (void)it->second->Enqueue(std::move(m));
  }
}

void PeerTransport::Stop() {
  for (auto& [id, sender] : senders_) sender->Stop();
}

}  // namespace refdb::server

// PeerTransport: sends the Raft core's messages to the other nodes without ever blocking the
// server loop. Each peer has a PeerSender: a bounded queue and one thread that takes every
// queued message (at most 256 at a time) and writes them as one batch to a long-lived
// client stream (Peer.Stream), without waiting for any answer: batches are pipelined, in
// order, and HTTP/2 flow control bounds the bytes in flight (a peer that stops reading
// blocks the sender thread, never the loop; the queue then drops). A snapshot is streamed by
// its own call (Peer.InstallSnapshot in 1 MiB chunks) after the batches queued before it.
// A full queue, a broken stream or an unreachable peer drops messages: Raft retransmits what
// matters (heartbeats, next AppendEntries). A batch whose write fails is retried once on a
// fresh stream. A peer that is unreachable gets a fresh channel (at most every 50 ms), so a
// restarted peer is reached at once instead of after gRPC's reconnect backoff; keepalive
// pings (every second, 2 s timeout) break a stream whose peer vanished silently.
// Channels use the credentials given (tls_credentials.h: the node's certificate under TLS).
// Send is thread-safe; Stop cancels the open calls and joins every sender thread (the
// destructor calls it).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "peer.grpc.pb.h"
#include "refdb/raft/message.h"
#include "refdb/server/message_sender.h"

namespace refdb::server {

// The server side of the senders' keepalive pings: a server built without it answers pings
// more frequent than every 5 minutes with GOAWAY. Call on every server hosting PeerService.
void AllowPeerKeepalive(grpc::ServerBuilder& builder);

class PeerSender {
 public:
  PeerSender(const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials);
  ~PeerSender();
  PeerSender(const PeerSender&) = delete;
  PeerSender& operator=(const PeerSender&) = delete;

  // Queues `m`; false (and drops it) when the queue is full.
  bool Enqueue(raft::Message m) EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);
  std::deque<raft::Message> TakeBatch() EXCLUDES(mu_);
  void SendBatch(const std::deque<raft::Message>& batch);
  // Writes `batch` to the stream (opened if needed); on failure closes it and retries once on
  // a fresh one. False: dropped.
  bool WriteBatch(const peerpb::MessageBatch& batch) EXCLUDES(mu_);
  bool OpenStream() EXCLUDES(mu_);  // false when stopping
  void CloseStream() EXCLUDES(mu_);
  void SendSnapshot(const raft::Message& m) EXCLUDES(mu_);
  void Reconnect();

  static constexpr size_t kMaxQueuedMessages = 8192;
  static constexpr size_t kMaxBatchMessages = 256;

  const std::string address_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  // Used by thread_ only (the contexts are also cancelled by Stop, under mu_).
  std::unique_ptr<peerpb::Peer::Stub> stub_;
  std::chrono::steady_clock::time_point last_reconnect_;
  peerpb::Ack stream_ack_;
  std::unique_ptr<grpc::ClientWriter<peerpb::MessageBatch>> stream_;
  common::Mutex mu_;
  common::CondVar cv_;
  std::deque<raft::Message> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  // Only the pointers are guarded: thread_ uses the contexts without mu_ (TryCancel, which
  // Stop calls under mu_, is thread-safe).
  std::unique_ptr<grpc::ClientContext> stream_context_ GUARDED_BY(mu_);
  grpc::ClientContext* snapshot_context_ GUARDED_BY(mu_) = nullptr;
  std::thread thread_;  // last: starts after everything it uses exists
};

class PeerTransport final : public MessageSender {
 public:
  // `peers`: id -> address of every other member.
  PeerTransport(const std::map<uint64_t, std::string>& peers,
                const std::shared_ptr<grpc::ChannelCredentials>& credentials);
  // Routes each message to its peer's sender; messages to unknown peers are dropped.
  void Send(std::vector<raft::Message> messages) override;
  // Learns (or changes) the address of peer `id`, a member added through MemberAdd. Called by
  // the thread that calls Send (the server loop), never concurrently with it.
  void AddPeer(uint64_t id, const std::string& address) override;
  void Stop();

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;  // for every sender, added ones too
  std::map<uint64_t, std::unique_ptr<PeerSender>> senders_;
  std::map<uint64_t, std::string> addresses_;
};

}  // namespace refdb::server

// PeerTransport: sends the Raft core's messages to the other nodes without ever blocking the
// server loop. Each peer has a PeerSender: a bounded queue and one thread that takes every
// queued message and sends it as one batch (Peer.Send), or streams a snapshot
// (Peer.InstallSnapshot in 1 MiB chunks). A full queue, a failed RPC or an unreachable peer
// drops messages: Raft retransmits what matters (heartbeats, next AppendEntries).
// A peer that is unreachable gets a fresh channel (at most every 50 ms), so a restarted peer
// is reached at once instead of after gRPC's reconnect backoff.
// Send is thread-safe; Stop joins every sender thread (the destructor calls it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "peer.grpc.pb.h"
#include "refdb/raft/message.h"

namespace refdb::server {

class PeerSender {
 public:
  PeerSender(uint64_t peer_id, const std::string& address);
  ~PeerSender();
  PeerSender(const PeerSender&) = delete;
  PeerSender& operator=(const PeerSender&) = delete;

  // Queues `m`; false (and drops it) when the queue is full.
  bool Enqueue(raft::Message m);
  void Stop();

 private:
  void Run();
  std::deque<raft::Message> TakeBatch();
  void SendBatch(std::deque<raft::Message> batch);
  void SendSnapshot(const raft::Message& m);
  void Reconnect();

  static constexpr size_t kMaxQueuedMessages = 8192;
  static constexpr size_t kMaxBatchMessages = 256;

  const uint64_t peer_id_;
  const std::string address_;
  std::unique_ptr<peerpb::Peer::Stub> stub_;  // used by thread_ only
  std::chrono::steady_clock::time_point last_reconnect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<raft::Message> queue_;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::thread thread_;               // last: starts after everything it uses exists
};

class PeerTransport {
 public:
  // `peers`: id -> address of every other member.
  explicit PeerTransport(const std::map<uint64_t, std::string>& peers);
  // Routes each message to its peer's sender; messages to unknown peers are dropped.
  void Send(std::vector<raft::Message> messages);
  void Stop();

 private:
  std::map<uint64_t, std::unique_ptr<PeerSender>> senders_;
};

}  // namespace refdb::server

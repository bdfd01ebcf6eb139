// PeerTransport against a real gRPC server on loopback that records what it receives: many
// batches arrive complete and in order over the stream, and the transport reaches a receiver
// that was restarted on the same address.
#include "refdb/server/peer_transport.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace refdb::server {
namespace {

constexpr auto kWait = std::chrono::seconds(30);  // a bound for a hung test, not a timing check
constexpr uint64_t kSender = 1;
constexpr uint64_t kReceiver = 2;

// Records the `index` of every message it receives, in arrival order.
class RecordingPeer final : public peerpb::Peer::Service {
 public:
  grpc::Status Send(grpc::ServerContext* /*context*/, const peerpb::MessageBatch* request,
                    peerpb::Ack* /*response*/) override {
    Record(*request);
    return grpc::Status::OK;
  }
  grpc::Status Stream(grpc::ServerContext* /*context*/,
                      grpc::ServerReader<peerpb::MessageBatch>* reader,
                      peerpb::Ack* /*response*/) override {
    peerpb::MessageBatch batch;
    while (reader->Read(&batch)) Record(batch);
    return grpc::Status::OK;
  }
  grpc::Status InstallSnapshot(grpc::ServerContext* /*context*/,
                               grpc::ServerReader<peerpb::SnapshotChunk>* /*reader*/,
                               peerpb::Ack* /*response*/) override {
    return {grpc::StatusCode::UNIMPLEMENTED, "not in this test"};
  }

  // Waits until `done(indexes)` holds; false after kWait.
  bool WaitUntil(const std::function<bool(const std::vector<uint64_t>&)>& done) EXCLUDES(mu_) {
    common::MutexLock lock(mu_);
    return cv_.WaitFor(lock, kWait, [&]() REQUIRES(mu_) { return done(indexes_); });
  }
  std::vector<uint64_t> indexes() EXCLUDES(mu_) {
    common::MutexLock lock(mu_);
    return indexes_;
  }

 private:
  void Record(const peerpb::MessageBatch& batch) EXCLUDES(mu_) {
    {
      common::MutexLock lock(mu_);
      for (const peerpb::Message& m : batch.messages()) indexes_.push_back(m.index());
    }
    cv_.NotifyAll();
  }

  common::Mutex mu_;
  common::CondVar cv_;
  std::vector<uint64_t> indexes_ GUARDED_BY(mu_);
};

// A gRPC server hosting one RecordingPeer; `port` 0 picks a free one.
class Receiver {
 public:
  explicit Receiver(int port) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    AllowPeerKeepalive(builder);
    builder.RegisterService(&peer_);
    server_ = builder.BuildAndStart();
  }
  ~Receiver() { Stop(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  bool ok() const { return server_ != nullptr && port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  RecordingPeer& peer() { return peer_; }
  // The sender's stream stays open: a short deadline cancels it.
  void Stop() {
    if (!server_) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
    server_->Wait();
    server_.reset();
  }

 private:
  RecordingPeer peer_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// Messages [first, first + n) as AppendEntries with one 100-byte entry each.
std::vector<raft::Message> Appends(uint64_t first, uint64_t n) {
  std::vector<raft::Message> messages;
  for (uint64_t i = first; i < first + n; ++i) {
    messages.push_back({.type = raft::MsgType::kAppend,
                        .from = kSender,
                        .to = kReceiver,
                        .term = 1,
                        .index = i,
                        .entries = {{.term = 1, .index = i + 1, .data = std::string(100, 'x')}}});
  }
  return messages;
}

bool StrictlyIncreasing(const std::vector<uint64_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] <= v[i - 1]) return false;
  }
  return true;
}

TEST(PeerTransportTest, DeliversManyBatchesCompleteAndInOrder) {
  Receiver receiver(0);
  ASSERT_TRUE(receiver.ok());
  PeerTransport transport({{kReceiver, receiver.address()}}, grpc::InsecureChannelCredentials());
  constexpr uint64_t kChunk = 1000;  // several batches of at most 256 messages
  constexpr uint64_t kChunks = 20;
  for (uint64_t c = 0; c < kChunks; ++c) {
    transport.Send(Appends(c * kChunk, kChunk));
    // The queue holds 8192 messages: waiting per chunk keeps it from dropping any.
    const uint64_t want = (c + 1) * kChunk;
    ASSERT_TRUE(receiver.peer().WaitUntil([&](const auto& v) { return v.size() >= want; }))
        << "received " << receiver.peer().indexes().size() << " of " << want;
  }
  std::vector<uint64_t> expected(kChunk * kChunks);
  for (uint64_t i = 0; i < expected.size(); ++i) expected[i] = i;
  EXPECT_EQ(receiver.peer().indexes(), expected);
  transport.Stop();
}

TEST(PeerTransportTest, ReachesAReceiverRestartedOnTheSameAddress) {
  auto first = std::make_unique<Receiver>(0);
  ASSERT_TRUE(first->ok());
  const int port = first->port();
  PeerTransport transport({{kReceiver, first->address()}}, grpc::InsecureChannelCredentials());
  transport.Send(Appends(0, 500));
  ASSERT_TRUE(first->peer().WaitUntil([](const auto& v) { return v.size() >= 500; }));
  first->Stop();

  // Messages sent while nobody listens are dropped, not queued forever.
  uint64_t next = 1000;
  transport.Send(Appends(next, 10));
  next += 10;

  Receiver second(port);
  ASSERT_TRUE(second.ok());
  // Until the stream is back, some messages are lost; then they flow again.
  bool reached = false;
  const auto give_up = std::chrono::steady_clock::now() + kWait;
  while (!reached && std::chrono::steady_clock::now() < give_up) {
    transport.Send(Appends(next, 1));
    ++next;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reached = !second.peer().indexes().empty();
  }
  ASSERT_TRUE(reached) << "the restarted receiver got nothing";
  const uint64_t burst_start = next;
  transport.Send(Appends(burst_start, 2000));
  ASSERT_TRUE(second.peer().WaitUntil(
      [&](const auto& v) { return !v.empty() && v.back() == burst_start + 1999; }));
  const std::vector<uint64_t> got = second.peer().indexes();
  EXPECT_TRUE(StrictlyIncreasing(got));
  // The burst, sent on a working stream, arrived whole.
  EXPECT_EQ(std::count_if(got.begin(), got.end(), [&](uint64_t i) { return i >= burst_start; }),
            2000);
  transport.Stop();
}

TEST(PeerTransportTest, StopsPromptlyWhenThePeerIsUnreachable) {
  // Nothing listens on port 1 of loopback.
  PeerTransport transport({{kReceiver, "127.0.0.1:1"}}, grpc::InsecureChannelCredentials());
  transport.Send(Appends(0, 100));
  transport.Stop();
  SUCCEED();
}

}  // namespace
}  // namespace refdb::server

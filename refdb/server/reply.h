// Reply<T>: a one-shot answer from the server loop to a gRPC call. The first Set (or Expire)
// wins; later ones are ignored. Two forms: a handler thread waits for it (WaitUntil), or the
// reply carries a callback, run once, on the thread of the first Set or Expire, with the value
// (nullopt for Expire). Thread-safe. Never Set while holding a lock the callback may take.
// Shared (std::shared_ptr) by the call, which may stop waiting at its deadline, and the loop,
// which may answer after the call is gone.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "command.pb.h"
#include "common/mutex.h"
#include "etcd_rpc.pb.h"
#include "kv.pb.h"

namespace refdb::server {

// How a request ended, as far as the server knows. See grpc_status.h for the wire codes.
enum class ReplyCode {
  kOk,
  kNotLeader,       // this node cannot do it now; nothing was proposed
  kRejected,        // a queue or table was full; nothing was proposed
  kAborted,         // proposed, but definitely not applied (its log index holds another entry)
  kUnknown,         // proposed, and it may or may not be applied
  kSessionExpired,  // applied as a refusal: the client's session is gone (not applied)
};

struct WriteReply {
  ReplyCode code = ReplyCode::kOk;
  std::string message;
  commandpb::CommandResult result;
};

// The answer of a read: refdb's Get fills `response`; etcd's reads fill the field of their
// kind, or `etcd_error` (code != 0) when the state machine refused the request.
struct ReadReply {
  ReplyCode code = ReplyCode::kOk;
  std::string message;
  kvpb::GetResponse response;
  etcdserverpb::RangeResponse range;
  etcdserverpb::CompactionResponse compaction;
  etcdserverpb::LeaseTimeToLiveResponse time_to_live;
  etcdserverpb::LeaseLeasesResponse leases;
  etcdserverpb::LeaseKeepAliveResponse keep_alive;
  commandpb::EtcdError etcd_error;
};

template <typename T>
class Reply {
 public:
  using Callback = std::function<void(std::optional<T>)>;

  Reply() = default;
  explicit Reply(Callback on_done) : on_done_(std::move(on_done)) {}

  void Set(T value) EXCLUDES(mu_) { Complete(std::move(value)); }
  // The call stopped waiting (deadline, cancellation): later Sets are ignored.
  void Expire() EXCLUDES(mu_) { Complete(std::nullopt); }

  // The answer, or nullopt when `deadline` passed first. Only for the form without callback.
  std::optional<T> WaitUntil(std::chrono::steady_clock::time_point deadline) EXCLUDES(mu_) {
    common::MutexLock lock(mu_);
    cv_.WaitUntil(lock, deadline, [this]() REQUIRES(mu_) { return value_.has_value(); });
    return value_;
  }

 private:
  void Complete(std::optional<T> value) EXCLUDES(mu_) {
    common::MutexLock lock(mu_);
    if (is_done_) return;
    is_done_ = true;
    if (on_done_) {
      Callback on_done = std::move(on_done_);
      lock.unlock();
      on_done(std::move(value));
      return;
    }
    value_ = std::move(value);
    lock.unlock();
    cv_.NotifyAll();
  }

  common::Mutex mu_;
  common::CondVar cv_;
  bool is_done_ GUARDED_BY(mu_) = false;
  Callback on_done_ GUARDED_BY(mu_);
  std::optional<T> value_ GUARDED_BY(mu_);
};

}  // namespace refdb::server

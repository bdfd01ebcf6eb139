// Reply<T>: a one-shot answer from the server loop to a gRPC handler thread that waits for it
// with a deadline. The first Set wins; later ones are ignored. Thread-safe.
// Shared (std::shared_ptr) by the handler, which may stop waiting at its deadline, and the
// loop, which may answer after the handler left.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "command.pb.h"
#include "kv.pb.h"

namespace refdb::server {

// How a request ended, as far as the server knows. See grpc_status.h for the wire codes.
enum class ReplyCode {
  kOk,
  kNotLeader,  // this node cannot do it now; nothing was proposed
  kRejected,   // a queue or table was full; nothing was proposed
  kAborted,    // proposed, but definitely not applied (its log index holds another entry)
  kUnknown,    // proposed, and it may or may not be applied
};

struct WriteReply {
  ReplyCode code = ReplyCode::kOk;
  std::string message;
  commandpb::CommandResult result;
};

struct ReadReply {
  ReplyCode code = ReplyCode::kOk;
  std::string message;
  kvpb::GetResponse response;
};

template <typename T>
class Reply {
 public:
  void Set(T value) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (value_) return;
      value_ = std::move(value);
    }
    cv_.notify_all();
  }

  // The answer, or nullopt when `deadline` passed first.
  std::optional<T> WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return value_.has_value(); });
    return value_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;  // guarded by mu_
};

}  // namespace refdb::server

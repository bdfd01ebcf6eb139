// PendingCall<T>: a unary call on gRPC's callback API waiting for the server loop's Reply<T>
// (reply.h), shared by refdb's KV service and etcd's KV service. The wait ends at the call's
// deadline, at most kMaxCallWait from its start. Internal to refdb/server.
#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "refdb/server/reply.h"

namespace refdb::server {

inline constexpr auto kMaxCallWait = std::chrono::seconds(30);

inline std::chrono::system_clock::time_point WaitDeadline(const grpc::ServerContextBase& context) {
  return std::min(context.deadline(), std::chrono::system_clock::now() + kMaxCallWait);
}

// One KV call waiting for the server loop. It is finished exactly once, by the first of: the
// loop's answer (on the loop's thread), the wait deadline (an alarm), a cancellation; its
// Reply decides which. `answer` turns the loop's answer (nullopt: none in time) into the
// call's status and fills the response. Deletes itself when gRPC is done with the call
// (OnDone comes only after Finish and after the handler returned the reactor).
template <typename T>
class PendingCall final : public grpc::ServerUnaryReactor {
 public:
  using Answer = std::function<grpc::Status(std::optional<T>)>;

  PendingCall(const grpc::ServerContextBase& context, Answer answer)
      : answer_(std::move(answer)),
        reply_(std::make_shared<Reply<T>>(
            [this](std::optional<T> value) { Finish(answer_(std::move(value))); })) {
    // The alarm holds the Reply, not this call: it may fire (or be cancelled) after OnDone.
    alarm_.Set(WaitDeadline(context), [reply = reply_](bool fired) {
      if (fired) reply->Expire();
    });
  }

  const std::shared_ptr<Reply<T>>& reply() const { return reply_; }

  void OnCancel() override { reply_->Expire(); }
  void OnDone() override { delete this; }

 private:
  Answer answer_;
  std::shared_ptr<Reply<T>> reply_;
  grpc::Alarm alarm_;
};

}  // namespace refdb::server

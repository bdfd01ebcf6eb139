// Client: refdb's client library. It knows a list of endpoints, finds and caches the leader,
// follows NOT_LEADER redirects, puts a deadline on every call, retries a bounded number of
// times with exponential backoff, and classifies every operation's outcome exactly, as the
// workloads and the checker need (Jepsen's ok / fail / info).
//
// Every write carries (client id, sequence number); all attempts of one operation reuse its
// sequence number, so a retry of a write that was in fact applied is not applied again and
// returns the first answer (refdb's state machine deduplicates). The sequence number
// advances once per write operation, whatever its outcome.
//
// Sessions: refdb forgets a client id unused for its --session-timeout of log time, and then
// refuses the client's next write (ABORTED with trailer `refdb-session-expired`, never applied).
// The client then starts a new session (a new random client id, sequence 1). If no attempt of
// the operation may have been applied, it is sent again at once in the new session; otherwise
// the operation ends kUnknown (sending it again could apply it twice).
//
// Outcome of one attempt, by gRPC status (writes):
//   OK                                   ok: applied (a CAS whose comparison failed is an ok
//                                        with succeeded == false, not a fail)
//   FAILED_PRECONDITION (not leader)     definitely not applied: rejected before proposing;
//                                        redirect to the named leader, or the next endpoint
//   RESOURCE_EXHAUSTED                   definitely not applied: rejected before proposing
//   ABORTED                              definitely not applied: its log index holds another
//                                        entry, or a newer write of this client came first
//   UNAVAILABLE "failed to connect"      definitely not applied: never reached a server
//   INVALID_ARGUMENT, NOT_FOUND,         definitely not applied; not retried
//     UNIMPLEMENTED, OUT_OF_RANGE
//   DEADLINE_EXCEEDED, UNKNOWN,          MAY have been applied: the request may have been
//     UNAVAILABLE (connection broken),   sent and proposed (deadline passed, connection broken
//     CANCELLED, INTERNAL, others        mid-call, leader changed while it was pending)
// Outcome of the operation:
//   kOk      some attempt returned OK;
//   kUnknown no attempt returned OK and some attempt MAY have applied it (Jepsen `info`);
//   kFail    every attempt definitely did not apply it (Jepsen `fail`).
// Reads (Get, Status) have no effect, so any failure of theirs is kFail.
//
// Not thread-safe: one Client per logical client (one operation at a time, as the sequence
// numbers require). Channels are shared by nobody else.
#pragma once

#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tls.h"
#include "kv.grpc.pb.h"
#include "status.grpc.pb.h"

namespace refdb::client {

enum class Outcome { kOk, kFail, kUnknown };

std::string_view OutcomeName(Outcome outcome);  // "ok", "fail", "info"

template <typename T>
struct OpResult {
  Outcome outcome = Outcome::kFail;
  T value = {};          // meaningful when outcome == kOk
  common::Status error;  // the last attempt's error when outcome != kOk
  int attempts = 0;

  bool ok() const { return outcome == Outcome::kOk; }
};

struct GetValue {
  bool found = false;
  std::string value;
};

struct CasValue {
  bool succeeded = false;
  bool found = false;         // the key existed before
  std::string current_value;  // its value before
};

struct ClientOptions {
  std::vector<std::string> endpoints;             // host:port of every node
  std::chrono::milliseconds call_deadline{1000};  // per attempt
  int max_attempts = 6;
  std::chrono::milliseconds backoff_initial{10};
  std::chrono::milliseconds backoff_max{200};
  uint64_t client_id = 0;  // 0: a random one
  // Mutual TLS (refdb's --tls-*): the CA that signed the nodes' certificates, and this
  // client's certificate and key, which the nodes demand. nullopt: plaintext.
  std::optional<common::TlsPem> tls;
};

// gRPC credentials for a channel to refdb: TLS presenting `tls`'s certificate and verifying
// the server's against its CA (and the dialled address), or insecure for nullopt.
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(
    const std::optional<common::TlsPem>& tls);

class Client {
 public:
  // InvalidArgument without endpoints or with max_attempts < 1.
  static common::Result<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  OpResult<GetValue> Get(const std::string& key, bool serializable = false);
  OpResult<bool> Put(const std::string& key, const std::string& value);
  OpResult<bool> Delete(const std::string& key);  // value: the key existed
  // `expected`: the value the key must hold, or nullopt for "must be absent".
  OpResult<CasValue> CompareAndSwap(const std::string& key,
                                    const std::optional<std::string>& expected,
                                    const std::string& new_value);
  OpResult<kvpb::TxnResponse> Txn(const std::vector<kvpb::TxnOp>& ops);
  // The status of the node at `endpoint` (one attempt, no redirect).
  OpResult<statuspb::StatusResponse> Status(const std::string& endpoint);

  // Changes when the session expired (see above).
  uint64_t client_id() const { return client_id_; }
  // The endpoint believed to be the leader ("" before any answer).
  std::string cached_leader() const;

 private:
  struct Endpoint;
  explicit Client(ClientOptions options);

  template <typename Response, typename Call>
  // `write_id`: the write's id, renewed in a new session; null for reads.
  OpResult<Response> Execute(kvpb::WriteId* write_id, Call call);
  kvpb::WriteId NextWriteId();
  void NewSession();  // a new random client id, sequence numbers from 1 again
  Endpoint& Pick();
  void NoteNotLeader(const grpc::ClientContext& context);
  size_t IndexOf(const std::string& address);

  ClientOptions options_;
  uint64_t client_id_;
  uint64_t sequence_ = 0;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  size_t current_ = 0;  // the endpoint to try next (the cached leader once known)
  bool leader_known_ = false;
};

}  // namespace refdb::client

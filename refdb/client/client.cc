#include "refdb/client/client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <random>
#include <thread>
#include <utility>

namespace refdb::client {

using common::Status;

namespace {

constexpr char kLeaderAddressKey[] = "refdb-leader-address";
constexpr char kSessionExpiredKey[] = "refdb-session-expired";

bool SessionExpired(const grpc::ClientContext& context) {
  return context.GetServerTrailingMetadata().contains(kSessionExpiredKey);
}

enum class AttemptClass { kDefinite, kDefiniteFinal, kMaybeApplied, kNotLeader };

AttemptClass Classify(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::FAILED_PRECONDITION:
      return AttemptClass::kNotLeader;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      return AttemptClass::kDefinite;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::OUT_OF_RANGE:
      return AttemptClass::kDefiniteFinal;
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC's own wording when no connection could be made: the request never left.
      return s.error_message().find("failed to connect") != std::string::npos
                 ? AttemptClass::kDefinite
                 : AttemptClass::kMaybeApplied;
    default:
      return AttemptClass::kMaybeApplied;
  }
}

Status ToStatus(const grpc::Status& s) {
  const std::string m = "grpc code " + std::to_string(s.error_code()) + ": " + s.error_message();
  switch (s.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::DeadlineExceeded(m);
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Status::InvalidArgument(m);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status::ResourceExhausted(m);
    default:
      return Status::Unavailable(m);
  }
}

uint64_t RandomClientId() {
  std::random_device device;
  const uint64_t id =
      (uint64_t{device()} << 32) ^ device() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return id == 0 ? 1 : id;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kUnknown:
      return "info";
  }
  return "info";
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(
    const std::optional<common::TlsPem>& tls) {
  if (!tls) return grpc::InsecureChannelCredentials();
  return grpc::SslCredentials(
      {.pem_root_certs = tls->ca, .pem_private_key = tls->key, .pem_cert_chain = tls->cert});
}

struct Client::Endpoint {
  Endpoint(std::string a, std::shared_ptr<grpc::ChannelCredentials> c)
      : address(std::move(a)), credentials(std::move(c)) {
    Connect();
  }
  // A fresh channel: gRPC 1.51 keeps a channel whose server refused a connection in backoff
  // for seconds, even after the server is back.
  void Connect() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    auto channel = grpc::CreateCustomChannel(address, credentials, args);
    kv = kvpb::KV::NewStub(channel);
    status = statuspb::Status::NewStub(channel);
  }
  std::string address;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::unique_ptr<kvpb::KV::Stub> kv;
  std::unique_ptr<statuspb::Status::Stub> status;
};

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      client_id_(options_.client_id != 0 ? options_.client_id : RandomClientId()) {
  const auto credentials = MakeChannelCredentials(options_.tls);
  for (const std::string& e : options_.endpoints)
    endpoints_.push_back(std::make_unique<Endpoint>(e, credentials));
}

Client::~Client() = default;

common::Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  if (options.endpoints.empty()) return Status::InvalidArgument("client: no endpoints");
  if (options.max_attempts < 1) return Status::InvalidArgument("client: max_attempts < 1");
  return std::unique_ptr<Client>(new Client(std::move(options)));
}

std::string Client::cached_leader() const {
  return leader_known_ ? endpoints_[current_]->address : "";
}

kvpb::WriteId Client::NextWriteId() {
  kvpb::WriteId id;
  id.set_client_id(client_id_);
  id.set_sequence(++sequence_);
  return id;
}

void Client::NewSession() {
  client_id_ = RandomClientId();
  sequence_ = 0;
}

Client::Endpoint& Client::Pick() { return *endpoints_[current_]; }

size_t Client::IndexOf(const std::string& address) {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i]->address == address) return i;
  }
  endpoints_.push_back(std::make_unique<Endpoint>(address, endpoints_.front()->credentials));
  return endpoints_.size() - 1;
}

void Client::NoteNotLeader(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kLeaderAddressKey);
  if (it != trailers.end() && it->second.size() > 0) {
    const size_t next = IndexOf(std::string(it->second.data(), it->second.size()));
    if (next != current_) {
      current_ = next;
      leader_known_ = true;
      return;
    }
  }
  current_ = (current_ + 1) % endpoints_.size();
  leader_known_ = false;
}

// Runs `call(endpoint, context, response)` until it succeeds, fails definitely for good, or
// runs out of attempts; see the header for the classification.
template <typename Response, typename Call>
OpResult<Response> Client::Execute(kvpb::WriteId* write_id, Call call) {
  OpResult<Response> result;
  bool maybe_applied = false;
  auto backoff = options_.backoff_initial;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    result.attempts = attempt;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.call_deadline);
    Response response;
    const grpc::Status s = call(Pick(), context, response);
    if (s.ok()) {
      leader_known_ = true;
      result.outcome = Outcome::kOk;
      result.value = std::move(response);
      return result;
    }
    result.error = ToStatus(s).WithContext(Pick().address);
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) Pick().Connect();
    if (write_id != nullptr && SessionExpired(context)) {
      NewSession();
      // An earlier attempt may have applied it: never send it again under another session.
      if (maybe_applied) break;
      *write_id = NextWriteId();  // not applied anywhere: send it again in the new session
      continue;
    }
    const AttemptClass c = Classify(s);
    if (c == AttemptClass::kDefiniteFinal) break;
    if (c == AttemptClass::kMaybeApplied) maybe_applied = true;
    if (c == AttemptClass::kNotLeader) {
      NoteNotLeader(context);
      if (leader_known_) continue;  // a named leader: redirect at once
    } else {
      current_ = (current_ + 1) % endpoints_.size();
      leader_known_ = false;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
  result.outcome = write_id != nullptr && maybe_applied ? Outcome::kUnknown : Outcome::kFail;
  return result;
}

OpResult<GetValue> Client::Get(const std::string& key, bool serializable) {
  kvpb::GetRequest request;
  request.set_key(key);
  request.set_serializable(serializable);
  auto r = Execute<kvpb::GetResponse>(
      nullptr, [&](Endpoint& e, grpc::ClientContext& c, kvpb::GetResponse& response) {
        return e.kv->Get(&c, request, &response);
      });
  return {.outcome = r.outcome,
          .value = {.found = r.value.found(), .value = r.value.value()},
          .error = r.error,
          .attempts = r.attempts};
}

OpResult<bool> Client::Put(const std::string& key, const std::string& value) {
  kvpb::PutRequest request;
  *request.mutable_write_id() = NextWriteId();
  request.set_key(key);
  request.set_value(value);
  auto r = Execute<kvpb::PutResponse>(
      request.mutable_write_id(),
      [&](Endpoint& e, grpc::ClientContext& c, kvpb::PutResponse& response) {
        return e.kv->Put(&c, request, &response);
      });
  return {.outcome = r.outcome, .value = r.ok(), .error = r.error, .attempts = r.attempts};
}

OpResult<bool> Client::Delete(const std::string& key) {
  kvpb::DeleteRequest request;
  *request.mutable_write_id() = NextWriteId();
  request.set_key(key);
  auto r = Execute<kvpb::DeleteResponse>(
      request.mutable_write_id(),
      [&](Endpoint& e, grpc::ClientContext& c, kvpb::DeleteResponse& response) {
        return e.kv->Delete(&c, request, &response);
      });
  return {
      .outcome = r.outcome, .value = r.value.existed(), .error = r.error, .attempts = r.attempts};
}

OpResult<CasValue> Client::CompareAndSwap(const std::string& key,
                                          const std::optional<std::string>& expected,
                                          const std::string& new_value) {
  kvpb::CompareAndSwapRequest request;
  *request.mutable_write_id() = NextWriteId();
  request.set_key(key);
  if (expected) {
    request.set_expected_value(*expected);
  } else {
    request.set_expected_absent(true);
  }
  request.set_new_value(new_value);
  auto r = Execute<kvpb::CompareAndSwapResponse>(
      request.mutable_write_id(),
      [&](Endpoint& e, grpc::ClientContext& c, kvpb::CompareAndSwapResponse& response) {
        return e.kv->CompareAndSwap(&c, request, &response);
      });
  return {.outcome = r.outcome,
          .value = {.succeeded = r.value.succeeded(),
                    .found = r.value.found(),
                    .current_value = r.value.current_value()},
          .error = r.error,
          .attempts = r.attempts};
}

OpResult<kvpb::TxnResponse> Client::Txn(const std::vector<kvpb::TxnOp>& ops) {
  kvpb::TxnRequest request;
  *request.mutable_write_id() = NextWriteId();
  for (const kvpb::TxnOp& op : ops) *request.add_ops() = op;
  return Execute<kvpb::TxnResponse>(
      request.mutable_write_id(),
      [&](Endpoint& e, grpc::ClientContext& c, kvpb::TxnResponse& response) {
        return e.kv->Txn(&c, request, &response);
      });
}

OpResult<statuspb::StatusResponse> Client::Status(const std::string& endpoint) {
  Endpoint& e = *endpoints_[IndexOf(endpoint)];
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.call_deadline);
  OpResult<statuspb::StatusResponse> result{.attempts = 1};
  const grpc::Status s = e.status->GetStatus(&context, statuspb::StatusRequest(), &result.value);
  if (s.ok()) {
    result.outcome = Outcome::kOk;
  } else {
    result.error = ToStatus(s).WithContext(endpoint);
  }
  return result;
}

}  // namespace refdb::client

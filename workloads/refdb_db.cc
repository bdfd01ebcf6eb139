#include "workloads/refdb_db.h"

#include <grpcpp/grpcpp.h>

#include <string_view>
#include <system_error>

#include "checker/formats.h"
#include "checker/json_util.h"
#include "checker/text_util.h"
#include "refdb/client/client.h"
#include "status.grpc.pb.h"
#include "workloads/grpc_channel.h"

namespace workloads {

using common::Result;
namespace rc = refdb::client;

namespace {

Outcome Convert(rc::Outcome outcome) {
  switch (outcome) {
    case rc::Outcome::kOk:
      return Outcome::kOk;
    case rc::Outcome::kFail:
      return Outcome::kFail;
    case rc::Outcome::kUnknown:
      return Outcome::kInfo;
  }
  return Outcome::kInfo;
}

template <typename T, typename U>
Answer<T> Carry(const rc::OpResult<U>& r) {
  Answer<T> answer{.outcome = Convert(r.outcome)};
  if (!r.ok()) answer.error = r.error.message();
  return answer;
}

class RefDbClient final : public DbClient {
 public:
  RefDbClient(std::unique_ptr<rc::Client> client, ClientOptions options,
              std::optional<common::TlsPem> tls)
      : client_(std::move(client)), options_(std::move(options)), tls_(std::move(tls)) {}

  // Reads are spread over the nodes, as etcd's client balances requests: a node that is not
  // the leader serves a linearizable read through ReadIndex (asking the leader). When that
  // node cannot answer, the read goes the usual way (to the leader). A read has no effect, so
  // trying twice never changes its outcome's meaning.
  Answer<std::optional<std::string>> Read(const std::string& key) override {
    if (!options_.endpoints.empty()) {
      const std::string& endpoint = options_.endpoints[next_read_++ % options_.endpoints.size()];
      auto& single = Single(endpoint);
      if (single != nullptr) {
        auto r = single->Get(key);
        if (r.ok()) {
          Answer<std::optional<std::string>> answer{.outcome = Outcome::kOk};
          if (r.value.found) answer.value = r.value.value;
          return answer;
        }
      }
    }
    auto r = client_->Get(key);
    auto answer = Carry<std::optional<std::string>>(r);
    if (r.ok() && r.value.found) answer.value = r.value.value;
    return answer;
  }

  Answer<bool> Write(const std::string& key, const std::string& value) override {
    auto r = client_->Put(key, value);
    auto answer = Carry<bool>(r);
    answer.value = r.ok();
    return answer;
  }

  Answer<CasResult> Cas(const std::string& key, const std::optional<std::string>& expected,
                        const std::string& new_value) override {
    auto r = client_->CompareAndSwap(key, expected, new_value);
    auto answer = Carry<CasResult>(r);
    if (r.ok()) answer.value.succeeded = r.value.succeeded;
    return answer;
  }

  Answer<std::optional<std::string>> ReadLocal(const std::string& endpoint,
                                               const std::string& key) override {
    auto& local = Single(endpoint);
    if (local == nullptr) return {.outcome = Outcome::kFail, .error = "no client for " + endpoint};
    auto r = local->Get(key, /*serializable=*/true);
    auto answer = Carry<std::optional<std::string>>(r);
    if (r.ok() && r.value.found) answer.value = r.value.value;
    return answer;
  }

 private:
  // A client of the one node at `endpoint` (one attempt, no redirect), made on first use.
  std::unique_ptr<rc::Client>& Single(const std::string& endpoint) {
    auto& single = single_[endpoint];
    if (single == nullptr) {
      auto created = rc::Client::Create({.endpoints = {endpoint},
                                         .call_deadline = options_.call_deadline,
                                         .max_attempts = 1,
                                         .client_id = client_->client_id(),
                                         .tls = tls_});
      if (created.ok()) single = std::move(*created);
    }
    return single;
  }

  std::unique_ptr<rc::Client> client_;
  ClientOptions options_;
  std::optional<common::TlsPem> tls_;
  std::map<std::string, std::unique_ptr<rc::Client>> single_;
  size_t next_read_ = 0;
};

}  // namespace

// One channel per endpoint for status probes, replaced after a failed call (at most every
// 50 ms), so a node that was down is seen again as soon as it listens.
struct RefDb::StatusChannel {
  common::Mutex mu;
  std::string endpoint;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::unique_ptr<refdb::statuspb::Status::Stub> stub GUARDED_BY(mu);
  std::chrono::steady_clock::time_point created;

  StatusChannel(std::string e, std::shared_ptr<grpc::ChannelCredentials> c)
      : endpoint(std::move(e)), credentials(std::move(c)) {
    common::MutexLock lock(mu);
    Renew();
  }
  void Renew() REQUIRES(mu) {
    stub = refdb::statuspb::Status::NewStub(FreshChannel(endpoint, credentials));
    created = std::chrono::steady_clock::now();
  }
};

RefDb::RefDb(RefDbOptions options) : options_(std::move(options)) {}
RefDb::~RefDb() = default;

std::vector<std::string> RefDb::NodeArgv(const NodeEnv& env) const {
  std::string peers;
  for (size_t i = 0; i < env.peer_ips.size(); ++i) {
    if (!peers.empty()) peers += ",";
    peers += std::to_string(i + 1) + "=" + env.peer_ips[i] + ":" + std::to_string(kPort);
  }
  std::vector<std::string> argv = {options_.binary.string(),
                                   "--id",
                                   std::to_string(env.id),
                                   "--listen",
                                   env.ip + ":" + std::to_string(kPort),
                                   "--peers",
                                   peers,
                                   "--data",
                                   env.data_dir};
  for (const std::string& bug : options_.bugs) {
    argv.emplace_back("--bug");
    argv.push_back(bug);
  }
  argv.insert(argv.end(), options_.extra.begin(), options_.extra.end());
  if (tls()) {
    const std::filesystem::path dir = std::filesystem::path(env.data_dir) / "tls";
    argv.insert(argv.end(),
                {"--tls-ca", (dir / "ca.pem").string(), "--tls-cert", (dir / "node.pem").string(),
                 "--tls-key", (dir / "node.key").string()});
  }
  return argv;
}

void RefDb::Attach(const ClusterInfo& cluster) {
  common::MutexLock lock(mu_);
  tls_ = cluster.tls;
  status_channels_.clear();  // made with the old credentials
}

std::optional<ClusterTls> RefDb::tls() const {
  common::MutexLock lock(mu_);
  return tls_;
}

std::vector<NodeFile> RefDb::NodeFiles(const NodeEnv& env) const {
  const std::optional<ClusterTls> cluster_tls = tls();
  if (!cluster_tls || env.id < 1 || static_cast<size_t>(env.id) > cluster_tls->nodes.size()) {
    return {};
  }
  const common::TlsPem& pem = cluster_tls->nodes[env.id - 1];
  return {{.path = "tls/ca.pem", .contents = pem.ca},
          {.path = "tls/node.pem", .contents = pem.cert},
          {.path = "tls/node.key", .contents = pem.key}};
}

Result<std::unique_ptr<DbClient>> RefDb::Connect(const ClientOptions& options) const {
  std::optional<common::TlsPem> client_tls;
  if (const std::optional<ClusterTls> cluster_tls = tls()) client_tls = cluster_tls->client;
  ASSIGN_OR_RETURN(auto client, rc::Client::Create({.endpoints = options.endpoints,
                                                    .call_deadline = options.call_deadline,
                                                    .client_id = options.client_id,
                                                    .tls = client_tls}));
  return std::unique_ptr<DbClient>(new RefDbClient(std::move(client), options, client_tls));
}

std::shared_ptr<RefDb::StatusChannel> RefDb::ChannelFor(const std::string& endpoint) const {
  common::MutexLock lock(mu_);
  auto& channel = status_channels_[endpoint];
  if (channel == nullptr) {
    channel = std::make_shared<StatusChannel>(
        endpoint, rc::MakeChannelCredentials(tls_ ? std::optional(tls_->client) : std::nullopt));
  }
  return channel;
}

Result<NodeStatus> RefDb::Status(const std::string& endpoint,
                                 std::chrono::milliseconds deadline) const {
  std::shared_ptr<StatusChannel> channel = ChannelFor(endpoint);
  common::MutexLock lock(channel->mu);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  refdb::statuspb::StatusRequest request;
  refdb::statuspb::StatusResponse response;
  grpc::Status status = channel->stub->GetStatus(&context, request, &response);
  if (!status.ok()) {
    if (std::chrono::steady_clock::now() - channel->created > std::chrono::milliseconds(50)) {
      channel->Renew();
    }
    return common::Status::Unavailable(endpoint + ": " + status.error_message());
  }
  return NodeStatus{.node_id = response.node_id(),
                    .role = response.role(),
                    .term = response.term(),
                    .leader_id = response.leader_id(),
                    .commit_index = response.commit_index(),
                    .applied_index = response.applied_index(),
                    .state_digest = response.state_digest(),
                    .wall_time_ns = response.wall_time_ns()};
}

DbTraits RefDb::traits() const {
  return {.bug_switches = {"half-quorum", "vote-without-log-check", "commit-previous-term",
                           "stale-reads", "no-fsync"},
          .reports_state_digest = true,
          .writes_node_events = true,
          .clock_movable = true,
          .status_term_is_current = true,
          .supports_tls = true};
}

std::optional<checker::NodeLog> RefDb::ReadNodeLog(int node,
                                                   const std::filesystem::path& data_dir) const {
  return ReadRefdbNodeLog(node, data_dir / "events.jsonl");
}

namespace {

// One line of events.jsonl as a node event; the problem "WHERE: ..." when it is malformed.
common::Result<checker::NodeEvent> ParseEventLine(std::string_view line, int node,
                                                  const std::string& where) {
  const checker::Json object = checker::Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return common::Status::InvalidArgument(where + ": not a JSON object");
  }
  auto term = checker::IntField(object, "term");
  if (!term.has_value()) return common::Status::InvalidArgument(where + R"(: no integer "term")");
  auto role = checker::StringField(object, "role");
  if (!role.has_value()) return common::Status::InvalidArgument(where + R"(: no string "role")");
  const int64_t logged_node = checker::IntField(object, "node").value_or(node);
  if (logged_node != node) {
    return common::Status::InvalidArgument(where + ": node " + std::to_string(logged_node) +
                                           " in the event log of node " + std::to_string(node));
  }
  return checker::NodeEvent{.time_ns = checker::IntField(object, "time_ns").value_or(0),
                            .node = node,
                            .role = *role,
                            .term = *term,
                            .leader = checker::IntField(object, "leader").value_or(0)};
}

}  // namespace

checker::NodeLog ReadRefdbNodeLog(int node, const std::filesystem::path& events_jsonl) {
  checker::NodeLog log{.node = node};
  const std::string path = events_jsonl.string();
  std::error_code ec;
  if (!std::filesystem::exists(events_jsonl, ec) && !ec) {
    log.problem = "no events.jsonl: " + path;
    return log;
  }
  auto text = checker::ReadWholeFile(path);
  if (!text.ok()) {
    log.problem = text.status().message();
    return log;
  }
  checker::text::LineCursor cursor(*text);
  std::string_view line;
  while (cursor.Next(&line)) {
    if (checker::text::IsBlank(line)) continue;
    auto event = ParseEventLine(line, node, path + ":" + std::to_string(cursor.line_number()));
    if (!event.ok()) {
      log.problem = event.status().message();
      break;
    }
    log.events.push_back(std::move(*event));
  }
  return log;
}

}  // namespace workloads

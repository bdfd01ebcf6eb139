#include "workloads/etcd_db.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <optional>
#include <random>
#include <thread>

#include "etcd_rpc.grpc.pb.h"
#include "workloads/grpc_channel.h"

namespace workloads {

using common::Result;
namespace pb = etcdserverpb;

namespace {

constexpr int kMaxAttempts = 6;
constexpr auto kBackoffInitial = std::chrono::milliseconds(10);
constexpr auto kBackoffMax = std::chrono::milliseconds(200);
constexpr auto kLeaderSettle = std::chrono::milliseconds(100);  // one heartbeat

std::string Describe(const std::string& endpoint, const grpc::Status& s) {
  return endpoint + ": grpc code " + std::to_string(s.error_code()) + ": " + s.error_message();
}

// One member's KV stub over its own channel; a fresh channel after UNAVAILABLE (gRPC keeps a
// refused channel in backoff for seconds, even after the member is back).
struct EtcdMember {
  explicit EtcdMember(std::string a) : address(std::move(a)) { Connect(); }
  void Connect() { kv = pb::KV::NewStub(FreshChannel(address)); }
  std::string address;
  std::unique_ptr<pb::KV::Stub> kv;
};

// A failed call, classified.
enum class Failure {
  kDefinite,       // not applied; another member may do better
  kDefiniteFinal,  // not applied, and no member would take it
  kMaybeApplied,   // a write may have been applied (or may be, later)
};

Failure Classify(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return Failure::kDefiniteFinal;
    default:
      return EtcdWriteFailureIsDefinite(s.error_code(), s.error_message()) ? Failure::kDefinite
                                                                           : Failure::kMaybeApplied;
  }
}

class EtcdClient final : public DbClient {
 public:
  EtcdClient(const ClientOptions& options) : deadline_(options.call_deadline) {
    for (const std::string& e : options.endpoints)
      members_.push_back(std::make_unique<EtcdMember>(e));
    uint64_t id = options.client_id;
    if (id == 0) id = std::random_device{}();
    current_ = static_cast<size_t>(id % members_.size());
    next_read_ = current_;
  }

  // Linearizable Range, spread over the members as etcd's own client balances them; when a
  // member cannot answer, the next one is tried, each member at most once (as etcd's client
  // retries a read on the next endpoint).
  Answer<std::optional<std::string>> Read(const std::string& key) override {
    pb::RangeRequest request;
    request.set_key(key);
    Answer<std::optional<std::string>> answer{.outcome = Outcome::kFail};
    for (size_t t = 0; t < members_.size(); ++t) {
      EtcdMember& m = *members_[next_read_++ % members_.size()];
      auto r = Range(m, request);
      if (r.outcome == Outcome::kOk) return r;
      answer.error = r.error;
    }
    return answer;
  }

  Answer<bool> Write(const std::string& key, const std::string& value) override {
    pb::PutRequest request;
    request.set_key(key);
    request.set_value(value);
    pb::PutResponse response;
    Answer<bool> answer = Execute(
        [&](EtcdMember& m, grpc::ClientContext& c) { return m.kv->Put(&c, request, &response); });
    answer.value = answer.outcome == Outcome::kOk;
    return answer;
  }

  Answer<CasResult> Cas(const std::string& key, const std::optional<std::string>& expected,
                        const std::string& new_value) override {
    pb::TxnRequest request;
    pb::Compare* compare = request.add_compare();
    compare->set_key(key);
    compare->set_result(pb::Compare::EQUAL);
    if (expected.has_value()) {
      compare->set_target(pb::Compare::VALUE);
      compare->set_value(*expected);
    } else {
      compare->set_target(pb::Compare::CREATE);
      compare->set_create_revision(0);  // a key that does not exist has create_revision 0
    }
    pb::PutRequest* put = request.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(new_value);
    pb::TxnResponse response;
    Answer<bool> sent = Execute(
        [&](EtcdMember& m, grpc::ClientContext& c) { return m.kv->Txn(&c, request, &response); });
    Answer<CasResult> answer{.outcome = sent.outcome, .error = sent.error};
    if (answer.outcome == Outcome::kOk) answer.value.succeeded = response.succeeded();
    return answer;
  }

  Answer<std::optional<std::string>> ReadLocal(const std::string& endpoint,
                                               const std::string& key) override {
    auto it = std::find_if(members_.begin(), members_.end(),
                           [&](const auto& m) { return m->address == endpoint; });
    if (it == members_.end()) {
      members_.push_back(std::make_unique<EtcdMember>(endpoint));
      it = members_.end() - 1;
    }
    pb::RangeRequest request;
    request.set_key(key);
    request.set_serializable(true);
    return Range(**it, request);
  }

 private:
  void Prepare(grpc::ClientContext& context) const {
    context.set_deadline(std::chrono::system_clock::now() + deadline_);
    // etcd's WithRequireLeader: a member without a leader rejects the call before proposing.
    context.AddMetadata("hasleader", "true");
  }

  // One Range on `m`; any failure is a fail (a read has no effect).
  Answer<std::optional<std::string>> Range(EtcdMember& m, const pb::RangeRequest& request) {
    grpc::ClientContext context;
    Prepare(context);
    pb::RangeResponse response;
    const grpc::Status s = m.kv->Range(&context, request, &response);
    if (!s.ok()) {
      if (s.error_code() == grpc::StatusCode::UNAVAILABLE) m.Connect();
      return {.outcome = Outcome::kFail, .error = Describe(m.address, s)};
    }
    Answer<std::optional<std::string>> answer{.outcome = Outcome::kOk};
    if (response.kvs_size() > 0) answer.value = response.kvs(0).value();
    return answer;
  }

  // Runs a write on the current member until it is answered, fails definitely for good, may
  // have been applied, or runs out of attempts; moves to the next member after a failure.
  template <typename Call>
  Answer<bool> Execute(Call call) {
    Answer<bool> answer{.outcome = Outcome::kFail};
    auto backoff = kBackoffInitial;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      EtcdMember& m = *members_[current_];
      grpc::ClientContext context;
      Prepare(context);
      const grpc::Status s = call(m, context);
      if (s.ok()) return {.outcome = Outcome::kOk};
      answer.error = Describe(m.address, s);
      if (s.error_code() == grpc::StatusCode::UNAVAILABLE) m.Connect();
      current_ = (current_ + 1) % members_.size();
      switch (Classify(s)) {
        case Failure::kDefiniteFinal:
          return answer;
        case Failure::kMaybeApplied:
          answer.outcome = Outcome::kInfo;
          return answer;
        case Failure::kDefinite:
          break;
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, kBackoffMax);
    }
    return answer;
  }

  std::chrono::milliseconds deadline_;
  std::vector<std::unique_ptr<EtcdMember>> members_;
  size_t current_ = 0;  // where writes go
  size_t next_read_ = 0;
};

// The number in a member name "<prefix><n>", or 0.
int NumberOf(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  int n = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > 100000) return 0;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

}  // namespace

bool EtcdWriteFailureIsDefinite(int grpc_code, const std::string& message) {
  switch (static_cast<grpc::StatusCode>(grpc_code)) {
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC's own wording when no connection could be made: the request never left. etcd's
      // "no leader" (the hasleader check) and "not capable" come before any proposal.
      return message.find("failed to connect") != std::string::npos ||
             message == "etcdserver: no leader" || message == "etcdserver: not capable";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // "too many requests": checked before proposing
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return true;
    default:  // DEADLINE_EXCEEDED, CANCELLED, UNKNOWN, INTERNAL...: it may have been applied
      return false;
  }
}

// One channel per endpoint for status probes, replaced after a failed call (at most every
// 50 ms), so a member that was down is seen again as soon as it listens.
struct EtcdDb::StatusChannel {
  common::Mutex mu;
  std::string endpoint;
  std::unique_ptr<pb::Maintenance::Stub> maintenance GUARDED_BY(mu);
  std::unique_ptr<pb::Cluster::Stub> cluster GUARDED_BY(mu);
  std::chrono::steady_clock::time_point created;
  // When this member was first seen naming itself leader, in its current streak; nullopt when
  // its last answer named another member or none.
  std::optional<std::chrono::steady_clock::time_point> leading_since GUARDED_BY(mu);

  explicit StatusChannel(std::string e) : endpoint(std::move(e)) {
    common::MutexLock lock(mu);
    Renew();
  }
  void Renew() REQUIRES(mu) {
    auto channel = FreshChannel(endpoint);
    maintenance = pb::Maintenance::NewStub(channel);
    cluster = pb::Cluster::NewStub(channel);
    created = std::chrono::steady_clock::now();
  }
};

EtcdDb::EtcdDb(EtcdDbOptions options) : options_(std::move(options)) {}
EtcdDb::~EtcdDb() = default;

std::vector<std::string> EtcdDb::NodeArgv(const NodeEnv& env) const {
  auto peer_url = [this](const std::string& ip) {
    return "http://" + ip + ":" + std::to_string(options_.peer_port);
  };
  std::string initial_cluster;
  for (size_t i = 0; i < env.peer_ips.size(); ++i) {
    if (!initial_cluster.empty()) initial_cluster += ",";
    initial_cluster +=
        options_.name_prefix + std::to_string(i + 1) + "=" + peer_url(env.peer_ips[i]);
  }
  const std::string client_url = "http://" + env.ip + ":" + std::to_string(options_.client_port);
  std::vector<std::string> argv = {options_.binary.string(),
                                   "--name",
                                   options_.name_prefix + std::to_string(env.id),
                                   "--data-dir",
                                   env.data_dir,
                                   "--listen-peer-urls",
                                   peer_url(env.ip),
                                   "--initial-advertise-peer-urls",
                                   peer_url(env.ip),
                                   "--listen-client-urls",
                                   client_url,
                                   "--advertise-client-urls",
                                   client_url,
                                   "--initial-cluster",
                                   initial_cluster,
                                   "--initial-cluster-state",
                                   "new",
                                   "--initial-cluster-token",
                                   options_.token,
                                   "--heartbeat-interval",
                                   std::to_string(options_.heartbeat_ms),
                                   "--election-timeout",
                                   std::to_string(options_.election_ms),
                                   "--pre-vote=true",
                                   "--logger",
                                   "zap",
                                   "--log-outputs",
                                   "stderr"};
  argv.insert(argv.end(), options_.extra.begin(), options_.extra.end());
  return argv;
}

Result<std::unique_ptr<DbClient>> EtcdDb::Connect(const ClientOptions& options) const {
  if (options.endpoints.empty())
    return common::Status::InvalidArgument("etcd client: no endpoints");
  return std::unique_ptr<DbClient>(new EtcdClient(options));
}

std::shared_ptr<EtcdDb::StatusChannel> EtcdDb::ChannelFor(const std::string& endpoint) const {
  common::MutexLock lock(mu_);
  auto& channel = status_channels_[endpoint];
  if (channel == nullptr) channel = std::make_shared<StatusChannel>(endpoint);
  return channel;
}

int EtcdDb::NodeOf(uint64_t id, const MemberLister& list_members) const {
  {
    common::MutexLock lock(mu_);
    auto it = nodes_.find(id);
    if (it != nodes_.end()) return it->second;
  }
  const std::vector<std::pair<uint64_t, std::string>> members = list_members();
  common::MutexLock lock(mu_);
  for (const auto& [member_id, name] : members) {
    const int node = NumberOf(name, options_.name_prefix);
    if (node > 0) nodes_[member_id] = node;
  }
  auto it = nodes_.find(id);
  return it == nodes_.end() ? 0 : it->second;
}

Result<NodeStatus> EtcdDb::Status(const std::string& endpoint,
                                  std::chrono::milliseconds deadline) const {
  std::shared_ptr<StatusChannel> channel = ChannelFor(endpoint);
  common::MutexLock lock(channel->mu);
  const auto until = std::chrono::system_clock::now() + deadline;
  grpc::ClientContext context;
  context.set_deadline(until);
  pb::StatusResponse response;
  const grpc::Status status =
      channel->maintenance->Status(&context, pb::StatusRequest(), &response);
  if (!status.ok()) {
    if (std::chrono::steady_clock::now() - channel->created > std::chrono::milliseconds(50)) {
      channel->Renew();
    }
    return common::Status::Unavailable(endpoint + ": " + status.error_message());
  }
  const uint64_t own = response.header().member_id();
  // Called by NodeOf while this function holds the channel's lock.
  auto list_members = [&channel, until]() REQUIRES(channel->mu) {
    std::vector<std::pair<uint64_t, std::string>> members;
    grpc::ClientContext list_context;
    list_context.set_deadline(until);
    pb::MemberListResponse list;
    if (!channel->cluster->MemberList(&list_context, pb::MemberListRequest(), &list).ok()) {
      return members;
    }
    for (const pb::Member& member : list.members())
      members.emplace_back(member.id(), member.name());
    return members;
  };
  const int node = NodeOf(own, list_members);
  if (node == 0) {
    return common::Status::Unavailable(endpoint + ": member " + std::to_string(own) +
                                       " is not in the member list under a name " +
                                       options_.name_prefix + "<n>");
  }
  const int leader = response.leader() == 0 ? 0 : NodeOf(response.leader(), list_members);
  // etcd's raftTerm is the term of the last entry the member applied, not raft's current term:
  // a member elected a moment ago names itself leader while it still reports the previous
  // term, until it applies its first entry of the new term (milliseconds later). So a member
  // counts as leader once it has named itself so for kLeaderSettle; before that it is reported
  // as a follower of itself (leader_id is its own number).
  const auto now = std::chrono::steady_clock::now();
  bool leads = false;
  if (response.leader() != 0 && response.leader() == own) {
    if (!channel->leading_since.has_value()) channel->leading_since = now;
    leads = now - *channel->leading_since >= kLeaderSettle;
  } else {
    channel->leading_since.reset();
  }
  return NodeStatus{.node_id = static_cast<uint64_t>(node),
                    .role = leads ? "leader" : "follower",
                    .term = response.raftterm(),
                    .leader_id = static_cast<uint64_t>(leader),
                    .commit_index = response.raftindex(),
                    .applied_index = response.raftappliedindex()};
}

}  // namespace workloads

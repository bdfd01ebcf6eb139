#include "bench/bench_target.h"

#include <unistd.h>

#include <atomic>
#include <utility>

#include "bench/etcd_cluster.h"
#include "etcd_rpc.grpc.pb.h"
#include "kv.grpc.pb.h"
#include "refdb/server/testing/local_cluster.h"

namespace bench {

using common::Result;
using common::Status;
using std::chrono::milliseconds;

namespace {

Status FromGrpc(const grpc::Status& s, const char* what) {
  if (s.ok()) return Status::Ok();
  return Status::Unavailable(std::string(what) + ": gRPC code " +
                             std::to_string(static_cast<int>(s.error_code())) + ": " +
                             s.error_message());
}

void SetDeadline(grpc::ClientContext& context, milliseconds deadline) {
  context.set_deadline(std::chrono::system_clock::now() + deadline);
}

// A client id no other client of this run uses (refdb deduplicates writes per client id).
uint64_t NewClientId() {
  static std::atomic<uint64_t> counter{0};
  return (static_cast<uint64_t>(::getpid()) << 32) + counter.fetch_add(1) + 1;
}

class RefdbKvClient : public KvClient {
 public:
  explicit RefdbKvClient(const std::shared_ptr<grpc::Channel>& channel)
      : stub_(refdb::kvpb::KV::NewStub(channel)), client_id_(NewClientId()) {}

  Status Put(const std::string& key, const std::string& value, milliseconds deadline) override {
    refdb::kvpb::PutRequest request;
    request.mutable_write_id()->set_client_id(client_id_);
    request.mutable_write_id()->set_sequence(++sequence_);
    request.set_key(key);
    request.set_value(value);
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    refdb::kvpb::PutResponse response;
    return FromGrpc(stub_->Put(&context, request, &response), "refdb put");
  }

  Status Get(const std::string& key, milliseconds deadline) override {
    refdb::kvpb::GetRequest request;
    request.set_key(key);  // serializable = false: linearizable (ReadIndex)
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    refdb::kvpb::GetResponse response;
    return FromGrpc(stub_->Get(&context, request, &response), "refdb get");
  }

 private:
  std::unique_ptr<refdb::kvpb::KV::Stub> stub_;
  uint64_t client_id_;
  uint64_t sequence_ = 0;
};

class EtcdKvClient : public KvClient {
 public:
  explicit EtcdKvClient(const std::shared_ptr<grpc::Channel>& channel)
      : stub_(etcdserverpb::KV::NewStub(channel)) {}

  Status Put(const std::string& key, const std::string& value, milliseconds deadline) override {
    etcdserverpb::PutRequest request;
    request.set_key(key);
    request.set_value(value);
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    etcdserverpb::PutResponse response;
    return FromGrpc(stub_->Put(&context, request, &response), "etcd put");
  }

  Status Get(const std::string& key, milliseconds deadline) override {
    etcdserverpb::RangeRequest request;
    request.set_key(key);
    request.set_serializable(false);  // linearizable
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    etcdserverpb::RangeResponse response;
    return FromGrpc(stub_->Range(&context, request, &response), "etcd range");
  }

 private:
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
};

class RefdbTarget : public BenchTarget {
 public:
  explicit RefdbTarget(std::unique_ptr<refdb::testing::LocalCluster> cluster)
      : cluster_(std::move(cluster)) {}

  std::string name() const override { return "refdb"; }
  int size() const override { return cluster_->size(); }
  std::string client_address(int member) const override { return cluster_->address(member); }
  std::unique_ptr<KvClient> NewClient(std::shared_ptr<grpc::Channel> channel) override {
    return std::make_unique<RefdbKvClient>(channel);
  }
  Result<int> WaitForLeader(milliseconds timeout) override {
    return cluster_->WaitForLeader(timeout);
  }
  Status WaitForHealthy(milliseconds timeout) override {
    ASSIGN_OR_RETURN(const int leader, cluster_->WaitForLeader(timeout));
    ASSIGN_OR_RETURN(refdb::statuspb::StatusResponse status, cluster_->Status(leader));
    return cluster_->WaitForApplied(status.commit_index(), timeout);
  }
  Status Kill(int member) override { return cluster_->KillNode(member); }
  Status Restart(int member) override { return cluster_->StartNode(member); }

 private:
  std::unique_ptr<refdb::testing::LocalCluster> cluster_;
};

class EtcdTarget : public BenchTarget {
 public:
  explicit EtcdTarget(std::unique_ptr<EtcdCluster> cluster) : cluster_(std::move(cluster)) {}

  std::string name() const override { return "etcd"; }
  int size() const override { return cluster_->size(); }
  std::string client_address(int member) const override { return cluster_->client_address(member); }
  std::unique_ptr<KvClient> NewClient(std::shared_ptr<grpc::Channel> channel) override {
    return std::make_unique<EtcdKvClient>(channel);
  }
  Result<int> WaitForLeader(milliseconds timeout) override {
    return cluster_->WaitForLeader(timeout);
  }
  Status WaitForHealthy(milliseconds timeout) override { return cluster_->WaitForHealthy(timeout); }
  Status Kill(int member) override { return cluster_->KillMember(member); }
  Status Restart(int member) override { return cluster_->StartMember(member); }

 private:
  std::unique_ptr<EtcdCluster> cluster_;
};

}  // namespace

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

Result<std::unique_ptr<BenchTarget>> StartRefdbTarget(const std::string& binary) {
  if (::access(binary.c_str(), X_OK) != 0) {
    return Status::NotFound(binary + ": no refdb binary (build the refdb target)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<refdb::testing::LocalCluster> cluster,
                   refdb::testing::LocalCluster::Start({.binary = binary, .nodes = 3}));
  return std::unique_ptr<BenchTarget>(new RefdbTarget(std::move(cluster)));
}

Result<std::unique_ptr<BenchTarget>> StartEtcdTarget(const std::string& binary) {
  ASSIGN_OR_RETURN(std::unique_ptr<EtcdCluster> cluster,
                   EtcdCluster::Start({.binary = binary, .members = 3}));
  return std::unique_ptr<BenchTarget>(new EtcdTarget(std::move(cluster)));
}

}  // namespace bench

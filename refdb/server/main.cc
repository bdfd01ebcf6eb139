// refdb: one node of the Raft-replicated key-value store. Flags: server_options.h.
// Exit codes: 0 clean shutdown (SIGTERM/SIGINT), 3 could not start (storage, address, a bad
// TLS file), 254 bad flags. A storage failure while running aborts (the node must not go on).
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "refdb/server/driver.h"
#include "refdb/server/etcd_services.h"
#include "refdb/server/peer_transport.h"
#include "refdb/server/server_options.h"
#include "refdb/server/services.h"
#include "refdb/server/tls_credentials.h"
#include "refdb/storage/posix_file_system.h"

namespace {

using refdb::server::ServerOptions;

constexpr int kExitStartFailed = 3;
constexpr int kExitBadFlags = 254;
constexpr int kMaxIdleHandlerThreads = 256;

// Blocks SIGTERM and SIGINT in this thread and every thread it starts; main waits for them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int Serve(const ServerOptions& options, const sigset_t& signals) {
  std::optional<common::TlsPem> tls;
  if (options.tls.enabled()) {
    auto loaded = refdb::server::LoadTls(options.tls);
    if (!loaded.ok()) {
      std::cerr << "refdb " << options.id << ": " << loaded.status().message() << "\n";
      return kExitStartFailed;
    }
    tls = std::move(*loaded);
  }
  const auto channel_credentials = refdb::server::MakeChannelCredentials(tls);
  refdb::storage::PosixFileSystem fs;
  refdb::server::PeerTransport transport(options.peers, channel_credentials);
  auto driver = refdb::server::Driver::Create(options, fs, transport);
  if (!driver.ok()) {
    std::cerr << "refdb " << options.id << ": " << driver.status().message() << "\n";
    return kExitStartFailed;
  }
  refdb::server::KvService kv(**driver);
  refdb::server::PeerService peer(**driver);
  refdb::server::StatusService status(**driver);
  // etcd's v3 API on the same port (etcd_services.h).
  const auto identity = refdb::server::EtcdIdentity::From(options);
  refdb::server::EtcdForwarder forwarder(**driver, channel_credentials);
  refdb::server::EtcdKvService etcd_kv(**driver, identity, forwarder);
  refdb::server::EtcdLeaseService etcd_lease(**driver, identity, forwarder);
  refdb::server::EtcdMaintenanceService etcd_maintenance(**driver, identity);
  refdb::server::EtcdClusterService etcd_cluster(**driver, identity, forwarder);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, refdb::server::MakeServerCredentials(tls),
                           &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  refdb::server::AllowPeerKeepalive(builder);
  // Each waiting client request holds one sync-server thread. gRPC's default (at most 2 idle
  // polling threads) makes every finished handler thread exit and every new request start
  // one: under 64 concurrent clients, thread creation and teardown (mmap, munmap, TLB
  // shootdowns) cost more CPU than the requests. Idle threads stay instead, up to a bound.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              kMaxIdleHandlerThreads);
  builder.RegisterService(&kv);
  builder.RegisterService(&peer);
  builder.RegisterService(&status);
  builder.RegisterService(&etcd_kv);
  builder.RegisterService(&etcd_lease);
  builder.RegisterService(&etcd_maintenance);
  builder.RegisterService(&etcd_cluster);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "refdb " << options.id << ": cannot listen on " << options.listen_address << "\n";
    return kExitStartFailed;
  }
  (*driver)->Start();
  std::cerr << "refdb " << options.id << ": serving on " << options.listen_address
            << (tls ? " (mutual TLS)" : "") << "\n";
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "refdb " << options.id << ": signal " << signal_number << ", shutting down\n";
  (*driver)->Stop();  // answers every waiting handler, so Shutdown need not wait for them
  // Idle client connections can hold a graceful shutdown until its deadline; every handler
  // already has its answer, so a short one is enough.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  transport.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t signals = BlockShutdownSignals();
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = refdb::server::ParseFlags(args);
  if (!options.ok()) {
    std::cerr << "refdb: " << options.status().message() << "\n" << refdb::server::Usage();
    return kExitBadFlags;
  }
  return Serve(*options, signals);
}

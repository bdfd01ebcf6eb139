// SimServer: one refdb server in the simulator: the server's own Driver (Raft core, Ready
// loop, KvStateMachine with its dedup table, group commit, snapshots, DiskLogStore) over a
// simulated disk (storage::FaultyFileSystem: what was not fsynced is lost in a crash, and the
// last unsynced write may be torn) and the simulator's network (it is the driver's
// MessageSender), stepped on the simulator's thread with virtual time (tick * tick_ms).
//
// A crash destroys the Driver (every waiting reply is dropped unanswered); only the disk
// survives. Start re-creates the Driver over it, as a restarted process would. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "common/status.h"
#include "refdb/raft/node.h"
#include "refdb/server/driver.h"
#include "refdb/server/message_sender.h"
#include "refdb/server/server_options.h"
#include "refdb/storage/faulty_file_system.h"

namespace refdb::sim {

using raft::NodeId;

// What the servers report as they work; the simulator checks it.
class ServerListener {
 public:
  virtual ~ServerListener() = default;
  virtual void OnPersisted(NodeId id, const raft::LogStore& store,
                           const std::vector<raft::Entry>& entries) = 0;
  // `entry` was applied; `state` is the node's state machine right after.
  virtual void OnApplied(NodeId id, const raft::Entry& entry,
                         const server::KvStateMachine& state) = 0;
  virtual void OnCoreError(NodeId id, const common::Status& status) = 0;
};

class SimServer final : public server::MessageSender, public server::DriverObserver {
 public:
  SimServer(server::ServerOptions options, ServerListener& listener);

  // Creates the Driver over the disk; `rng_seed` seeds this incarnation's Rng.
  common::Status Start(uint64_t rng_seed);
  // The process dies: the Driver is gone, the disk keeps only what was fsynced (with
  // `tear_keep_bytes`, the last unsynced write keeps that many bytes, if it is longer).
  void Crash(std::optional<size_t> tear_keep_bytes);
  bool is_up() const { return driver_ != nullptr; }
  const raft::Node& node() const { return driver_->node(); }
  uint64_t applied_index() const { return driver_->node().applied_index(); }

  // The next Step that sends messages crashes instead: persisted, nothing sent.
  void CrashDuringNextReady() { crash_in_ready_ = true; }
  // One iteration of the driver's loop at virtual tick `tick`; what it sends is appended to
  // `outbox`. False if the node crashed inside it.
  bool Step(std::deque<server::Input> inputs, uint64_t tick, std::vector<raft::Message>& outbox);

  // server::MessageSender.
  void Send(std::vector<raft::Message> messages) override;
  // The simulated network routes by node id: an address changes nothing.
  void AddPeer(uint64_t /*id*/, const std::string& /*address*/) override {}
  // server::DriverObserver.
  void OnPersisted(const raft::LogStore& store, const std::vector<raft::Entry>& entries) override;
  void OnApplied(const raft::Entry& entry, const server::KvStateMachine& state) override;
  void OnCoreError(const common::Status& status) override;

 private:
  server::ServerOptions options_;
  ServerListener* listener_;
  storage::FaultyFileSystem disk_;  // survives crashes
  std::unique_ptr<server::Driver> driver_;
  std::vector<raft::Message>* outbox_ = nullptr;  // set during Step
  bool crash_in_ready_ = false;
  bool crashing_ = false;  // the crash in Ready happened: drop everything sent until the end
};

}  // namespace refdb::sim

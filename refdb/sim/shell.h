// Shell: what a refdb server does around one Raft Node, in memory: it owns the node's durable
// state (a MemoryLogStore: what survives a crash), the node's Rng, the KV state machine and the
// reads waiting for the state machine to catch up. ProcessReady runs the Ready loop exactly in
// the order node.h prescribes: persist, send, apply (and serve reads), Advance; then compacts
// the log when the swarm's threshold is reached.
//
// A crash drops the Node, the state machine and every pending read: only the store survives.
// Restart re-opens the Node over the store, restoring the state machine from its snapshot.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/status.h"
#include "refdb/raft/config.h"
#include "refdb/raft/memory_log_store.h"
#include "refdb/raft/node.h"
#include "refdb/sim/kv_state_machine.h"

namespace refdb::sim {

using raft::NodeId;

// What a shell reports as it works; the simulator checks and records it.
class ShellListener {
 public:
  virtual ~ShellListener() = default;
  // `entries` were just persisted into `store` (Ready step 1).
  virtual void OnPersisted(NodeId id, const raft::LogStore& store,
                           const std::vector<raft::Entry>& entries) = 0;
  // The state machine applied `entry` (Ready step 3); `result` is set for a KV command.
  virtual void OnApplied(NodeId id, const raft::Entry& entry,
                         const std::optional<ApplyResult>& result) = 0;
  // A ReadIndex read with this context was served from the state machine.
  virtual void OnRead(NodeId id, const std::string& context,
                      const std::optional<std::string>& value) = 0;
};

class Shell {
 public:
  // Requires: `config.id` set. `compact_threshold` 0 never compacts, else compacts when that
  // many applied entries are past the snapshot.
  Shell(const raft::Config& config, uint64_t compact_threshold);

  // Opens a Node over the store; `rng_seed` seeds this incarnation's Rng.
  common::Status Start(uint64_t rng_seed);
  void Crash();
  bool is_up() const { return node_.has_value(); }
  raft::Node& node() { return *node_; }
  const raft::Node& node() const { return *node_; }
  const raft::MemoryLogStore& store() const { return *store_; }
  const KvStateMachine& state() const { return state_; }
  uint64_t applied_index() const { return applied_index_; }

  // The next crash happens inside the Ready loop, after persisting and before sending.
  void CrashDuringNextReady() { crash_in_ready_ = true; }
  // Remembers a read to serve once the ReadState for `context` arrives and is applied.
  // Runs every Ready; appends the messages to send to `outbox`. Returns false if the node
  // crashed inside the loop.
  bool ProcessReady(std::vector<raft::Message>& outbox, ShellListener& listener);

 private:
  void Persist(const raft::Ready& rd, ShellListener& listener);
  void Apply(const raft::Ready& rd, ShellListener& listener);
  void ServeReads(ShellListener& listener);
  void MaybeCompact();

  raft::Config config_;
  uint64_t compact_threshold_;
  std::unique_ptr<raft::MemoryLogStore> store_;  // durable: survives crashes
  std::unique_ptr<common::Rng> rng_;             // must outlive node_
  std::optional<raft::Node> node_;
  KvStateMachine state_;
  uint64_t applied_index_ = 0;
  std::multimap<uint64_t, std::string> reads_;  // read index -> context, awaiting apply
  bool crash_in_ready_ = false;
};

}  // namespace refdb::sim

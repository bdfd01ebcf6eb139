// Network: an in-process cluster for the core's tests, like `network` in etcd's raft_test.go.
//
// Each node has a MemoryLogStore and its own seeded Rng. The fixture drives nodes exactly as a
// shell must: for every Ready it persists snapshot, entries and hard state into the store,
// queues the messages, applies committed entries to a tiny state machine (the applied data
// joined by ','), records read states, then Advances. It runs CheckInvariants after every step
// and records cluster-wide safety violations (two leaders in a term, two different entries
// applied at one index, an Internal error from Step); the destructor fails the test if any
// occurred unless the test called AllowViolations(). Deterministic: FIFO delivery, id order.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/rng.h"
#include "refdb/raft/config.h"
#include "refdb/raft/memory_log_store.h"
#include "refdb/raft/node.h"

namespace refdb::raft {

class Network {
 public:
  struct Options {
    size_t size = 3;
    uint64_t seed = 1;
    std::function<void(Config&)> configure = {};  // applied to every node's config
  };

  explicit Network(const Options& options);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  Node& node(NodeId id);
  MemoryLogStore& store(NodeId id);
  std::vector<NodeId> ids() const;

  // Driving. Each call ends by delivering every message until the network is quiet.
  void Campaign(NodeId id);
  void Tick(NodeId id, int ticks = 1);
  void TickAll(int ticks);  // every live node ticks once per round, then delivery
  common::Status Propose(NodeId id, std::string data);
  common::Status Read(NodeId id, std::string context);
  common::Status Step(NodeId id, const Message& m);
  void DeliverAll();
  // Steps `m` into node `id` and queues what it sends, without delivering anything.
  common::Status Inject(NodeId id, const Message& m);
  // Processes every Ready and queues the messages without delivering them.
  void Flush();
  std::deque<Message>& queue() { return queue_; }
  // Delivers (or drops) queued messages matching `pred`, keeping the others queued.
  void DeliverIf(const std::function<bool(const Message&)>& pred);
  void DropIf(const std::function<bool(const Message&)>& pred);

  // Faults.
  // Message faults, drawn from the network's own seeded Rng: each delivery is dropped or
  // duplicated with the given percent chance, and each delivery round is shuffled if `reorder`.
  void SetMessageFaults(uint32_t drop_percent, uint32_t duplicate_percent, bool reorder);
  void Cut(NodeId a, NodeId b);
  void Isolate(NodeId id);
  void Recover();           // heals every cut
  void Crash(NodeId id);    // the node stops; its store keeps what was persisted
  void Restart(NodeId id);  // a new Node over the same store
  void AddNode(NodeId id);  // a new, empty node with no peers (joins via a membership change)
  common::Status Compact(NodeId id);  // snapshot at the applied index, drop covered entries
  // Replaces a node's durable log by entries 1..n of the given terms (data "i<index>t<term>")
  // and its hard state by {term, no vote, commit 0}, then reopens it.
  void SetLog(NodeId id, const std::vector<uint64_t>& terms, uint64_t term);

  // Observations.
  NodeId Leader() const;  // the live leader with the highest term, kNoNode if none
  const std::string& state(NodeId id) const { return peers_.at(id).state; }
  const std::vector<ReadState>& read_states(NodeId id) const { return peers_.at(id).reads; }
  const std::vector<std::string>& violations() const { return violations_; }
  // How many delivered messages match `pred`.
  size_t CountDelivered(const std::function<bool(const Message&)>& pred) const;
  void AllowViolations() { violations_allowed_ = true; }

 private:
  struct Peer {
    Config config;
    std::unique_ptr<MemoryLogStore> store;
    std::unique_ptr<common::Rng> rng;
    std::optional<Node> node;
    std::string state;  // the state machine: applied normal entries' data joined by ','
    std::vector<ReadState> reads;
  };

  void Open(NodeId id);
  void ProcessReady(NodeId id);
  void Apply(NodeId id, const Entry& e);
  void Deliver(const Message& m);
  bool Connected(NodeId from, NodeId to) const;
  void AfterStep(NodeId id);
  void Report(const common::Status& status);

  uint64_t seed_;
  common::Rng fault_rng_;
  uint32_t drop_percent_ = 0;
  uint32_t duplicate_percent_ = 0;
  bool reorder_ = false;
  std::map<NodeId, Peer> peers_;
  std::deque<Message> queue_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::map<uint64_t, NodeId> leader_of_term_;
  std::map<uint64_t, Entry> applied_at_;  // index -> the entry first applied there, cluster-wide
  std::vector<Message> delivered_;
  std::vector<std::string> violations_;
  bool violations_allowed_ = false;
};

}  // namespace refdb::raft

#include "refdb/raft/test_network.h"

#include <gtest/gtest.h>

#include "common/check.h"
#include "refdb/raft/invariants.h"

namespace refdb::raft {

namespace {
constexpr int kMaxDeliveryRounds = 10000;
}  // namespace

Network::Network(const Options& options) : seed_(options.seed), fault_rng_(options.seed) {
  std::vector<NodeId> ids;
  for (NodeId id = 1; id <= options.size; ++id) ids.push_back(id);
  for (NodeId id : ids) {
    Peer& peer = peers_[id];
    peer.config.id = id;
    peer.config.peers = ids;
    if (options.configure) options.configure(peer.config);
    peer.store = std::make_unique<MemoryLogStore>();
    Open(id);
  }
}

Network::~Network() {
  if (!violations_allowed_) {
    for (const std::string& v : violations_) ADD_FAILURE() << "safety violation: " << v;
  }
}

void Network::Open(NodeId id) {
  Peer& peer = peers_.at(id);
  peer.rng = std::make_unique<common::Rng>(seed_ * 1000 + id);
  peer.node.reset();
  common::Result<Node> node = Node::Open(peer.config, *peer.store, *peer.rng);
  CHECK(node.ok()) << node.status().message();
  peer.node.emplace(std::move(node).value());
  CheckInvariants(*peer.node);
}

Node& Network::node(NodeId id) {
  CHECK(peers_.at(id).node.has_value()) << "node " << id << " is down";
  return *peers_.at(id).node;
}

MemoryLogStore& Network::store(NodeId id) { return *peers_.at(id).store; }

std::vector<NodeId> Network::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, peer] : peers_) out.push_back(id);
  return out;
}

void Network::Report(const common::Status& status) {
  if (status.code() == common::StatusCode::kInternal) violations_.push_back(status.message());
}

void Network::AfterStep(NodeId id) {
  const Node& n = node(id);
  CheckInvariants(n);
  if (!n.is_leader()) return;
  auto [it, inserted] = leader_of_term_.emplace(n.term(), id);
  if (!inserted && it->second != id) {
    violations_.push_back("two leaders in term " + std::to_string(n.term()) + ": " +
                          std::to_string(it->second) + " and " + std::to_string(id));
  }
}

void Network::Campaign(NodeId id) {
  Report(node(id).Campaign());
  AfterStep(id);
  DeliverAll();
}

void Network::Tick(NodeId id, int ticks) {
  for (int i = 0; i < ticks; ++i) {
    node(id).Tick();
    AfterStep(id);
    DeliverAll();
  }
}

void Network::TickAll(int ticks) {
  for (int i = 0; i < ticks; ++i) {
    for (auto& [id, peer] : peers_) {
      if (!peer.node) continue;
      peer.node->Tick();
      AfterStep(id);
    }
    DeliverAll();
  }
}

common::Status Network::Propose(NodeId id, std::string data) {
  common::Status status = node(id).Propose(std::move(data));
  AfterStep(id);
  DeliverAll();
  return status;
}

common::Status Network::Read(NodeId id, std::string context) {
  common::Status status = node(id).ReadIndex(std::move(context));
  AfterStep(id);
  DeliverAll();
  return status;
}

common::Status Network::Step(NodeId id, const Message& m) {
  common::Status status = node(id).Step(m);
  Report(status);
  AfterStep(id);
  DeliverAll();
  return status;
}

common::Status Network::Inject(NodeId id, const Message& m) {
  common::Status status = node(id).Step(m);
  Report(status);
  AfterStep(id);
  Flush();
  return status;
}

void Network::Apply(NodeId id, const Entry& e) {
  auto [it, inserted] = applied_at_.emplace(e.index, e);
  if (!inserted && it->second != e) {
    violations_.push_back("index " + std::to_string(e.index) + " applied as " +
                          Describe(it->second) + " and as " + Describe(e) + " on node " +
                          std::to_string(id));
  }
  if (e.type != EntryType::kNormal) return;
  std::string& state = peers_.at(id).state;
  state += (state.empty() ? "" : ",") + e.data;
}

void Network::ProcessReady(NodeId id) {
  Peer& peer = peers_.at(id);
  if (!peer.node || !peer.node->HasReady()) return;
  Ready rd = peer.node->TakeReady();
  // 1. persist
  if (rd.snapshot) peer.store->ApplySnapshot(*rd.snapshot);
  peer.store->Append(rd.entries);
  if (rd.hard_state) peer.store->SetHardState(*rd.hard_state);
  // 2. send
  for (Message& m : rd.messages) queue_.push_back(std::move(m));
  // 3. apply
  if (rd.snapshot) peer.state = rd.snapshot->data;
  for (const Entry& e : rd.committed_entries) Apply(id, e);
  peer.reads.insert(peer.reads.end(), rd.read_states.begin(), rd.read_states.end());
  // 4. advance
  peer.node->Advance(rd);
  AfterStep(id);
}

void Network::Flush() {
  for (const auto& [id, peer] : peers_) ProcessReady(id);
}

bool Network::Connected(NodeId from, NodeId to) const {
  if (!peers_.count(to) || !peers_.at(to).node) return false;
  return cut_.count({std::min(from, to), std::max(from, to)}) == 0;
}

void Network::SetMessageFaults(uint32_t drop_percent, uint32_t duplicate_percent, bool reorder) {
  drop_percent_ = drop_percent;
  duplicate_percent_ = duplicate_percent;
  reorder_ = reorder;
}

void Network::Deliver(const Message& m) {
  if (!Connected(m.from, m.to)) return;
  if (drop_percent_ > 0 && fault_rng_.Chance(drop_percent_, 100)) return;
  const int copies = duplicate_percent_ > 0 && fault_rng_.Chance(duplicate_percent_, 100) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    delivered_.push_back(m);
    Report(node(m.to).Step(m));
    AfterStep(m.to);
  }
}

void Network::DeliverAll() {
  for (int round = 0; round < kMaxDeliveryRounds; ++round) {
    Flush();
    if (queue_.empty()) return;
    std::deque<Message> batch = std::move(queue_);
    queue_.clear();
    if (reorder_) {
      for (size_t i = batch.size(); i > 1; --i)
        std::swap(batch[i - 1], batch[fault_rng_.Uniform(i)]);
    }
    for (const Message& m : batch) Deliver(m);
  }
  Flush();
  std::string sample;
  for (size_t i = 0; i < queue_.size() && i < 8; ++i) sample += "\n  " + Describe(queue_[i]);
  CHECK(false) << "the network did not quiesce in " << kMaxDeliveryRounds << " rounds:" << sample;
}

void Network::DeliverIf(const std::function<bool(const Message&)>& pred) {
  std::deque<Message> kept;
  std::deque<Message> batch = std::move(queue_);
  queue_.clear();
  for (const Message& m : batch) {
    if (pred(m)) {
      Deliver(m);
    } else {
      kept.push_back(m);
    }
  }
  Flush();
  for (Message& m : queue_) kept.push_back(std::move(m));
  queue_ = std::move(kept);
}

void Network::DropIf(const std::function<bool(const Message&)>& pred) {
  std::erase_if(queue_, pred);
}

void Network::Cut(NodeId a, NodeId b) { cut_.insert({std::min(a, b), std::max(a, b)}); }

void Network::Isolate(NodeId id) {
  for (const auto& [other, peer] : peers_) {
    if (other != id) Cut(id, other);
  }
}

void Network::Recover() { cut_.clear(); }

void Network::Crash(NodeId id) { peers_.at(id).node.reset(); }

void Network::Restart(NodeId id) {
  Peer& peer = peers_.at(id);
  peer.config.applied_index = 0;
  peer.state = peer.store->snapshot().data;
  Open(id);
  DeliverAll();
}

void Network::AddNode(NodeId id) {
  Peer& peer = peers_[id];
  peer.config = peers_.begin()->second.config;
  peer.config.id = id;
  peer.config.peers.clear();
  peer.store = std::make_unique<MemoryLogStore>();
  Open(id);
}

common::Status Network::Compact(NodeId id) {
  Node& n = node(id);
  return store(id).Compact(n.applied_index(), n.MembersAt(n.applied_index()), state(id));
}

void Network::SetLog(NodeId id, const std::vector<uint64_t>& terms, uint64_t term) {
  Peer& peer = peers_.at(id);
  peer.store = std::make_unique<MemoryLogStore>();
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    const uint64_t index = i + 1;
    entries.push_back({.term = terms[i],
                       .index = index,
                       .data = "i" + std::to_string(index) + "t" + std::to_string(terms[i])});
  }
  peer.store->Append(entries);
  peer.store->SetHardState({.term = term});
  peer.state.clear();
  Open(id);
}

size_t Network::CountDelivered(const std::function<bool(const Message&)>& pred) const {
  size_t count = 0;
  for (const Message& m : delivered_) count += pred(m) ? 1 : 0;
  return count;
}

NodeId Network::Leader() const {
  NodeId leader = kNoNode;
  uint64_t term = 0;
  for (const auto& [id, peer] : peers_) {
    if (peer.node && peer.node->is_leader() && peer.node->term() >= term) {
      leader = id;
      term = peer.node->term();
    }
  }
  return leader;
}

}  // namespace refdb::raft

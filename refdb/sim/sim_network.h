// SimNetwork: the simulator's in-memory network. Every message sent gets a delivery tick
// (now + a random delay, which reorders messages), may be dropped or duplicated, and is lost
// when, at delivery, its link is cut or its target is down. Partitions are sets of cut links,
// computed as data by the Partition* functions below. All randomness comes from the Rng the
// caller passes, so delivery order is a pure function of the seed. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/rng.h"
#include "refdb/raft/message.h"

namespace refdb::sim {

using raft::NodeId;

struct MessageFaults {
  uint32_t drop_percent = 0;
  uint32_t duplicate_percent = 0;
  uint32_t delay_ticks_max = 1;  // each message takes 1..delay_ticks_max ticks
};

// A set of cut (undirected) links between nodes 1..kMaxNodes.
class LinkCuts {
 public:
  static constexpr NodeId kMaxNodes = 8;

  void Cut(NodeId a, NodeId b);
  bool IsCut(NodeId a, NodeId b) const { return (bits_ >> Bit(a, b)) & 1U; }
  bool empty() const { return bits_ == 0; }
  // "1-2 1-3 ...", or "none".
  std::string Describe() const;

 private:
  static unsigned Bit(NodeId a, NodeId b) { return static_cast<unsigned>(a * kMaxNodes + b); }
  uint64_t bits_ = 0;
};

// Partition shapes over nodes 1..n (pure: the Rng only picks who goes where).
// Two sides: a random half (the smaller side first, n/2 nodes) and the rest.
LinkCuts PartitionHalves(size_t n, common::Rng& rng);
// One node cut from every other.
LinkCuts PartitionIsolate(size_t n, NodeId node);
// A random ring order; each node keeps links only to the nodes within ring distance d, the
// least d for which that is a majority: every node sees a majority, no two the same one.
LinkCuts PartitionMajoritiesRing(size_t n, common::Rng& rng);

class SimNetwork {
 public:
  void set_faults(const MessageFaults& faults) { faults_ = faults; }
  void set_cuts(const LinkCuts& cuts) { cuts_ = cuts; }
  const LinkCuts& cuts() const { return cuts_; }

  // Queues `m` sent at tick `now` (dropped, duplicated or delayed per the faults).
  void Send(raft::Message m, uint64_t now, common::Rng& rng);
  // Removes and returns the messages due at or before `now`, in (tick, send order), keeping
  // only those whose link is not cut. The caller drops those whose target is down.
  std::vector<raft::Message> TakeDue(uint64_t now);
  size_t in_flight() const { return in_flight_; }

 private:
  MessageFaults faults_;
  LinkCuts cuts_;
  std::map<uint64_t, std::vector<raft::Message>> queue_;  // delivery tick -> messages
  size_t in_flight_ = 0;
};

}  // namespace refdb::sim

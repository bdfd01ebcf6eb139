// Connectivity: whether a Raft cluster under faults still has a majority that can elect a leader
// and commit, as a pure model, and the stretches of a history during which it had none.
//
// The model: n nodes (1..n); some are down (killed or paused); some directed links a -> b are cut
// (their packets are dropped). Raft has no forwarding: a leader needs a direct round trip
// (RequestVote or AppendEntries and its reply) with each member of a majority (§5.2 elections,
// §5.3 commits), so a link counts only when both of its directions are uncut, and a chain of
// links does not help. A majority exists when some live node v, together with the live nodes u
// for which both v -> u and u -> v are uncut, numbers more than n/2. So halves of an even cluster
// have none, halves of an odd one (the larger side) have one, a leader cut off alone leaves one
// to the rest, a kill of a majority leaves none, and a ring of 4 (each node sees its two
// neighbours) has one: each node sees itself and two others, 3 of 4.
//
// The history view: a fault is in force from when it is in force on every node
// (Fault::InForceIndex: its applied event; a kill of a majority leaves no majority only once its
// last target is down) to its healing (Fault::InForceUntilIndex:
// healing, else end, else never); failed faults (Fault::IsFailed) never count. The faults in
// force at one time are combined: kill and pause targets are down, the cuts of all are unioned.
// A no-majority interval starts when the fault that left no majority is in force and lasts until
// a majority exists again, which can only happen at the healing of one of its faults (removing a
// fault never removes a majority); with one set of faults that is the first of them to start
// healing. Faults that join an interval under way are named by it too.
//
// Pure functions of their arguments; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/run_history.h"

namespace checker {

// A cluster's state under faults.
struct Connectivity {
  int64_t nodes = 0;                          // the cluster size n
  std::set<int64_t> down;                     // killed or paused nodes
  std::set<std::pair<int64_t, int64_t>> cut;  // dropped directed links a -> b
};

// The nodes `node` has direct round trips with, itself included, sorted; empty when it is down.
std::vector<int64_t> RoundTripPeers(const Connectivity& connectivity, int64_t node);

// True when some live node has direct round trips with more than half of the cluster.
bool HasMajority(const Connectivity& connectivity);

// The live nodes in groups joined by chains of two-way links, each sorted, in order of their
// smallest node.
std::vector<std::vector<int64_t>> LiveGroups(const Connectivity& connectivity);

// The groups for a message: "[1,2] | [3,4], neither a majority", "[3] with [1,2] down, not a
// majority", "[1] | [2] | [3,4,5] with [6] down, none a majority".
std::string DescribeGroups(const Connectivity& connectivity);

// The state while `faults` are in force on `nodes` nodes: the targets of kill and pause are down,
// the cuts of all of them are unioned. Other faults (loss, clock) change neither.
Connectivity ConnectivityUnder(const std::vector<const Fault*>& faults, int64_t nodes);

// One stretch of a history without a majority.
struct NoMajorityInterval {
  int64_t start_index = 0;  // the effect of the fault that left no majority
  int64_t start_ns = 0;
  int64_t start_fault = 0;           // that fault's id
  std::optional<int64_t> end_index;  // the healing that restored a majority; absent: never
  std::optional<int64_t> end_ns;
  std::optional<int64_t> restored_by;     // the id of the fault whose healing restored it
  std::optional<int64_t> heal_end_index;  // that fault's end event; absent: it never ended
  std::optional<int64_t> heal_end_ns;
  std::vector<int64_t> faults;  // ids of the faults in force during it, in start order
  Connectivity at_start;        // the state it started with
};

// The no-majority intervals of a history's `faults` (RunHistory::faults) on `nodes` nodes,
// in order.
std::vector<NoMajorityInterval> NoMajorityIntervals(const std::vector<Fault>& faults,
                                                    int64_t nodes);

// The interval that covers event `index` (start_index <= index < end_index), or nullptr.
const NoMajorityInterval* IntervalAt(const std::vector<NoMajorityInterval>& intervals,
                                     int64_t index);

}  // namespace checker

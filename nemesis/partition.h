// Partition shapes as data. A Cut is a set of directed links (from, to) between nodes 1..n whose
// packets are dropped; every other pair of distinct nodes can talk. Shapes are pure functions of
// the cluster size (and a seeded Rng where the shape is random), so their properties are tested
// without a network; net_rules.h turns a Cut into iptables rules.
//
// Over TCP (gRPC) a one-way cut breaks the connection both ways, since acknowledgements are
// dropped too; the symmetric shapes below therefore cut both directions of every link they cut.
// Every function here is pure and thread-safe.
#pragma once

#include <set>
#include <vector>

#include "common/rng.h"
#include "common/status.h"

namespace nemesis {

struct Link {
  int from = 0;
  int to = 0;
  bool operator==(const Link&) const = default;
  bool operator<(const Link& other) const {
    return from != other.from ? from < other.from : to < other.to;
  }
};

using Cut = std::set<Link>;

// True when a packet from `from` reaches `to` directly (a node always reaches itself).
bool CanReach(const Cut& cut, int from, int to);

// The nodes `node` can exchange packets with in both directions, itself included, ascending.
std::vector<int> Sees(const Cut& cut, int n, int node);

// Both directions of every link between a node of `side_a` and a node of `side_b`.
Cut Separate(const std::vector<int>& side_a, const std::vector<int>& side_b);

// A random minority (n / 2 nodes, rounded down) cut from the majority; for even n, two exact
// halves. Requires n >= 2.
common::Result<Cut> Halves(int n, common::Rng& rng);

// `node` cut from every other node. Requires n >= 2 and 1 <= node <= n.
common::Result<Cut> IsolateNode(int n, int node);

// Majorities ring: the nodes sit on a ring and each sees the nodes within distance k of it, for
// the smallest k that makes that a majority. Every node sees a majority and no two nodes see the
// same one. Requires n >= 4 (with 3 nodes a symmetric ring cannot cut anything).
common::Result<Cut> Ring(int n);

// Two random halves cut from each other, joined by one random bridge node that sees both.
// Requires n >= 3.
common::Result<Cut> Bridge(int n, common::Rng& rng);

// The link a -> b, and b -> a too unless `one_way`. Requires a, b >= 1 and a != b.
common::Result<Cut> PullLink(int a, int b, bool one_way);

// 1..n shuffled with `rng` (Fisher-Yates).
std::vector<int> Shuffled(int n, common::Rng& rng);

}  // namespace nemesis

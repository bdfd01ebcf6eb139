#include "nemesis/partition.h"

#include <string>
#include <utility>

namespace nemesis {
namespace {

common::Status NeedNodes(int n, int at_least, const char* shape) {
  if (n >= at_least) return common::Status::Ok();
  return common::Status::InvalidArgument(std::string(shape) + ": needs at least " +
                                         std::to_string(at_least) + " nodes, the cluster has " +
                                         std::to_string(n));
}

// Distance between positions a and b on a ring of n.
int RingDistance(int a, int b, int n) {
  const int d = a > b ? a - b : b - a;
  return d < n - d ? d : n - d;
}

}  // namespace

bool CanReach(const Cut& cut, int from, int to) {
  return from == to || !cut.contains(Link{.from = from, .to = to});
}

std::vector<int> Sees(const Cut& cut, int n, int node) {
  std::vector<int> seen;
  for (int other = 1; other <= n; ++other) {
    if (CanReach(cut, node, other) && CanReach(cut, other, node)) seen.push_back(other);
  }
  return seen;
}

Cut Separate(const std::vector<int>& side_a, const std::vector<int>& side_b) {
  Cut cut;
  for (int a : side_a) {
    for (int b : side_b) {
      cut.insert({.from = a, .to = b});
      cut.insert({.from = b, .to = a});
    }
  }
  return cut;
}

std::vector<int> Shuffled(int n, common::Rng& rng) {
  std::vector<int> nodes;
  for (int i = 1; i <= n; ++i) nodes.push_back(i);
  for (int i = n - 1; i > 0; --i) {
    std::swap(nodes[i], nodes[rng.Uniform(static_cast<uint64_t>(i) + 1)]);
  }
  return nodes;
}

common::Result<Cut> Halves(int n, common::Rng& rng) {
  RETURN_IF_ERROR(NeedNodes(n, 2, "partition-halves"));
  const std::vector<int> nodes = Shuffled(n, rng);
  const auto middle = nodes.begin() + n / 2;
  return Separate({nodes.begin(), middle}, {middle, nodes.end()});
}

common::Result<Cut> IsolateNode(int n, int node) {
  RETURN_IF_ERROR(NeedNodes(n, 2, "isolate node"));
  if (node < 1 || node > n) {
    return common::Status::InvalidArgument("isolate node " + std::to_string(node) +
                                           ": nodes are 1.." + std::to_string(n));
  }
  std::vector<int> others;
  for (int i = 1; i <= n; ++i) {
    if (i != node) others.push_back(i);
  }
  return Separate({node}, others);
}

common::Result<Cut> Ring(int n) {
  RETURN_IF_ERROR(NeedNodes(n, 4, "partition-ring"));
  const int majority = n / 2 + 1;
  int k = 0;
  while (2 * k + 1 < majority) ++k;
  Cut cut;
  for (int a = 1; a <= n; ++a) {
    for (int b = 1; b <= n; ++b) {
      if (a != b && RingDistance(a - 1, b - 1, n) > k) cut.insert({.from = a, .to = b});
    }
  }
  return cut;
}

common::Result<Cut> Bridge(int n, common::Rng& rng) {
  RETURN_IF_ERROR(NeedNodes(n, 3, "partition-bridge"));
  const std::vector<int> nodes = Shuffled(n, rng);
  // nodes[0] is the bridge; the rest split in two halves.
  const auto middle = nodes.begin() + 1 + (n - 1) / 2;
  return Separate({nodes.begin() + 1, middle}, {middle, nodes.end()});
}

common::Result<Cut> PullLink(int a, int b, bool one_way) {
  if (a < 1 || b < 1 || a == b) {
    return common::Status::InvalidArgument("link " + std::to_string(a) + "-" + std::to_string(b) +
                                           ": needs two different nodes numbered from 1");
  }
  Cut cut{{.from = a, .to = b}};
  if (!one_way) cut.insert({.from = b, .to = a});
  return cut;
}

}  // namespace nemesis

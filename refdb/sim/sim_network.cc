#include "refdb/sim/sim_network.h"

#include <algorithm>
#include <numeric>

#include "common/check.h"

namespace refdb::sim {
namespace {

std::vector<NodeId> Shuffled(size_t n, common::Rng& rng) {
  std::vector<NodeId> ids(n);
  std::iota(ids.begin(), ids.end(), NodeId{1});
  for (size_t i = n; i > 1; --i) std::swap(ids[i - 1], ids[rng.Uniform(i)]);
  return ids;
}

}  // namespace

void LinkCuts::Cut(NodeId a, NodeId b) {
  CHECK(a < kMaxNodes && b < kMaxNodes) << "link " << a << "-" << b << " out of range";
  bits_ |= uint64_t{1} << Bit(a, b);
  bits_ |= uint64_t{1} << Bit(b, a);
}

std::string LinkCuts::Describe() const {
  std::string text;
  for (NodeId a = 1; a < kMaxNodes; ++a) {
    for (NodeId b = a + 1; b < kMaxNodes; ++b) {
      if (IsCut(a, b))
        text += (text.empty() ? "" : " ") + std::to_string(a) + "-" + std::to_string(b);
    }
  }
  return text.empty() ? "none" : text;
}

LinkCuts PartitionHalves(size_t n, common::Rng& rng) {
  const std::vector<NodeId> ids = Shuffled(n, rng);
  LinkCuts cuts;
  const size_t half = n / 2;
  for (size_t i = 0; i < half; ++i) {
    for (size_t j = half; j < n; ++j) cuts.Cut(ids[i], ids[j]);
  }
  return cuts;
}

LinkCuts PartitionIsolate(size_t n, NodeId node) {
  LinkCuts cuts;
  for (NodeId other = 1; other <= n; ++other) {
    if (other != node) cuts.Cut(node, other);
  }
  return cuts;
}

LinkCuts PartitionMajoritiesRing(size_t n, common::Rng& rng) {
  const std::vector<NodeId> ring = Shuffled(n, rng);
  const size_t majority = n / 2 + 1;
  const size_t distance = majority / 2;  // a node sees 2 * distance + 1 >= majority nodes
  LinkCuts cuts;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (std::min(j - i, n - (j - i)) > distance) cuts.Cut(ring[i], ring[j]);
    }
  }
  return cuts;
}

void SimNetwork::Send(raft::Message m, uint64_t now, common::Rng& rng) {
  if (faults_.drop_percent > 0 && rng.Chance(faults_.drop_percent, 100)) return;
  const bool duplicate =
      faults_.duplicate_percent > 0 && rng.Chance(faults_.duplicate_percent, 100);
  const uint64_t max_delay = std::max<uint64_t>(faults_.delay_ticks_max, 1);
  if (duplicate) {
    queue_[now + 1 + rng.Uniform(max_delay)].push_back(m);
    ++in_flight_;
  }
  queue_[now + 1 + rng.Uniform(max_delay)].push_back(std::move(m));
  ++in_flight_;
}

std::vector<raft::Message> SimNetwork::TakeDue(uint64_t now) {
  std::vector<raft::Message> due;
  while (!queue_.empty() && queue_.begin()->first <= now) {
    for (raft::Message& m : queue_.begin()->second) {
      --in_flight_;
      if (!cuts_.IsCut(m.from, m.to)) due.push_back(std::move(m));
    }
    queue_.erase(queue_.begin());
  }
  return due;
}

}  // namespace refdb::sim

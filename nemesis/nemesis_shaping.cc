// Shaping faults (delay, reorder, duplicate, bandwidth, loss with a correlation): a packet holder
// on every node that sends over a shaped link, and one NFQUEUE rule per link at its sender.
// Holders start before the rules go in and stop after they come out, so no packet is queued
// to a queue nobody reads (and --queue-bypass lets packets through if one dies anyway).
#include <algorithm>
#include <future>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "nemesis/nemesis.h"

namespace nemesis {
namespace {

// The nodes that send over a link of `cut`, ascending.
std::vector<int> Senders(const Cut& cut) {
  std::set<int> nodes;
  for (const Link& link : cut) nodes.insert(link.from);
  return {nodes.begin(), nodes.end()};
}

std::string Node(int node) { return "node " + std::to_string(node); }

}  // namespace

common::Status Nemesis::ApplyShaping(Active& active) {
  const std::vector<int> senders = Senders(active.plan.cut);
  auto stop_first = [&](size_t count) REQUIRES(mutex_) {
    for (size_t j = 0; j < count; ++j) {
      common::Status stopped = control_.StopShaper(senders[j], active.queue);
      if (!stopped.ok()) std::cerr << "nemesis: " << stopped.message() << "\n";
    }
  };
  for (size_t i = 0; i < senders.size(); ++i) {
    common::Status started =
        control_.StartShaper(senders[i], active.queue, active.plan.shape, rng_.Next());
    if (!started.ok()) {
      stop_first(i);
      return started.WithContext("start the packet holder of " + Node(senders[i]));
    }
  }
  auto applied = rules_.Apply(active.rules);
  if (!applied.ok()) {
    stop_first(senders.size());
    return applied.status();
  }
  active.rules_id = *applied;
  return common::Status::Ok();
}

common::Status Nemesis::UndoShaping(const Active& active) {
  common::Status first = rules_.Remove(active.rules_id);
  for (int node : Senders(active.plan.cut)) {
    common::Status stopped = control_.StopShaper(node, active.queue);
    if (first.ok() && !stopped.ok())
      first = stopped.WithContext("stop the holder of " + Node(node));
  }
  return first;
}

void Nemesis::VerifyShaping(const Active& active, const AddProbe& add) {
  auto down = [this](int node)
                  REQUIRES(mutex_) { return kills_.contains(node) && kills_.at(node) > 0; };
  const std::vector<int> senders = Senders(active.plan.cut);
  auto missing = rules_.Missing(active.rules);
  for (int node : senders) {
    if (down(node)) continue;  // a container that is down has no namespace to look in
    const auto lacks = missing.ok()
                           ? std::count_if(missing->begin(), missing->end(),
                                           [node](const Rule& r) { return r.node == node; })
                           : 0;
    add("rules", node, 0, missing.ok() && lacks == 0,
        missing.ok() ? std::to_string(lacks) + " of its shaping rules are not in its chain"
                     : missing.status().message());
    add("holder", node, 0, control_.ShaperRunning(node, active.queue),
        "its packet holder is not running");
  }
  // A delay shows in how long a connect over a shaped link takes to be answered: its SYN waits
  // at least the delay less the jitter. One link per sender, between nodes that are up and that
  // no cut separates.
  const Shape& shape = active.plan.shape;
  const double floor_ms = shape.delay_ms - shape.jitter_ms;
  if (floor_ms < 5) return;
  Cut cut;
  for (const auto& [id, other] : active_) {
    if (!IsShaped(other.plan)) cut.insert(other.plan.cut.begin(), other.plan.cut.end());
  }
  const auto timeout = std::chrono::milliseconds(
      static_cast<int64_t>(2 * (shape.delay_ms + shape.jitter_ms)) + 1000);
  struct Probe {
    Link link;
    std::future<common::Result<std::optional<double>>> took;
  };
  std::vector<Probe> probes;
  for (const Link& link : active.plan.cut) {
    if (down(link.from) || down(link.to) || cut.contains(link) ||
        cut.contains({.from = link.to, .to = link.from})) {
      continue;
    }
    if (!probes.empty() && probes.back().link.from == link.from) continue;  // one per sender
    probes.push_back({link, std::async(std::launch::async, [this, link, timeout] {
                        return control_.ConnectMs(link.from, link.to, timeout);
                      })});
  }
  for (Probe& probe : probes) {
    const auto took = probe.took.get();
    const bool ok = took.ok() && took->has_value() && **took >= floor_ms * 0.9;
    std::string seen = !took.ok() ? took.status().message()
                       : !took->has_value()
                           ? "no answer within " + std::to_string(timeout.count()) + " ms"
                           : "answered in " + std::to_string(**took) + " ms, under the delay";
    add("delay", probe.link.from, probe.link.to, ok, seen);
  }
}

}  // namespace nemesis

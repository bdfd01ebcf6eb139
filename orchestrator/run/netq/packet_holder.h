// PacketHolder: the userspace half of a network-shaping fault, run by `splitbrain-netq` inside a
// node's network namespace. It binds NFQUEUE queue `queue` (the fault's iptables rules send the
// node's packets for the shaped links there), decides each packet's fate with a PacketSchedule,
// holds it until its release time and then hands it back to the kernel with NF_REPEAT and the
// mark bit `mark_bit` set: the packet walks the node's rules again, skips every shaping rule
// (they match only packets without the bit) and meets whatever else is in force (a cut still
// drops it). A duplicate is a copy of the packet sent through a raw socket whose packets carry
// the bit too.
//
// Packets queued while no holder listens pass (the rules use --queue-bypass), so a dead holder
// never blackholes a node; Run releases everything it holds before it returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "nemesis/shape.h"

namespace netq {

struct HolderOptions {
  int queue = 0;          // 0..65535
  uint32_t mark_bit = 0;  // a single bit
  nemesis::Shape shape;
  uint64_t seed = 0;
  std::string ready_file;  // written once the queue is bound (empty: none)
};

// What the holder did, printed as one JSON line when it stops.
struct HolderStats {
  uint64_t received = 0;
  uint64_t released = 0;
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t overflows = 0;   // times the kernel dropped queue messages (socket buffer full)
  int64_t late_p50_us = 0;  // how long after its release time a packet was released
  int64_t late_p99_us = 0;
  int64_t late_max_us = 0;
};

std::string StatsJson(const HolderStats& stats);

class PacketHolder {
 public:
  static common::Result<std::unique_ptr<PacketHolder>> Open(const HolderOptions& options);
  virtual ~PacketHolder() = default;
  // Holds and releases packets until `stop_fd` (e.g. a signalfd) is readable.
  virtual common::Result<HolderStats> Run(int stop_fd) = 0;
};

}  // namespace netq

// PacketSchedule: the pure part of the packet holder. For each packet a node sends over a shaped
// link, in arrival order, it decides whether to drop it, whether to send it twice, and when to
// release it, as nemesis::Shape says (shape.h has the semantics). Seeded, so a run's decisions
// replay; no clock of its own (the caller passes arrival times), so tests drive it directly.
//
// Rate: the link is a server of `rate_kbit` kbit/s: a packet starts its transmission when its
// delay is over and the packets released before it are through, and is released when its last
// bit is out; so a burst over the rate queues instead of being dropped.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/rng.h"
#include "nemesis/shape.h"

namespace netq {

struct Decision {
  bool drop = false;
  bool duplicate = false;
  int64_t release_ns = 0;  // when the packet (and its copy) may leave; meaningless when dropped
};

class PacketSchedule {
 public:
  PacketSchedule(const nemesis::Shape& shape, uint64_t seed) : shape_(shape), rng_(seed) {}

  Decision Decide(int64_t arrival_ns, size_t bytes);

 private:
  nemesis::Shape shape_;
  common::Rng rng_;
  bool last_dropped_ = false;
  int64_t link_free_ns_ = 0;  // when the rate-limited link has sent what it was given
};

}  // namespace netq

// Shape: what a network-shaping fault does to the packets of a link, the way netem would (the
// kernel here has no netem): each packet is held for `delay_ms` plus a uniform draw in
// [-jitter_ms, +jitter_ms] (so jitter reorders), dropped with probability `loss` (each drop
// making the next one likelier by `loss_correlation`: P(drop) = c * last + (1 - c) * loss, so
// the long-run rate stays `loss` but losses come in bursts), sent twice with probability
// `duplicate`, and released no faster than `rate_kbit` kbit/s (0: no limit).
//
// The orchestrator's packet holder (orchestrator/run/netq) applies a Shape to the packets a node
// sends over the links a fault names; the nemesis only plans and records it.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace nemesis {

// The mark bit the packet holder sets on every packet it releases (and on its duplicates):
// shaping rules match only packets without it, so a released packet is not queued again.
inline constexpr uint32_t kShapedMark = 0x20000000;

struct Shape {
  double delay_ms = 0;
  double jitter_ms = 0;
  double loss = 0;
  double loss_correlation = 0;
  double duplicate = 0;
  double rate_kbit = 0;
  bool operator==(const Shape&) const = default;
};

// InvalidArgument naming the field when a value is out of range (delays 0..60000 ms, jitter
// no more than 60000 ms, probabilities in [0, 1], rate >= 0) or when the shape does nothing.
common::Status ValidateShape(const Shape& shape);

// "delay 100ms jitter 10ms loss 20% (correlation 50%) duplicate 5% rate 1000kbit": the parts
// that are set, for logs and the report.
std::string DescribeShape(const Shape& shape);

}  // namespace nemesis

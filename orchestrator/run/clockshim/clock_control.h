// The control block of a node's monotonic clock: a 64-byte file (ctl/monotonic in the node's
// dir) that the harness maps and writes and every process of the node maps and reads through
// libsplitbrain-clock.so (clock_shim.cc). The node's monotonic clock is
//
//   fake(t) = anchor_fake_ns + (t - anchor_real_ns) * rate      (t: the real CLOCK_MONOTONIC)
//
// and a new rate is set at real time R with anchor_real_ns = R, anchor_fake_ns = fake(R), so the
// clock never jumps and never runs backwards. CLOCK_MONOTONIC is one clock for the whole machine
// (no time namespaces here), so the harness and every node agree on t.
//
// A seqlock: the writer makes `sequence` odd, writes, makes it even; a reader retries while it is
// odd or changed under it. Header-only; no allocation, no libstdc++ beyond <atomic>, so the shim
// can use it in any process.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>

namespace orchestrator::clockshim {

inline constexpr uint64_t kControlMagic = 0x6b636f6c63627300;  // "\0sbclock" little-endian
inline constexpr const char* kControlFile = "monotonic";
inline constexpr const char* kControlEnv = "SPLITBRAIN_CLOCK_FILE";

struct ControlBlock {
  std::atomic<uint64_t> sequence;
  std::atomic<uint64_t> magic;
  std::atomic<int64_t> anchor_real_ns;
  std::atomic<int64_t> anchor_fake_ns;
  std::atomic<uint64_t> rate_bits;  // the rate, a double's bits
  uint64_t reserved[3];
};
static_assert(sizeof(ControlBlock) == 64);

struct ClockModel {
  int64_t anchor_real_ns = 0;
  int64_t anchor_fake_ns = 0;
  double rate = 1;

  int64_t Fake(int64_t real_ns) const {
    return anchor_fake_ns +
           static_cast<int64_t>(static_cast<double>(real_ns - anchor_real_ns) * rate);
  }
  // The real time at which the fake clock reads `fake_ns` (rate > 0).
  int64_t Real(int64_t fake_ns) const {
    return anchor_real_ns +
           static_cast<int64_t>(static_cast<double>(fake_ns - anchor_fake_ns) / rate);
  }
};

inline double RateOf(uint64_t bits) {
  double rate;
  std::memcpy(&rate, &bits, sizeof rate);
  return rate;
}

inline uint64_t BitsOf(double rate) {
  uint64_t bits;
  std::memcpy(&bits, &rate, sizeof bits);
  return bits;
}

// A consistent read; false when the block is not (yet) a control block.
inline bool ReadControl(const ControlBlock& block, ClockModel* model) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint64_t before = block.sequence.load(std::memory_order_acquire);
    if (before % 2 != 0) continue;
    const uint64_t magic = block.magic.load(std::memory_order_relaxed);
    ClockModel read{block.anchor_real_ns.load(std::memory_order_relaxed),
                    block.anchor_fake_ns.load(std::memory_order_relaxed),
                    RateOf(block.rate_bits.load(std::memory_order_relaxed))};
    std::atomic_thread_fence(std::memory_order_acquire);
    if (block.sequence.load(std::memory_order_relaxed) != before) continue;
    if (magic != kControlMagic || !(read.rate > 0)) return false;
    *model = read;
    return true;
  }
  return false;
}

// One writer at a time (the harness holds its own lock).
inline void WriteControl(ControlBlock& block, const ClockModel& model) {
  const uint64_t sequence = block.sequence.load(std::memory_order_relaxed);
  block.sequence.store(sequence + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  block.anchor_real_ns.store(model.anchor_real_ns, std::memory_order_relaxed);
  block.anchor_fake_ns.store(model.anchor_fake_ns, std::memory_order_relaxed);
  block.rate_bits.store(BitsOf(model.rate), std::memory_order_relaxed);
  block.magic.store(kControlMagic, std::memory_order_relaxed);
  block.sequence.store(sequence + 2, std::memory_order_release);
}

}  // namespace orchestrator::clockshim

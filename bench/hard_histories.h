// Hard single-register histories with a known answer, the case that makes linearizability
// checking exponential: k clients on one key, a fraction of the writes and CASes crashed
// (invoked, never answered: each took effect or not at random), and reads that do or do not see
// them. Seeded: the same options give the same history.
//
// How the answer is known:
// - linearizable: every operation takes effect at a point inside its interval, in the order of
//   those points, and each answer is what the register held at that point (a crashed operation
//   that took effect did so at a point after its call, possibly after the last answer).
// - not linearizable: the same history with one read changed to return the value of a write W1
//   although a later write W2 (called after W1 answered) answered before the read was called.
//   Every write and CAS writes a value no other operation writes, so no order puts that value
//   back in the register before the read: the read is provably stale.
//
// Written as a Porcupine etcd log (`../shared/histories/README.md`, Format 1: read, write and
// cas on one register; crashed operations as `:info ... :timed-out` lines), so that other
// checkers can be timed on the same files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct HardHistoryOptions {
  int clients = 10;          // k: operations in flight at once
  int operations = 800;      // invocations in all
  double crashed = 0.1;      // fraction of writes and CASes that never answer
  bool linearizable = true;  // false: one provably stale read
  uint64_t seed = 1;
};

enum class HardOpKind { kRead, kWrite, kCas };

struct HardOp {
  int process = 0;  // Jepsen process: a crashed client comes back under a new number
  HardOpKind kind = HardOpKind::kRead;
  int64_t value = 0;     // write: the value; cas: the new value
  int64_t expected = 0;  // cas: the compared value
  int64_t call = 0;      // times, in ticks
  int64_t point = 0;     // when it took effect
  int64_t ret = 0;       // when it answered; unused when crashed
  bool crashed = false;
  bool applied = true;  // a crashed op: did it take effect
  bool ok = true;       // cas: did the compare match
  bool read_nil = false;
  int64_t read_value = 0;  // read: what it returned (when not nil)
};

struct HardHistory {
  HardHistoryOptions options;
  std::vector<HardOp> ops;
  int crashed = 0;      // crashed writes and CASes
  int stale_read = -1;  // index of the changed read (not linearizable), else -1
};

// Empty ops when no stale read can be placed (too few operations); never otherwise.
HardHistory GenerateHardHistory(const HardHistoryOptions& options);

// The history as a Porcupine etcd (Jepsen) log, events in time order.
std::string ToPorcupineEtcdLog(const HardHistory& history);

}  // namespace bench

// NetqLink: a real link to shape, for the packet holder's test and benchmark: two network
// namespaces (sbq<pid><tag>a and ...b) joined by a veth pair (10.251.<k>.1 and .2, a private
// range inside namespaces this object creates), with namespace a's OUTPUT sending what goes
// to b to NFQUEUE queue 1 exactly as a shaping fault's rule does. RAII: the destructor stops the
// holder and deletes both namespaces (the veth pair goes with them). Needs root.
//
// Stream() sends UDP datagrams from a to b at a fixed interval and reports what arrived: each
// datagram's sequence number and one-way time (both ends read one CLOCK_MONOTONIC, so the time
// is exact), duplicates and reorderings included.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/process/child.h"
#include "common/status.h"
#include "nemesis/shape.h"

namespace netq {

struct Arrival {
  uint32_t seq = 0;
  double one_way_ms = 0;
  int64_t at_ns = 0;  // CLOCK_MONOTONIC
};

struct StreamResult {
  int sent = 0;
  std::vector<Arrival> arrivals;  // in arrival order
  int64_t first_sent_ns = 0;      // CLOCK_MONOTONIC
  int Lost() const;               // sequence numbers that never arrived
  int Duplicates() const;         // arrivals of a sequence number seen before
  int Reordered() const;          // arrivals below the highest sequence number seen before
  std::vector<double> OneWayMs() const;
};

class NetqLink {
 public:
  // `holder`: the splitbrain-netq binary. `tag` keeps two links of one process apart (0..250).
  static common::Result<std::unique_ptr<NetqLink>> Create(std::filesystem::path holder, int tag);
  NetqLink(const NetqLink&) = delete;
  NetqLink& operator=(const NetqLink&) = delete;
  ~NetqLink();

  // Starts the holder with `shape` (stops the one before); waits until its queue is bound.
  common::Status Shape(const nemesis::Shape& shape, uint64_t seed = 1);
  // Stops the holder: packets pass unshaped (the rule bypasses a queue nobody reads). Returns
  // its last line (its counters).
  common::Result<std::string> Unshape();
  // The holder's process id (0 when none): the benchmark reads its CPU time.
  int holder_pid() const { return holder_.pid() > 0 ? holder_.pid() : 0; }

  // Sends `count` datagrams of `bytes` bytes (>= 16), one every `interval`, and waits
  // `drain` after the last for stragglers.
  common::Result<StreamResult> Stream(int count, std::chrono::microseconds interval, int bytes,
                                      std::chrono::milliseconds drain);

 private:
  NetqLink(std::filesystem::path holder, std::string name, int tag)
      : holder_binary_(std::move(holder)), name_(std::move(name)), tag_(tag) {}
  std::string Ns(char side) const { return name_ + side; }
  std::string Ip(int host) const;
  common::Status Setup();

  std::filesystem::path holder_binary_;
  std::string name_;
  int tag_;
  std::vector<std::string> created_;
  std::filesystem::path scratch_;
  common::process::Child holder_;
};

}  // namespace netq

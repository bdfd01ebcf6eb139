// The harness's side of a node's monotonic clock control block (clock_control.h): creates the
// file, keeps it mapped and sets the rate. The harness runs on the real clock, so the anchors
// are read from its own CLOCK_MONOTONIC. Thread-compatible (NodeClocks holds its lock).
#pragma once

#include <filesystem>

#include "common/status.h"
#include "orchestrator/run/clockshim/clock_control.h"

namespace orchestrator::clockshim {

class ControlFile {
 public:
  // Creates (or reopens) `path` as a control block running at rate 1 from now.
  static common::Result<ControlFile> Create(const std::filesystem::path& path);
  ControlFile(ControlFile&& other) noexcept;
  ControlFile& operator=(ControlFile&& other) noexcept;
  ControlFile(const ControlFile&) = delete;
  ControlFile& operator=(const ControlFile&) = delete;
  ~ControlFile();

  // From now on the clock runs at `rate` (> 0), continuing from where it is: it never jumps.
  common::Status SetRate(double rate);
  // The node's monotonic clock now, and its rate.
  int64_t FakeNowNs() const;
  double rate() const;

 private:
  explicit ControlFile(ControlBlock* block) : block_(block) {}
  ControlBlock* block_ = nullptr;
};

// The real CLOCK_MONOTONIC in nanoseconds.
int64_t MonotonicNowNs();

}  // namespace orchestrator::clockshim

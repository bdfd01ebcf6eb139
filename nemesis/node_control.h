// NodeControl: the only way the nemesis touches a cluster. It names nodes 1..nodes() and can
// kill, start, pause and resume them, and tells where a node's network namespace is, so the
// nemesis never knows whether a node is a container or a plain namespace
// (orchestrator/nemesis_adapter.h implements it over a Backend; tests use a fake).
//
// Implementations must be safe to call from the nemesis thread while another thread uses the
// cluster (the run serialises backend calls under its own mutex).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "nemesis/disk_fault.h"

namespace nemesis {

// What a node's process is doing, as the cluster's backend sees it.
enum class NodeRunState { kRunning, kPaused, kStopped };

class NodeControl {
 public:
  virtual ~NodeControl() = default;

  virtual int nodes() const = 0;
  virtual common::Status Kill(int node) = 0;   // SIGKILL; a node already down is fine
  virtual common::Status Start(int node) = 0;  // restarts a killed node with its data
  virtual common::Status Pause(int node) = 0;  // freezes every process of the node
  virtual common::Status Resume(int node) = 0;

  // A path `nsenter --net=PATH` accepts. It may change when the node restarts (a container's
  // namespace does), so callers ask again for every use.
  virtual common::Result<std::string> NetnsPath(int node) = 0;
  // The node's address on the cluster network, as other nodes see it.
  virtual std::string NodeIp(int node) const = 0;

  // Sets `node`'s wall clock to run `offset_s` seconds away from the real one (0: the real
  // clock), without restarting it. Unavailable when the cluster was not started so that
  // its clocks can be moved.
  virtual common::Status SetClockOffset(int node, double offset_s) = 0;

  // Disk faults act through a layer under the node's data dir (the orchestrator's FUSE
  // layer); each is Unavailable when the cluster was started without it.
  // Sets the node's whole set of disk faults (DiskFaults{}: none).
  virtual common::Status SetDiskFaults(int node, const DiskFaults& faults) = 0;
  // Drops every write to the node's data dir that no fsync covered, as a machine crash does.
  // Requires: the node is stopped. Returns how many files it reverted.
  virtual common::Result<int> DropUnsyncedWrites(int node) = 0;
  // Writes, fsyncs and reads a probe file in the node's data dir: what a process sees there.
  virtual common::Result<DiskProbe> ProbeDisk(int node) = 0;

  // What `node`'s process is doing now: the nemesis checks that a kill left it stopped and a
  // pause left it frozen.
  virtual common::Result<NodeRunState> RunState(int node) = 0;
  // Whether a TCP connection attempt from inside `from`'s network namespace to `to`'s service
  // port gets an answer (accepted, or refused by a node whose process is down) within a short
  // deadline; false when the packets are dropped. The nemesis probes a cut with it.
  virtual common::Result<bool> CanConnect(int from, int to) = 0;

  virtual int CurrentLeader() = 0;     // the leader's node number; 0 when unknown
  virtual uint64_t CurrentTerm() = 0;  // the latest term seen; 0 when unknown
};

}  // namespace nemesis

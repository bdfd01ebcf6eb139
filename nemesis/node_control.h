// NodeControl: the only way the nemesis touches a cluster. It names nodes 1..nodes() and can
// kill, start, pause and resume them, and tells where a node's network namespace is, so the
// nemesis never knows whether a node is a container or a plain namespace
// (orchestrator/nemesis_adapter.h implements it over a Backend; tests use a fake).
//
// Implementations must be safe to call from the nemesis thread while another thread uses the
// cluster (the run serialises backend calls under its own mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "nemesis/disk_fault.h"
#include "nemesis/shape.h"

namespace nemesis {

// One voter of the database's configuration, as its membership API lists it.
struct Member {
  uint64_t id = 0;
  int node = 0;  // the node whose address its peer URL names; 0: none of this cluster's
  bool operator==(const Member&) const = default;
};

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
  // Runs `node`'s wall clock `rate` times as fast as the real one from now on (1: the real rate,
  // which also takes back what it drifted); an offset from SetClockOffset adds to it. Same
  // availability as SetClockOffset.
  virtual common::Status SetClockRate(int node, double rate) = 0;

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

  // Network shaping: starts the packet holder of NFQUEUE queue `queue` in `node`'s namespace,
  // shaping what the queue gets as `shape` says, seeded with `seed`; it returns once the queue is
  // bound. The packets it releases carry kShapedMark. The holder runs until StopShaper (which
  // releases what it holds); a node restarted by Start gets its holders again.
  virtual common::Status StartShaper(int node, int queue, const Shape& shape, uint64_t seed) = 0;
  virtual common::Status StopShaper(int node, int queue) = 0;
  // Whether the holder of `queue` on `node` runs now.
  virtual bool ShaperRunning(int node, int queue) = 0;
  // How long (ms) a TCP connect from `from`'s namespace to `to`'s service port took to be
  // answered; empty when nothing answered within `timeout`. The nemesis measures a delay by it.
  virtual common::Result<std::optional<double>> ConnectMs(int from, int to,
                                                          std::chrono::milliseconds timeout) = 0;

  // Membership, through etcd's Cluster API (which refdb serves too). Each is Unavailable by
  // default: a cluster whose database has no such API (the fault then fails and the run is
  // unknown). Implementations retry while the cluster is busy (no leader, a change pending).
  // The voters, as a live node lists them.
  virtual common::Result<std::vector<Member>> Members() {
    return common::Status::Unavailable("this cluster has no membership API");
  }
  // Removes voter `id` from the configuration.
  virtual common::Status RemoveMember(uint64_t id) {
    return common::Status::Unavailable("this cluster has no membership API (remove " +
                                       std::to_string(id) + ")");
  }
  // Stops `node` and deletes its data dir.
  virtual common::Status Wipe(int node) {
    return common::Status::Unavailable("this cluster cannot wipe node " + std::to_string(node));
  }
  // Adds stopped, wiped `node` as a new voter (a new id, which it returns); from then on Start
  // starts it as that member, joining the running cluster.
  virtual common::Result<uint64_t> AddMember(int node) {
    return common::Status::Unavailable("this cluster has no membership API (add node " +
                                       std::to_string(node) + ")");
  }

  virtual int CurrentLeader() = 0;     // the leader's node number; 0 when unknown
  virtual uint64_t CurrentTerm() = 0;  // the latest term seen; 0 when unknown
};

}  // namespace nemesis

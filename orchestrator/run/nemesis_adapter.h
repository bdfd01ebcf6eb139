// NemesisAdapter: nemesis::NodeControl over an orchestrator::Backend, so the nemesis acts on a
// docker or netns cluster without knowing which.
//
// The leader and term come from a callback (the run's status poller, or a test's own status
// queries). Start(i) restarts the node, starts its packet holders again (PacketHolders) and then
// calls the after-start hook, which the run sets
// to the Nemesis's NetRules::Reapply: a container's network namespace is new after a restart
// and has lost the node's active fault rules.
//
// Thread-safe when given the run's backend mutex: every backend call is made under it (the
// backend itself is not thread-safe). The hook runs outside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/mutex.h"
#include "nemesis/node_control.h"
#include "orchestrator/run/backend/backend.h"
#include "orchestrator/run/node_clock.h"
#include "orchestrator/run/node_disks.h"
#include "orchestrator/run/packet_holders.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

struct LeaderTerm {
  int leader = 0;  // node number; 0 when unknown
  uint64_t term = 0;
};

class NemesisAdapter : public nemesis::NodeControl {
 public:
  using LeaderTermFn = std::function<LeaderTerm()>;
  using AfterStartFn = std::function<common::Status(int node)>;

  // `backend` (and `backend_mutex` when given) must outlive the adapter; `backend` must be Up
  // with `nodes` nodes.
  NemesisAdapter(Backend& backend, int nodes, LeaderTermFn leader_term,
                 common::Mutex* backend_mutex = nullptr);

  // Typically: [&](int i) { return nemesis.net_rules().Reapply(i); }
  void set_after_start(AfterStartFn hook) { after_start_ = std::move(hook); }
  // Lets SetClockOffset work: the nodes were created with ClockEnvironment (node_clock.h), and
  // node i reads its offset from run_dir/nodes/n<i>/ctl.
  void enable_clock(const RunDir& run_dir) {
    clocks_ = std::make_unique<NodeClocks>([run_dir](int node) { return run_dir.node_ctl(node); });
  }
  // Lets StartShaper work: the packet holders (splitbrain-netq) of shaping faults.
  void enable_shaping(PacketHoldersOptions options) {
    holders_ = std::make_unique<PacketHolders>(std::move(options));
  }
  // Lets the disk faults work: every node's data dir is mounted through `disks` (which must
  // outlive the adapter).
  void enable_disks(NodeDisks* disks) { disks_ = disks; }
  // The port every node serves on (the database's client port): CanConnect probes it.
  void set_probe_port(int port) { probe_port_ = port; }

  int nodes() const override { return nodes_; }
  common::Status Kill(int node) override;
  common::Status Start(int node) override;
  common::Status Pause(int node) override;
  common::Status Resume(int node) override;
  common::Status SetClockOffset(int node, double offset_s) override;
  common::Status SetClockRate(int node, double rate) override;
  common::Status SetDiskFaults(int node, const nemesis::DiskFaults& faults) override;
  // Refused while the node's process runs (its writes would race the revert).
  common::Result<int> DropUnsyncedWrites(int node) override;
  common::Result<nemesis::DiskProbe> ProbeDisk(int node) override;
  common::Result<std::string> NetnsPath(int node) override;
  common::Result<nemesis::NodeRunState> RunState(int node) override;
  // A TCP connect (netns_probe.h) from `from`'s namespace to `to`'s probe port, 250 ms deadline.
  common::Result<bool> CanConnect(int from, int to) override;
  common::Result<std::optional<double>> ConnectMs(int from, int to,
                                                  std::chrono::milliseconds timeout) override;
  common::Status StartShaper(int node, int queue, const nemesis::Shape& shape,
                             uint64_t seed) override;
  common::Status StopShaper(int node, int queue) override;
  bool ShaperRunning(int node, int queue) override;
  std::string NodeIp(int node) const override;
  int CurrentLeader() override;
  uint64_t CurrentTerm() override;

 private:
  template <typename Call>
  auto Locked(Call call) const;
  common::Status CheckClock(int node) const;

  Backend& backend_;
  const int nodes_;
  LeaderTermFn leader_term_;
  common::Mutex* backend_mutex_;
  AfterStartFn after_start_;
  std::unique_ptr<NodeClocks> clocks_;      // absent: clock faults are refused
  int probe_port_ = 0;                      // 0: CanConnect is an error
  std::unique_ptr<PacketHolders> holders_;  // absent: shaping faults are refused
  NodeDisks* disks_ = nullptr;              // absent: disk faults are refused
};

}  // namespace orchestrator

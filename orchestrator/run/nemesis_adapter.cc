#include "orchestrator/run/nemesis_adapter.h"

#include <chrono>
#include <utility>

#include "orchestrator/run/netns_probe.h"
#include "orchestrator/run/node_clock.h"

namespace orchestrator {

NemesisAdapter::NemesisAdapter(Backend& backend, int nodes, LeaderTermFn leader_term,
                               common::Mutex* backend_mutex)
    : backend_(backend),
      nodes_(nodes),
      leader_term_(std::move(leader_term)),
      backend_mutex_(backend_mutex) {}

template <typename Call>
auto NemesisAdapter::Locked(Call call) const {
  if (backend_mutex_ == nullptr) return call();
  common::MutexLock lock(*backend_mutex_);
  return call();
}

common::Status NemesisAdapter::Kill(int node) {
  return Locked([&] { return backend_.KillNode(node); });
}

common::Status NemesisAdapter::Start(int node) {
  RETURN_IF_ERROR(Locked([&] { return backend_.StartNode(node); }));
  if (holders_ != nullptr) {
    ASSIGN_OR_RETURN(const std::string path, NetnsPath(node));
    RETURN_IF_ERROR(holders_->Restart(node, path));
  }
  if (!after_start_) return common::Status::Ok();
  return after_start_(node).WithContext("re-apply the network faults of node " +
                                        std::to_string(node));
}

common::Status NemesisAdapter::Pause(int node) {
  return Locked([&] { return backend_.PauseNode(node); });
}

common::Status NemesisAdapter::Resume(int node) {
  return Locked([&] { return backend_.ResumeNode(node); });
}

common::Status NemesisAdapter::CheckClock(int node) const {
  if (clocks_ == nullptr) {
    return common::Status::Unavailable(
        "the nodes were not started under libfaketime: name clock or clock-rate in --nemesis or "
        "in the --schedule file");
  }
  if (node < 1 || node > nodes_) {
    return common::Status::InvalidArgument("clock: node " + std::to_string(node) + " not in 1.." +
                                           std::to_string(nodes_));
  }
  return common::Status::Ok();
}

common::Status NemesisAdapter::SetClockOffset(int node, double offset_s) {
  RETURN_IF_ERROR(CheckClock(node));
  return clocks_->SetOffset(node, offset_s);
}

common::Status NemesisAdapter::SetClockRate(int node, double rate) {
  RETURN_IF_ERROR(CheckClock(node));
  return clocks_->SetRate(node, rate);
}

namespace {

common::Status NoDisks() {
  return common::Status::Unavailable(
      "the nodes' data dirs are not mounted through the disk layer: name the disk faults in "
      "--nemesis or in the --schedule file");
}

}  // namespace

common::Status NemesisAdapter::SetDiskFaults(int node, const nemesis::DiskFaults& faults) {
  if (disks_ == nullptr) return NoDisks();
  return disks_->Set(node, faults);
}

common::Result<int> NemesisAdapter::DropUnsyncedWrites(int node) {
  if (disks_ == nullptr) return NoDisks();
  if (Locked([&] { return backend_.IsRunning(node); })) {
    return common::Status::InvalidArgument("drop the unsynced writes of node " +
                                           std::to_string(node) + ": it still runs");
  }
  return disks_->Crash(node);
}

common::Result<nemesis::DiskProbe> NemesisAdapter::ProbeDisk(int node) {
  if (disks_ == nullptr) return NoDisks();
  return disks_->Probe(node);
}

common::Result<std::string> NemesisAdapter::NetnsPath(int node) {
  return Locked([&] { return backend_.NetnsPath(node); });
}

std::string NemesisAdapter::NodeIp(int node) const {
  return Locked([&] { return backend_.NodeIp(node); });
}

common::Result<nemesis::NodeRunState> NemesisAdapter::RunState(int node) {
  return Locked([&]() -> common::Result<nemesis::NodeRunState> {
    if (!backend_.IsRunning(node)) return nemesis::NodeRunState::kStopped;
    return backend_.IsPaused(node) ? nemesis::NodeRunState::kPaused
                                   : nemesis::NodeRunState::kRunning;
  });
}

common::Result<bool> NemesisAdapter::CanConnect(int from, int to) {
  if (probe_port_ <= 0) return common::Status::Internal("no probe port was set");
  ASSIGN_OR_RETURN(std::string path, NetnsPath(from));
  return TcpProbe(path, NodeIp(to), probe_port_, std::chrono::milliseconds(250));
}

common::Result<std::optional<double>> NemesisAdapter::ConnectMs(int from, int to,
                                                                std::chrono::milliseconds timeout) {
  if (probe_port_ <= 0) return common::Status::Internal("no probe port was set");
  ASSIGN_OR_RETURN(std::string path, NetnsPath(from));
  return TcpConnectMs(path, NodeIp(to), probe_port_, timeout);
}

common::Status NemesisAdapter::StartShaper(int node, int queue, const nemesis::Shape& shape,
                                           uint64_t seed) {
  if (holders_ == nullptr) {
    return common::Status::Unavailable("network shaping was not set up for this run");
  }
  // A node that is down (a stopped container) has no namespace: its holder starts with it.
  auto path = NetnsPath(node);
  auto state = path.ok() ? common::Result<nemesis::NodeRunState>(nemesis::NodeRunState::kRunning)
                         : RunState(node);
  if (!path.ok() && state.ok() && *state == nemesis::NodeRunState::kStopped) {
    return holders_->Start(node, queue, shape, seed, "");
  }
  if (!path.ok()) return path.status();
  return holders_->Start(node, queue, shape, seed, *path);
}

common::Status NemesisAdapter::StopShaper(int node, int queue) {
  return holders_ == nullptr ? common::Status::Ok() : holders_->Stop(node, queue);
}

bool NemesisAdapter::ShaperRunning(int node, int queue) {
  return holders_ != nullptr && holders_->Running(node, queue);
}

int NemesisAdapter::CurrentLeader() { return leader_term_ ? leader_term_().leader : 0; }

uint64_t NemesisAdapter::CurrentTerm() { return leader_term_ ? leader_term_().term : 0; }

}  // namespace orchestrator

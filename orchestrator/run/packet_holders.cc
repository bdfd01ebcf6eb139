#include "orchestrator/run/packet_holders.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "workloads/db.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using common::Status;

constexpr auto kReadyWait = std::chrono::seconds(3);
constexpr auto kStopGrace = std::chrono::seconds(2);

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::vector<std::string> HolderArgv(const fs::path& binary, int queue, const nemesis::Shape& shape,
                                    uint64_t seed, const fs::path& ready) {
  char mark[16];
  std::snprintf(mark, sizeof mark, "0x%x", nemesis::kShapedMark);
  return {binary.string(),
          "--queue",
          std::to_string(queue),
          "--mark-bit",
          mark,
          "--delay-ms",
          Number(shape.delay_ms),
          "--jitter-ms",
          Number(shape.jitter_ms),
          "--loss",
          Number(shape.loss),
          "--loss-correlation",
          Number(shape.loss_correlation),
          "--duplicate",
          Number(shape.duplicate),
          "--rate-kbit",
          Number(shape.rate_kbit),
          "--seed",
          std::to_string(seed),
          "--ready-file",
          ready.string()};
}

// The last few lines of a holder's log, for an error.
std::string LogTail(const fs::path& log) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
    tail += (tail.empty() ? "" : " | ") + lines[i];
  }
  return tail.empty() ? "no output" : tail;
}

}  // namespace

PacketHolders::~PacketHolders() {
  common::MutexLock lock(mutex_);
  holders_.clear();  // each Child stops its holder (SIGTERM, then SIGKILL after a grace)
}

common::Result<common::process::Child> PacketHolders::Spawn(int node, int queue,
                                                            const Holder& holder,
                                                            const std::string& netns_path) {
  const fs::path dir = options_.log_dir(node);
  const std::string name = "netq-" + std::to_string(queue);
  const fs::path ready = dir / (name + ".ready");
  const fs::path log = dir / (name + ".log");
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::remove(ready, ec);
  ASSIGN_OR_RETURN(
      common::process::Child child,
      common::process::Child::Spawn(
          {.argv = HolderArgv(options_.binary, queue, holder.shape, holder.seed, ready),
           .env = {std::string(workloads::kRunIdVariable) + "=" + options_.run_id},
           .log_path = log,
           .netns_path = fs::path(netns_path)}));
  const auto deadline = std::chrono::steady_clock::now() + kReadyWait;
  while (!fs::exists(ready, ec)) {
    if (!child.IsRunning() || std::chrono::steady_clock::now() > deadline) {
      (void)child.Kill();  // how it ended is in its log, which the error quotes
      return Status::Unavailable("the packet holder of node " + std::to_string(node) + " (queue " +
                                 std::to_string(queue) +
                                 ") did not bind its queue: " + LogTail(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  fs::remove(ready, ec);
  return child;
}

Status PacketHolders::Start(int node, int queue, const nemesis::Shape& shape, uint64_t seed,
                            const std::string& netns_path) {
  common::MutexLock lock(mutex_);
  const auto key = std::make_pair(node, queue);
  if (holders_.contains(key)) {
    return Status::Internal("node " + std::to_string(node) + " already has a holder on queue " +
                            std::to_string(queue));
  }
  Holder holder{.shape = shape, .seed = seed, .child = {}};
  if (!netns_path.empty()) {
    ASSIGN_OR_RETURN(holder.child, Spawn(node, queue, holder, netns_path));
  }
  holders_.emplace(key, std::move(holder));
  return Status::Ok();
}

Status PacketHolders::Stop(int node, int queue) {
  common::MutexLock lock(mutex_);
  auto found = holders_.find({node, queue});
  if (found == holders_.end()) return Status::Ok();
  Holder holder = std::move(found->second);
  holders_.erase(found);
  if (holder.child.pid() <= 0) return Status::Ok();
  auto stopped = holder.child.Stop(kStopGrace);
  if (!stopped.ok()) return stopped.status();
  return Status::Ok();
}

bool PacketHolders::Running(int node, int queue) {
  common::MutexLock lock(mutex_);
  auto found = holders_.find({node, queue});
  return found != holders_.end() && found->second.child.IsRunning();
}

Status PacketHolders::Restart(int node, const std::string& netns_path) {
  common::MutexLock lock(mutex_);
  Status first;
  for (auto& [key, holder] : holders_) {
    if (key.first != node) continue;
    if (holder.child.pid() > 0) (void)holder.child.Kill();  // its namespace is gone
    auto child = Spawn(node, key.second, holder, netns_path);
    if (child.ok()) {
      holder.child = std::move(*child);
    } else if (first.ok()) {
      first = child.status();
    }
  }
  return first;
}

}  // namespace orchestrator

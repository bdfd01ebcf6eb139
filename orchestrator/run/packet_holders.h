// PacketHolders: the `splitbrain-netq` processes of a run's shaping faults (netq/packet_holder.h),
// one per (node, queue), each inside its node's network namespace. RAII: every holder is
// stopped (SIGTERM: it releases what it holds, then exits) when its fault ends, and the
// destructor stops any left. Each carries workloads::kRunIdVariable=<run id> in its environment,
// so `splitbrain cleanup` finds it after a crash, and logs to nodes/n<i>/netq-<queue>.log, whose
// last line is the holder's counters (received, released, dropped, duplicated, lateness).
//
// A container's namespace is new after a restart: Restart(node, path) starts the node's holders
// again inside it. A node whose namespace cannot be found while it is down gets its holder when
// it restarts. Thread-safe (one mutex).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/mutex.h"
#include "common/process/child.h"
#include "common/status.h"
#include "nemesis/shape.h"

namespace orchestrator {

struct PacketHoldersOptions {
  std::filesystem::path binary;  // splitbrain-netq
  std::string run_id;
  std::function<std::filesystem::path(int node)> log_dir;  // where node's holder logs go
};

class PacketHolders {
 public:
  explicit PacketHolders(PacketHoldersOptions options) : options_(std::move(options)) {}
  PacketHolders(const PacketHolders&) = delete;
  PacketHolders& operator=(const PacketHolders&) = delete;
  ~PacketHolders();

  // Starts the holder and waits (up to 3 s) until its queue is bound. `netns_path` empty: the
  // node is down and has no namespace; the holder starts with the node (Restart).
  common::Status Start(int node, int queue, const nemesis::Shape& shape, uint64_t seed,
                       const std::string& netns_path);
  common::Status Stop(int node, int queue);
  bool Running(int node, int queue);
  // Starts `node`'s holders again inside `netns_path` (its namespace after a restart).
  common::Status Restart(int node, const std::string& netns_path);

 private:
  struct Holder {
    nemesis::Shape shape;
    uint64_t seed = 0;
    common::process::Child child;
  };
  common::Result<common::process::Child> Spawn(int node, int queue, const Holder& holder,
                                               const std::string& netns_path);

  PacketHoldersOptions options_;
  common::Mutex mutex_;
  std::map<std::pair<int, int>, Holder> holders_ GUARDED_BY(mutex_);
};

}  // namespace orchestrator

// ClusterSession: one run's cluster, from the run folder to teardown, as an RAII object. Open
// creates the run's identity and resources (run id, registration for `splitbrain cleanup`,
// backend choice, libfaketime when the plan moves clocks, spec.json); BringUp starts the
// backend, mounts every node's data dir through the disk layer when the plan has disk faults
// (node_disks.h), and starts every node and waits until the cluster elected a leader and
// acknowledged a write; CollectLogs copies node output and node event logs into the run folder;
// Down removes everything the backend made. The destructor tears down what is still up, so an
// error, an exception or Ctrl-C tears down the same way a normal end does.
//
// `phase` names what the session is doing, for the error line of a failed run; after Ctrl-C it
// stays what the run was doing when the signal came (the heal and teardown that follow are not
// what failed). Not
// thread-safe: the run's thread drives it; the nemesis reaches the backend through
// NemesisAdapter under backend_mutex().
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "orchestrator/run/backend/backend.h"
#include "orchestrator/run/interrupts.h"
#include "orchestrator/run/node_disks.h"
#include "orchestrator/run/plan.h"
#include "orchestrator/run/run_certificates.h"
#include "orchestrator/run/run_registry.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

class ClusterSession {
 public:
  ClusterSession(const RunPlan& plan, const InterruptWatcher& interrupts)
      : plan_(plan), interrupts_(interrupts) {}
  ClusterSession(const ClusterSession&) = delete;
  ClusterSession& operator=(const ClusterSession&) = delete;
  ~ClusterSession();

  // The run folder (STORE/<name>/<timestamp>/, STORE/latest at it), the registration, the
  // backend, libfaketime, and spec.json.
  common::Status Open();
  // Backend up, nodes created and started, a leader that acknowledged a write. Progress to `out`.
  common::Status BringUp(std::ostream& out);
  // Each node's output into its node.log and, for a database that keeps one, its event log
  // into nodes/n<i>/events.jsonl.
  common::Status CollectLogs();
  // Removes the cluster; idempotent. Progress to `out`, the cleanup hint to `err`.
  common::Status Down(std::ostream& out, std::ostream& err);

  const std::string& run_id() const { return run_id_; }
  const std::optional<RunDir>& run_dir() const { return run_dir_; }
  const std::string& phase() const { return phase_; }
  void set_phase(std::string phase) {
    if (!interrupts_.interrupted()) phase_ = std::move(phase);
  }
  Backend* backend() { return backend_.get(); }
  const Backend* backend() const { return backend_.get(); }
  common::Mutex& backend_mutex() { return backend_mutex_; }
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  bool moves_clocks() const { return !libfaketime_.empty(); }
  // The nodes' disk layer; null unless the plan has disk faults.
  NodeDisks* disks() { return disks_.get(); }
  // spec.json as written (the spec with the run id and the backend used).
  const RunSpec& recorded_spec() const { return recorded_spec_; }

 private:
  common::Status StartNodes();
  // --tls: the certificates for `ips`, as Attach takes them (nullopt without --tls).
  common::Result<std::optional<workloads::ClusterTls>> MakeCertificates(
      const std::vector<std::string>& ips);
  common::Result<int> AwaitFirstWrite();
  // Until every node passes the database's readiness probe (Db::Ready), within ReadyTimeout.
  common::Status AwaitReady(std::ostream& out);
  common::Status NodesAlive() const;

  const RunPlan& plan_;
  const InterruptWatcher& interrupts_;
  std::string run_id_;
  std::optional<RunDir> run_dir_;
  std::optional<RunRegistration> registration_;
  std::unique_ptr<Backend> backend_;
  // After backend_: destroyed (unmounted) first, but the destructor stops the nodes before.
  std::unique_ptr<NodeDisks> disks_;
  // --tls: the run's certificates; removed (with the nodes' copies) when the session ends.
  std::optional<RunCertificates> certificates_;
  common::Mutex backend_mutex_;        // held by every call NemesisAdapter makes on backend_
  std::filesystem::path libfaketime_;  // set when the plan moves clocks
  std::filesystem::path clock_shim_;   // set when the plan moves clocks
  RunSpec recorded_spec_;
  std::vector<std::string> endpoints_;
  std::vector<workloads::NodeEnv> node_envs_;  // index i-1 for node i
  std::string phase_ = "prepare";
  bool down_ = false;
};

}  // namespace orchestrator

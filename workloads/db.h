// Db and DbClient: the small adapter interface between the workloads and a database. A Db
// says how to launch one node (its argv) and how to reach the cluster; a DbClient is one
// logical client (one operation at a time) whose every answer is classified exactly:
// ok (happened), fail (definitely did not happen), info (may have happened).
// refdb is the first adapter (refdb_db.h); etcd joins behind the same interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checker/node_log.h"
#include "common/status.h"
#include "common/tls.h"

namespace workloads {

enum class Outcome { kOk, kFail, kInfo };

template <typename T>
struct Answer {
  Outcome outcome = Outcome::kFail;
  T value = {};       // meaningful when outcome == kOk
  std::string error;  // why, when outcome != kOk
};

struct CasResult {
  bool succeeded = false;  // false: the compare did not match (an ok observation, not a fail)
};

// Everything a node's command line needs, in the addresses of the backend it runs on.
struct NodeEnv {
  int id = 0;                         // 1-based
  std::string ip;                     // this node's address
  std::vector<std::string> peer_ips;  // every node's address, index i-1 for node i
  std::string data_dir;               // as the node process sees it
};

struct NodeStatus {
  uint64_t node_id = 0;
  std::string role;  // follower | pre-candidate | candidate | leader
  uint64_t term = 0;
  uint64_t leader_id = 0;  // 0: unknown
  uint64_t commit_index = 0;
  uint64_t applied_index = 0;
  // A digest of the applied state, equal on replicas that applied the same log; nullopt when
  // the database does not report one.
  std::optional<uint64_t> state_digest;
  // The node's wall clock (ns since the epoch) when it answered; nullopt when not reported.
  std::optional<int64_t> wall_time_ns;
};

struct ClientOptions {
  std::vector<std::string> endpoints;             // host:port of every node
  std::chrono::milliseconds call_deadline{1000};  // per attempt
  uint64_t client_id = 0;                         // 0: random
};

class DbClient {
 public:
  virtual ~DbClient() = default;
  // nullopt: the key is absent.
  virtual Answer<std::optional<std::string>> Read(const std::string& key) = 0;
  virtual Answer<bool> Write(const std::string& key, const std::string& value) = 0;
  // expected nullopt: the key must be absent.
  virtual Answer<CasResult> Cas(const std::string& key, const std::optional<std::string>& expected,
                                const std::string& new_value) = 0;
  // A local (serializable) read served by the one node at `endpoint`, no redirect: what that
  // replica holds. For final reads after heal.
  virtual Answer<std::optional<std::string>> ReadLocal(const std::string& endpoint,
                                                       const std::string& key) = 0;
};

// What a database can do and what the checks may rely on in its reports: the harness asks
// these instead of the database's name.
struct DbTraits {
  // The bug switches it accepts (--db-bug NAME; refdb's `--bug NAME`); empty: none.
  std::vector<std::string> bug_switches;
  // Status reports a digest of the applied state (NodeStatus::state_digest), so convergence
  // compares states, not only applied indexes.
  bool reports_state_digest = false;
  // Each node keeps its own log of role and leader changes, which ReadNodeLog returns and
  // election safety reads; a node without one is then a node the check could not see.
  bool writes_node_events = false;
  // libfaketime (LD_PRELOAD) moves the node's wall clock, so clock faults work. False for Go
  // programs (etcd), which read the time through the vDSO, not libc.
  bool clock_movable = false;
  // Status reports the node's current term (Raft's currentTerm, durable), so a node seen below
  // term T after a leader of T was elected cannot have voted for it. False where status
  // reports something that lags it (etcd: the term of the last applied entry).
  bool status_term_is_current = false;
  // Status reports a term at all. False for databases without one (Redis): every sample says
  // term 0, and election safety is "at most one primary at a time" instead of one per term.
  bool has_terms = true;
  // Reads are linearizable; false where the database promises less (ZooKeeper serves reads
  // from any replica): reads are then left out of the linearizability check.
  bool reads_linearizable = true;
  // Status reports the applied position (NodeStatus::applied_index), so convergence can compare
  // replicas. False for defined databases, whose probes give role, term and leader only.
  bool reports_applied = true;
  // Speaks mutual TLS when Attach gives it certificates (ClusterInfo::tls; `splitbrain run
  // --tls`): nodes between themselves and the harness's clients and probes to the nodes.
  bool supports_tls = false;
};

// A file a node needs in its data dir before it first starts (a config file).
struct NodeFile {
  std::string path;  // relative to the data dir
  std::string contents;
};

// The environment variable that names the run in every program a Db starts on this machine
// (clients), so `splitbrain cleanup` can find them after the orchestrator died.
inline constexpr char kRunIdVariable[] = "SPLITBRAIN_RUN_ID";

// A run's mutual TLS material (PEM contents): one identity per node, whose certificate names
// the node's address, and one for the harness's clients and status probes; all signed by the
// run's CA (in every TlsPem's `ca`).
struct ClusterTls {
  std::vector<common::TlsPem> nodes;  // index i-1 for node i
  common::TlsPem client;
};

// The cluster a Db is about to run on, and where its harness-side programs log.
struct ClusterInfo {
  std::string run_id;            // programs the Db starts on this machine carry it (kRunIdVariable)
  std::vector<std::string> ips;  // every node's address, index i-1 for node i
  std::filesystem::path log_dir;  // the run's folder: clients.log goes there
  std::optional<ClusterTls> tls;  // nullopt: plaintext (only given when traits().supports_tls)
};

// Which definition file a database came from (nullopt for the built-in adapters).
struct DbSource {
  std::string name;
  std::filesystem::path file;
  std::string sha256;
};

class Db {
 public:
  virtual ~Db() = default;
  virtual DbTraits traits() const = 0;
  virtual std::string name() const = 0;  // "refdb"
  virtual uint16_t port() const = 0;     // clients and peers, on every node's ip
  // Host paths of the programs a node runs; NodeArgv's argv[0] is one of them.
  virtual std::vector<std::filesystem::path> Binaries() const = 0;
  virtual std::vector<std::string> NodeArgv(const NodeEnv& env) const = 0;
  virtual common::Result<std::unique_ptr<DbClient>> Connect(const ClientOptions& options) const = 0;
  // One attempt, no redirect, `deadline` long.
  virtual common::Result<NodeStatus> Status(const std::string& endpoint,
                                            std::chrono::milliseconds deadline) const = 0;
  // The log of role changes node `node` kept in `data_dir` (its data dir as collected on the
  // host), for the history (checker::NodeLogEvent); a log that could not be read fully says why
  // in its problem. nullopt: the database keeps no node log (traits().writes_node_events false).
  virtual std::optional<checker::NodeLog> ReadNodeLog(
      int node, const std::filesystem::path& data_dir) const = 0;

  // Told once, before any node starts.
  virtual void Attach(const ClusterInfo& /*cluster*/) {}
  // Files written into node `env.id`'s data dir before it first starts.
  virtual std::vector<NodeFile> NodeFiles(const NodeEnv& /*env*/) const { return {}; }
  // One readiness probe of a started node; OK when it is ready to join a leader search.
  virtual common::Status Ready(const NodeEnv& /*env*/,
                               std::chrono::milliseconds /*deadline*/) const {
    return common::Status::Ok();
  }
  // How long one Status call may take before the sample counts as unanswered; the status poller
  // uses the longer of this and its interval (50 ms).
  virtual std::chrono::milliseconds StatusDeadline() const { return std::chrono::milliseconds(50); }
  // How long the nodes may take to become Ready.
  virtual std::chrono::seconds ReadyTimeout() const { return std::chrono::seconds(0); }
  virtual std::optional<DbSource> source() const { return std::nullopt; }
  // What a container node needs besides Binaries() and their libraries: host files and
  // directories copied into the node image at the same paths (a JVM, jars, data files).
  virtual std::vector<std::filesystem::path> ImageFiles() const { return {}; }
  // A local Docker image to run the nodes in instead of building one; empty: build one.
  virtual std::string ImageName() const { return {}; }
};

}  // namespace workloads

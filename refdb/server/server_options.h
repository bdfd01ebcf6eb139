// ServerOptions: everything `refdb` is told on its command line, and ParseFlags, which builds
// them from argv (pure; errors name the flag and the problem).
//
//   refdb --id N --listen ADDR --peers ID=ADDR,... --data DIR [tuning] [--bug NAME]...
//
// --peers lists every member (this node may be included; it must match --listen if so).
// --join: this node was added with etcd's MemberAdd and starts with an empty data dir; it is no
// voter until the leader's log says so (it never campaigns or bootstraps a cluster of its own),
// and --peers then only gives the current members' addresses.
// Tuning: --tick-ms, --election-ticks, --heartbeat-ticks, --snapshot-threshold (entries
// applied since the last snapshot before a new one is taken). Defaults aim at a median
// failover under 300 ms: a 10 ms tick, an election timeout of 15-30 ticks, a heartbeat every
// 2 ticks, with pre-vote and check-quorum on. A snapshot every 100,000 applied entries, as
// etcd 3.4's --snapshot-count: the snapshot is written inside the server loop, which stalls
// every waiting request meanwhile, so it should be rare under load. --session-timeout SECONDS
// (default 60, 0: never): log time after which an unused client session is forgotten; it must
// be the same on every node (session_table.h).
// TLS: --tls-ca FILE --tls-cert FILE --tls-key FILE (all three or none; tls_credentials.h):
// mutual TLS on the one port, for peers and clients alike.
// Bugs (off by default): half-quorum, vote-without-log-check, commit-previous-term,
// stale-reads (the core's switches) and no-fsync (acknowledge writes that are written
// but never fsynced: a machine crash loses them); apply-before-durable (the fsync of each
// iteration's entries is deferred to the next iteration, after its acks were sent and its
// commits applied and answered); dedup-lost-on-snapshot (snapshots leave out the dedup table,
// so a node restored from one applies a retried write again).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "common/status.h"
#include "common/tls.h"
#include "refdb/raft/config.h"

namespace refdb::server {

struct ServerOptions {
  uint64_t id = 0;
  std::string listen_address;
  std::map<uint64_t, std::string> peers;  // every member but this node: id -> address
  std::string data_dir;
  int tick_ms = 10;
  int election_ticks = 15;
  int heartbeat_ticks = 2;
  uint64_t snapshot_threshold_entries = 100000;
  size_t max_entries_per_append = 256;  // no flag: the simulator varies it
  uint64_t session_timeout_s = 60;      // log time a client session lives unused; 0: for ever
  common::TlsFiles tls;                 // empty: plaintext
  bool bug_half_quorum = false;
  bool bug_vote_without_log_check = false;
  bool bug_commit_previous_term = false;
  bool bug_stale_reads = false;
  bool bug_no_fsync = false;
  bool bug_apply_before_durable = false;
  bool bug_dedup_lost_on_snapshot = false;
  bool join = false;  // --join: no bootstrap voters (added through MemberAdd)

  // The core's configuration for these options (bootstrap voters: this node and its peers).
  raft::Config RaftConfig() const;
  // The address of member `id` (this node's listen address for its own id), "" if unknown.
  std::string AddressOf(uint64_t id) const;
};

// `args` excludes the program name. InvalidArgument naming the flag on any problem.
common::Result<ServerOptions> ParseFlags(std::span<const std::string> args);
std::string Usage();

}  // namespace refdb::server

// Driver: the server loop. One thread owns the Raft Node, the DiskLogStore and the
// KvStateMachine; gRPC handler threads talk to it only through Submit (a bounded queue) and
// status() (a copy published after every iteration). Each iteration:
//   take queued inputs (peer messages, proposals, reads) and step the peer messages; process
//   the Readies (so what the answers committed is answered before new entries are written);
//   propose the writes, start the reads, tick if a tick is due; process the Readies again.
//   Each Ready is handled in STYLE.md §2's order:
//     1. persist snapshot, entries, hard state (one fsync for all entries: group commit;
//        with the no-fsync bug only written, never fsynced);
//     2. send messages (PeerTransport queues them; the loop never waits on the network);
//     3. restore a snapshot, apply committed entries, answer the waiting writes, serve the
//        reads whose read index is applied;
//     4. Advance;
//   take a snapshot when enough entries were applied since the last one; record role changes.
//
// The loop is steppable: Run (the thread) waits for inputs or the next tick and calls Step with
// the real time; the simulator (refdb/sim) calls Step itself, on its own thread, with virtual
// time, a simulated disk (storage::FaultyFileSystem), its own MessageSender, a fixed Rng seed,
// snapshots written inline, no event log, and a DriverObserver that sees what is persisted and
// applied. Nothing else reads a clock: the tick schedule and the Lessor use Step's `now`.
//
// Writes wait keyed by their log index; the entry applied at that index tells the outcome:
// ours (ok), another one (aborted: definitely not applied), or covered by a received snapshot
// (unknown). A storage failure stops the process (CHECK): a node that cannot persist must not
// acknowledge anything.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "command.pb.h"
#include "common/mutex.h"
#include "common/rng.h"
#include "refdb/raft/node.h"
#include "refdb/server/disk_log_store.h"
#include "refdb/server/event_log.h"
#include "refdb/server/kv_state_machine.h"
#include "refdb/server/lessor.h"
#include "refdb/server/message_sender.h"
#include "refdb/server/reply.h"
#include "refdb/server/server_options.h"
#include "status.pb.h"

namespace refdb::server {

struct PeerInput {
  raft::Message message;
};
struct WriteInput {
  commandpb::Command command;  // proposer and proposal ids are filled in by the loop
  std::shared_ptr<Reply<WriteReply>> reply;
};
// What a read asks: refdb's Get of `key` (monostate), or one of etcd's reads. A keep-alive
// renews a lease on the leader (Lessor); it is answered at once, without a ReadIndex round.
using EtcdRead =
    std::variant<std::monostate, etcdserverpb::RangeRequest, etcdserverpb::CompactionRequest,
                 etcdserverpb::LeaseTimeToLiveRequest, etcdserverpb::LeaseLeasesRequest,
                 etcdserverpb::LeaseKeepAliveRequest>;
struct ReadInput {
  std::string key;
  bool serializable = false;
  std::shared_ptr<Reply<ReadReply>> reply;
  EtcdRead etcd = {};
};
// A membership change (etcd's MemberAdd / MemberRemove, driver_membership.cc): proposed at
// once; answered like a write, with an empty result, once its configuration entry is applied.
struct ConfChangeInput {
  raft::ConfChange change;
  std::shared_ptr<Reply<WriteReply>> reply;
};
using Input = std::variant<PeerInput, WriteInput, ReadInput, ConfChangeInput>;

// Sees what the loop persists and applies (the simulator's safety checks). Called on the loop.
class DriverObserver {
 public:
  virtual ~DriverObserver() = default;
  // `entries` were just written to `store` (Ready step 1).
  virtual void OnPersisted(const raft::LogStore& store,
                           const std::vector<raft::Entry>& entries) = 0;
  // `entry` was just applied to `state` (Ready step 3), before its write is answered.
  virtual void OnApplied(const raft::Entry& entry, const KvStateMachine& state) = 0;
  // The core refused a peer message with Internal (only its bug switches get there).
  virtual void OnCoreError(const common::Status& status) = 0;
};

// How the loop meets the world beyond its options. The defaults are production's.
struct DriverEnvironment {
  std::optional<uint64_t> rng_seed;                // nullopt: seeded from the clock
  bool event_log = true;                           // append role changes to DATA/events.jsonl
  DiskLogStore::BackgroundRunner snapshot_runner;  // empty: a thread per snapshot write
  DriverObserver* observer = nullptr;
  // Log time (session_table.h) from Step's `now` (the simulator's virtual time) instead of the
  // wall clock, so that a seed's commands and traces are the same on every run.
  bool log_time_from_step = false;
};

class Driver {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens storage under options.data_dir, restores the state machine from the snapshot and
  // opens the node. Does not start the thread.
  static common::Result<std::unique_ptr<Driver>> Create(const ServerOptions& options,
                                                        storage::FileSystem& fs,
                                                        MessageSender& transport,
                                                        DriverEnvironment env = {});
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  void Start();
  // Stops and joins the loop; writes still waiting are answered kUnknown, reads kAborted.
  void Stop() EXCLUDES(mu_);

  // One iteration of the loop at time `now` (see the file comment), for the loop's owner:
  // the thread started by Start, or a simulator that never calls Start.
  void Step(std::deque<Input> inputs, Clock::time_point now) EXCLUDES(mu_);
  // The loop's own view, for a simulator between Steps (not thread-safe with Start).
  const raft::Node& node() const { return *node_; }

  // Thread-safe. False when the queue is full (the input is dropped).
  bool Submit(Input input) EXCLUDES(mu_);
  // Thread-safe: the status as of the end of the last iteration.
  statuspb::StatusResponse status() const EXCLUDES(mu_);
  // Thread-safe: every peer address this node knows (id -> address; --listen, --peers, and the
  // members added through MemberAdd, as applied from the log).
  std::map<uint64_t, std::string> member_addresses() const EXCLUDES(mu_);

 private:
  struct PendingWrite {
    uint64_t proposal_id = 0;
    std::shared_ptr<Reply<WriteReply>> reply;
    std::string conf_data;  // a configuration change: the entry's data ("1,2,4")
  };
  using ReadBatch = std::vector<ReadInput>;

  Driver(const ServerOptions& options, std::unique_ptr<DiskLogStore> store,
         MessageSender& transport, std::unique_ptr<EventLog> events, const DriverEnvironment& env);

  // driver.cc: the loop and its inputs.
  void Run() EXCLUDES(mu_);
  std::deque<Input> WaitForInputs(Clock::time_point until) EXCLUDES(mu_);
  void Handle(Input& input);
  void ProposeWrites();
  void StartReads();
  void TickIfDue();
  void PublishStatus() EXCLUDES(mu_);
  void RecordRoleChange();
  void FailEverything() EXCLUDES(mu_);

  // driver_apply.cc: the Ready loop and the state machine.
  void ProcessReadies();
  void RestoreSnapshot(const raft::Snapshot& snapshot);
  void ApplyEntry(const raft::Entry& entry);
  void AnswerWrite(uint64_t index, const raft::Entry& entry,
                   const commandpb::CommandResult* result);
  void ServeReads();
  void MaybeCompact();

  // driver_membership.cc: configuration changes and the members' addresses.
  void ProposeConfChange(ConfChangeInput& input);
  // The state machine's recorded addresses into the transport and the address book.
  void LearnMemberAddresses() EXCLUDES(mu_);

  // driver_etcd.cc: etcd's reads and the leader's lease clock.
  ReadReply AnswerRead(const ReadInput& read);
  ReadReply AnswerLeaseRead(const EtcdRead& read);
  // Leader: keeps the Lessor's deadlines in step and queues a revoke for each expired lease.
  void ExpireLeases();

  const ServerOptions options_;
  common::Rng rng_;
  std::unique_ptr<DiskLogStore> store_;
  KvStateMachine state_machine_;
  Lessor lessor_;
  std::optional<raft::Node> node_;
  MessageSender* transport_;
  std::unique_ptr<EventLog> events_;  // null without DriverEnvironment::event_log
  DriverObserver* observer_;          // may be null
  bool log_time_from_step_;           // DriverEnvironment::log_time_from_step

  // Loop-owned bookkeeping.
  uint64_t next_proposal_id_ = 1;
  uint64_t next_read_id_ = 1;
  std::vector<WriteInput> writes_to_propose_;
  ReadBatch reads_to_start_;
  std::map<uint64_t, PendingWrite> pending_writes_;          // log index -> waiting write
  std::map<std::string, ReadBatch> reads_awaiting_index_;    // ReadIndex context -> reads
  std::multimap<uint64_t, ReadInput> reads_awaiting_apply_;  // read index -> read
  raft::Role last_role_ = raft::Role::kFollower;
  uint64_t last_term_ = 0;
  uint64_t last_leader_ = 0;
  Clock::time_point now_;        // the time Step was given
  Clock::time_point next_tick_;  // unset until the first Step
  bool log_unsynced_ = false;    // apply-before-durable bug: the last entries are not fsynced
  std::map<uint64_t, std::string> addresses_;  // every known peer address, this node's too

  static constexpr size_t kMaxQueuedInputs = 16384;
  static constexpr size_t kMaxPendingWrites = 16384;

  mutable common::Mutex mu_;
  common::CondVar cv_;
  std::deque<Input> inputs_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  statuspb::StatusResponse status_ GUARDED_BY(mu_);
  std::map<uint64_t, std::string> published_addresses_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace refdb::server

// The server loop: inputs, ticks, status. The Ready loop and applying are in driver_apply.cc.
#include "refdb/server/driver.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "common/check.h"

namespace refdb::server {

using common::Result;
using common::Status;

namespace {

constexpr size_t kMaxInputsPerIteration = 4096;
constexpr int kMaxCatchUpTicks = 3;

uint64_t Seed(uint64_t id) {
  return id * 0x9E3779B97F4A7C15ULL ^
         static_cast<uint64_t>(Driver::Clock::now().time_since_epoch().count());
}

}  // namespace

Driver::Driver(const ServerOptions& options, std::unique_ptr<DiskLogStore> store,
               MessageSender& transport, std::unique_ptr<EventLog> events,
               const DriverEnvironment& env)
    : options_(options),
      rng_(env.rng_seed ? *env.rng_seed : Seed(options.id)),
      store_(std::move(store)),
      state_machine_(static_cast<int64_t>(options.session_timeout_s) * 1'000'000'000),
      transport_(&transport),
      events_(std::move(events)),
      observer_(env.observer),
      log_time_from_step_(env.log_time_from_step) {}

Result<std::unique_ptr<Driver>> Driver::Create(const ServerOptions& options,
                                               storage::FileSystem& fs, MessageSender& transport,
                                               DriverEnvironment env) {
  ASSIGN_OR_RETURN(std::unique_ptr<DiskLogStore> store,
                   DiskLogStore::Open(fs, options.data_dir, std::move(env.snapshot_runner)));
  std::unique_ptr<EventLog> events;
  if (env.event_log) {
    ASSIGN_OR_RETURN(
        events, EventLog::Open(storage::JoinPath(options.data_dir, "events.jsonl"), options.id));
  }
  std::unique_ptr<Driver> driver(
      new Driver(options, std::move(store), transport, std::move(events), env));
  if (!driver->store_->snapshot().empty()) {
    RETURN_IF_ERROR(driver->state_machine_.Restore(driver->store_->snapshot().data));
  }
  driver->addresses_ = options.peers;
  driver->addresses_[options.id] = options.listen_address;
  driver->LearnMemberAddresses();
  ASSIGN_OR_RETURN(raft::Node node,
                   raft::Node::Open(options.RaftConfig(), *driver->store_, driver->rng_));
  driver->node_.emplace(std::move(node));
  driver->last_term_ = driver->node_->term();
  driver->PublishStatus();
  return driver;
}

Driver::~Driver() { Stop(); }

void Driver::Start() {
  CHECK(!thread_.joinable()) << "driver started twice";
  next_tick_ = Clock::now() + std::chrono::milliseconds(options_.tick_ms);
  thread_ = std::thread([this] { Run(); });
}

void Driver::Stop() {
  {
    common::MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyOne();
  if (thread_.joinable()) thread_.join();
}

bool Driver::Submit(Input input) {
  {
    common::MutexLock lock(mu_);
    if (stopping_ || inputs_.size() >= kMaxQueuedInputs) return false;
    inputs_.push_back(std::move(input));
  }
  cv_.NotifyOne();
  return true;
}

statuspb::StatusResponse Driver::status() const {
  common::MutexLock lock(mu_);
  return status_;
}

void Driver::Run() {
  for (;;) {
    std::deque<Input> inputs = WaitForInputs(next_tick_);
    {
      common::MutexLock lock(mu_);
      if (stopping_) break;
    }
    Step(std::move(inputs), Clock::now());
  }
  FailEverything();
}

void Driver::Step(std::deque<Input> inputs, Clock::time_point now) {
  now_ = now;
  if (next_tick_ == Clock::time_point())
    next_tick_ = now + std::chrono::milliseconds(options_.tick_ms);
  for (Input& input : inputs) Handle(input);
  // What the peers' answers committed is applied and answered now, before this
  // iteration's proposals are persisted: those answers need no wait for that write and fsync
  // (each Ready is still handled in STYLE.md §2's order).
  ProcessReadies();
  ExpireLeases();
  ProposeWrites();
  StartReads();
  TickIfDue();
  ProcessReadies();
  MaybeCompact();
  RecordRoleChange();
  PublishStatus();
}

std::deque<Input> Driver::WaitForInputs(Clock::time_point until) {
  common::MutexLock lock(mu_);
  cv_.WaitUntil(lock, until, [this]() REQUIRES(mu_) { return stopping_ || !inputs_.empty(); });
  std::deque<Input> taken;
  while (!inputs_.empty() && taken.size() < kMaxInputsPerIteration) {
    taken.push_back(std::move(inputs_.front()));
    inputs_.pop_front();
  }
  return taken;
}

void Driver::Handle(Input& input) {
  if (auto* peer = std::get_if<PeerInput>(&input)) {
    Status status = node_->Step(peer->message);
    if (!status.ok() && status.code() == common::StatusCode::kInternal && observer_ != nullptr) {
      observer_->OnCoreError(status);
    } else if (!status.ok() && status.code() == common::StatusCode::kInternal) {
      std::cerr << "refdb " << options_.id << ": " << status.message() << "\n";
    }
  } else if (auto* write = std::get_if<WriteInput>(&input)) {
    writes_to_propose_.push_back(std::move(*write));
  } else if (auto* conf = std::get_if<ConfChangeInput>(&input)) {
    ProposeConfChange(*conf);
  } else if (auto* read = std::get_if<ReadInput>(&input)) {
    if (read->serializable ||
        std::holds_alternative<etcdserverpb::LeaseKeepAliveRequest>(read->etcd)) {
      read->reply->Set(AnswerRead(*read));
    } else {
      reads_to_start_.push_back(std::move(*read));
    }
  }
}

// Every write of this iteration goes into one proposal: one append, one fsync, one message
// per peer.
void Driver::ProposeWrites() {
  if (writes_to_propose_.empty()) return;
  std::vector<WriteInput> writes = std::move(writes_to_propose_);
  writes_to_propose_.clear();
  auto reject_all = [&](ReplyCode code, const std::string& why) {
    for (WriteInput& w : writes) w.reply->Set({.code = code, .message = why});
  };
  if (!node_->is_leader()) return reject_all(ReplyCode::kNotLeader, "not the leader");
  if (pending_writes_.size() + writes.size() > kMaxPendingWrites) {
    return reject_all(ReplyCode::kRejected, "too many writes in flight");
  }
  raft::Message prop{.type = raft::MsgType::kProp, .from = options_.id};
  std::vector<uint64_t> proposal_ids;
  // Log time (session_table.h): this leader's clock, never behind the log clock.
  const auto clock = log_time_from_step_ ? now_.time_since_epoch()
                                         : std::chrono::system_clock::now().time_since_epoch();
  const int64_t log_time_ns =
      std::max<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock).count(),
                        state_machine_.sessions().clock_ns());
  for (WriteInput& w : writes) {
    w.command.set_log_time_ns(log_time_ns);
    w.command.set_proposer_id(options_.id);
    w.command.set_proposal_id(next_proposal_id_++);
    proposal_ids.push_back(w.command.proposal_id());
    prop.entries.push_back(
        {.type = raft::EntryType::kNormal, .data = w.command.SerializeAsString()});
  }
  const uint64_t first_index = node_->last_index() + 1;
  Status status = node_->Step(prop);
  if (!status.ok()) return reject_all(ReplyCode::kNotLeader, status.message());
  CHECK(node_->last_index() == first_index + writes.size() - 1)
      << "proposal of " << writes.size() << " entries at " << first_index << " ended at "
      << node_->last_index();
  for (size_t i = 0; i < writes.size(); ++i) {
    pending_writes_[first_index + i] = {.proposal_id = proposal_ids[i],
                                        .reply = std::move(writes[i].reply)};
  }
}

// All linearizable reads of this iteration share one ReadIndex round.
void Driver::StartReads() {
  if (reads_to_start_.empty()) return;
  ReadBatch batch = std::move(reads_to_start_);
  reads_to_start_.clear();
  const std::string context = std::to_string(next_read_id_++);
  Status status = node_->ReadIndex(context);
  if (!status.ok()) {
    for (ReadInput& r : batch)
      r.reply->Set({.code = ReplyCode::kNotLeader, .message = status.message()});
    return;
  }
  reads_awaiting_index_[context] = std::move(batch);
}

void Driver::TickIfDue() {
  const auto tick = std::chrono::milliseconds(options_.tick_ms);
  for (int i = 0; i < kMaxCatchUpTicks && now_ >= next_tick_; ++i) {
    node_->Tick();
    next_tick_ += tick;
  }
  if (now_ >= next_tick_) next_tick_ = now_ + tick;  // too far behind: do not burst
}

void Driver::PublishStatus() {
  statuspb::StatusResponse s;
  s.set_node_id(options_.id);
  s.set_role(std::string(raft::RoleName(node_->role())));
  s.set_term(node_->term());
  s.set_leader_id(node_->leader());
  auto leader = addresses_.find(node_->leader());
  s.set_leader_address(leader == addresses_.end() ? "" : leader->second);
  s.set_commit_index(node_->commit_index());
  s.set_applied_index(node_->applied_index());
  s.set_last_log_index(node_->last_index());
  s.set_snapshot_index(store_->snapshot().index);
  s.set_state_digest(state_machine_.digest());
  s.set_revision(state_machine_.revision());
  s.set_state_size_bytes(state_machine_.size_bytes());
  for (raft::NodeId id : node_->members()) s.add_members(id);
  common::MutexLock lock(mu_);
  status_ = std::move(s);
}

// Reads waiting for a ReadIndex answer never get one once leadership moved: they fail (a
// read has no effect, so failing it is always exact).
void Driver::RecordRoleChange() {
  const raft::Role role = node_->role();
  const uint64_t term = node_->term();
  const uint64_t leader = node_->leader();
  if (role == last_role_ && term == last_term_ && leader == last_leader_) return;
  if (term != last_term_ || role != last_role_) {
    for (auto& [context, batch] : reads_awaiting_index_) {
      for (ReadInput& r : batch)
        r.reply->Set({.code = ReplyCode::kAborted, .message = "leadership changed"});
    }
    reads_awaiting_index_.clear();
  }
  last_role_ = role;
  last_term_ = term;
  last_leader_ = leader;
  if (events_ == nullptr) return;
  Status status = events_->RoleChanged(term, raft::RoleName(role), leader);
  if (!status.ok()) std::cerr << "refdb " << options_.id << ": " << status.message() << "\n";
}

void Driver::FailEverything() {
  const std::string why = "node " + std::to_string(options_.id) + " is shutting down";
  for (auto& [index, w] : pending_writes_)
    w.reply->Set({.code = ReplyCode::kUnknown, .message = why});
  for (WriteInput& w : writes_to_propose_)
    w.reply->Set({.code = ReplyCode::kNotLeader, .message = why});
  for (auto& [context, batch] : reads_awaiting_index_) {
    for (ReadInput& r : batch) r.reply->Set({.code = ReplyCode::kAborted, .message = why});
  }
  for (auto& [index, r] : reads_awaiting_apply_)
    r.reply->Set({.code = ReplyCode::kAborted, .message = why});
  // Answered outside mu_: a reply's callback may read status().
  std::deque<Input> queued;
  {
    common::MutexLock lock(mu_);
    queued.swap(inputs_);
  }
  for (Input& input : queued) {
    if (auto* w = std::get_if<WriteInput>(&input))
      w->reply->Set({.code = ReplyCode::kNotLeader, .message = why});
    if (auto* r = std::get_if<ReadInput>(&input))
      r->reply->Set({.code = ReplyCode::kAborted, .message = why});
  }
}

}  // namespace refdb::server

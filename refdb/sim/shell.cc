#include "refdb/sim/shell.h"

#include <utility>

#include "common/check.h"

namespace refdb::sim {

Shell::Shell(const raft::Config& config, uint64_t compact_threshold)
    : config_(config),
      compact_threshold_(compact_threshold),
      store_(std::make_unique<raft::MemoryLogStore>()) {}

common::Status Shell::Start(uint64_t rng_seed) {
  CHECK(!node_.has_value()) << "node " << config_.id << " started twice";
  // The state machine comes back from the snapshot; the node replays committed entries after.
  common::Result<KvStateMachine> state = KvStateMachine::Deserialize(store_->snapshot().data);
  if (!state.ok()) return state.status().WithContext("node " + std::to_string(config_.id));
  state_ = std::move(state).value();
  applied_index_ = store_->snapshot().index;
  rng_ = std::make_unique<common::Rng>(rng_seed);
  raft::Config config = config_;
  config.applied_index = 0;
  common::Result<raft::Node> node = raft::Node::Open(config, *store_, *rng_);
  if (!node.ok()) return node.status().WithContext("node " + std::to_string(config_.id));
  node_.emplace(std::move(node).value());
  return common::Status::Ok();
}

void Shell::Crash() {
  node_.reset();
  rng_.reset();
  state_ = KvStateMachine();
  reads_.clear();
  crash_in_ready_ = false;
}

bool Shell::ProcessReady(std::vector<raft::Message>& outbox, ShellListener& listener) {
  while (node_ && node_->HasReady()) {
    raft::Ready rd = node_->TakeReady();
    Persist(rd, listener);  // 1.
    if (crash_in_ready_) {  // durable state survives; the messages never leave
      Crash();
      return false;
    }
    for (raft::Message& m : rd.messages) outbox.push_back(std::move(m));  // 2.
    Apply(rd, listener);                                                  // 3.
    node_->Advance(rd);                                                   // 4.
    MaybeCompact();
  }
  return node_.has_value();
}

void Shell::Persist(const raft::Ready& rd, ShellListener& listener) {
  if (rd.snapshot) store_->ApplySnapshot(*rd.snapshot);
  store_->Append(rd.entries);
  if (rd.hard_state) store_->SetHardState(*rd.hard_state);
  if (!rd.entries.empty()) listener.OnPersisted(config_.id, *store_, rd.entries);
}

void Shell::Apply(const raft::Ready& rd, ShellListener& listener) {
  if (rd.snapshot) {
    common::Result<KvStateMachine> state = KvStateMachine::Deserialize(rd.snapshot->data);
    CHECK(state.ok()) << "node " << config_.id << ": " << state.status().message();
    state_ = std::move(state).value();
    applied_index_ = rd.snapshot->index;
  }
  for (const raft::Entry& e : rd.committed_entries) {
    std::optional<ApplyResult> result;
    if (e.type == raft::EntryType::kNormal) {
      common::Result<KvCommand> command = DecodeCommand(e.data);
      CHECK(command.ok()) << "node " << config_.id << ": " << command.status().message();
      result = state_.Apply(*command);
    }
    applied_index_ = e.index;
    listener.OnApplied(config_.id, e, result);
  }
  for (const raft::ReadState& read : rd.read_states) reads_.emplace(read.index, read.context);
  ServeReads(listener);
}

// A read is served once the state machine holds every entry up to its read index.
void Shell::ServeReads(ShellListener& listener) {
  while (!reads_.empty() && reads_.begin()->first <= applied_index_) {
    const std::string context = reads_.begin()->second;
    reads_.erase(reads_.begin());
    // The context is "<op id> <key>": the key is what the client asked to read.
    const size_t space = context.find(' ');
    listener.OnRead(config_.id, context, state_.Get(context.substr(space + 1)));
  }
}

void Shell::MaybeCompact() {
  if (compact_threshold_ == 0) return;
  const uint64_t applied = node_->applied_index();
  if (applied < store_->snapshot().index + compact_threshold_) return;
  if (applied > store_->LastIndex()) return;  // applied from entries not yet persisted
  CHECK(applied == applied_index_) << "node " << config_.id << ": core applied " << applied
                                   << ", state machine " << applied_index_;
  const common::Status status =
      store_->Compact(applied, node_->MembersAt(applied), state_.Serialize());
  CHECK(status.ok()) << status.message();
}

}  // namespace refdb::sim

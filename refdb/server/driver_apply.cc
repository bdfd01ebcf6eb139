// The Ready loop (STYLE.md §2) and the state machine side of the server loop.
#include <iostream>
#include <utility>

#include "common/check.h"
#include "refdb/server/driver.h"

namespace refdb::server {

using common::Status;

namespace {

// The dedup-lost-on-snapshot bug: the snapshot keeps the pairs but forgets every session.
std::string WithoutSessions(const std::string& image) {
  commandpb::StateImage parsed;
  CHECK(parsed.ParseFromString(image)) << "state machine image does not parse";
  parsed.clear_sessions();
  return parsed.SerializeAsString();
}

}  // namespace

void Driver::ProcessReadies() {
  while (node_->HasReady()) {
    raft::Ready rd = node_->TakeReady();
    // 1. persist (fsync before anything that depends on it leaves the node).
    // apply-before-durable: these entries are fsynced only before the next ones are written;
    // meanwhile they are acknowledged (sent), applied and answered.
    const bool defer = options_.bug_apply_before_durable && rd.must_sync && !rd.entries.empty();
    if (defer && log_unsynced_) CHECK(store_->SyncLog().ok()) << "refdb: cannot sync, stopping";
    const bool sync = rd.must_sync && !options_.bug_no_fsync && !defer;
    Status status = store_->Persist(rd.snapshot, rd.entries, rd.hard_state, sync);
    CHECK(status.ok()) << "refdb " << options_.id
                       << ": cannot persist, stopping: " << status.message();
    log_unsynced_ = defer;
    if (observer_ != nullptr && !rd.entries.empty()) observer_->OnPersisted(*store_, rd.entries);
    // 2. send.
    transport_->Send(std::move(rd.messages));
    // 3. apply, answer writes, serve reads.
    if (rd.snapshot) RestoreSnapshot(*rd.snapshot);
    for (const raft::Entry& entry : rd.committed_entries) ApplyEntry(entry);
    for (const raft::ReadState& rs : rd.read_states) {
      auto it = reads_awaiting_index_.find(rs.context);
      if (it == reads_awaiting_index_.end()) continue;
      for (ReadInput& r : it->second) reads_awaiting_apply_.emplace(rs.index, std::move(r));
      reads_awaiting_index_.erase(it);
    }
    // 4. advance.
    node_->Advance(rd);
    ServeReads();
  }
}

void Driver::RestoreSnapshot(const raft::Snapshot& snapshot) {
  Status status = state_machine_.Restore(snapshot.data);
  CHECK(status.ok()) << "refdb " << options_.id << ": snapshot at " << snapshot.index << ": "
                     << status.message();
  LearnMemberAddresses();
  // Writes at covered indexes were decided by the cluster, but this node never saw how.
  auto end = pending_writes_.upper_bound(snapshot.index);
  for (auto it = pending_writes_.begin(); it != end; ++it) {
    it->second.reply->Set(
        {.code = ReplyCode::kUnknown, .message = "its log index was covered by a snapshot"});
  }
  pending_writes_.erase(pending_writes_.begin(), end);
}

void Driver::ApplyEntry(const raft::Entry& entry) {
  if (entry.type != raft::EntryType::kNormal || entry.data.empty()) {
    if (observer_ != nullptr) observer_->OnApplied(entry, state_machine_);
    AnswerWrite(entry.index, entry, nullptr);
    return;
  }
  commandpb::Command command;
  CHECK(command.ParseFromString(entry.data))
      << "refdb " << options_.id << ": committed entry " << entry.index << " does not parse";
  const commandpb::CommandResult result = state_machine_.Apply(command);
  if (observer_ != nullptr) observer_->OnApplied(entry, state_machine_);
  if (command.has_member_address()) LearnMemberAddresses();
  AnswerWrite(entry.index, entry, &result);
}

// `result` is null for entries that are not commands.
void Driver::AnswerWrite(uint64_t index, const raft::Entry& entry,
                         const commandpb::CommandResult* result) {
  auto it = pending_writes_.find(index);
  if (it == pending_writes_.end()) return;
  PendingWrite pending = std::move(it->second);
  pending_writes_.erase(it);
  bool is_ours = false;
  if (result == nullptr) {
    is_ours = !pending.conf_data.empty() && entry.type == raft::EntryType::kConfChange &&
              entry.data == pending.conf_data;
  } else {
    commandpb::Command command;
    is_ours = command.ParseFromString(entry.data) && command.proposer_id() == options_.id &&
              command.proposal_id() == pending.proposal_id;
  }
  if (!is_ours) {
    // Log matching: our entry existed only at this index, which now holds another one.
    pending.reply->Set(
        {.code = ReplyCode::kAborted,
         .message = "another entry was committed at index " + std::to_string(index)});
  } else if (result == nullptr) {
    pending.reply->Set({});  // a configuration change, now in force
  } else if (result->code() == commandpb::CommandResult::SESSION_EXPIRED) {
    pending.reply->Set({.code = ReplyCode::kSessionExpired,
                        .message = "session expired: this client id's session is gone (or the "
                                   "write waited too long); start a new session"});
  } else if (result->code() == commandpb::CommandResult::STALE_SEQUENCE) {
    pending.reply->Set(
        {.code = ReplyCode::kAborted, .message = "a newer write of this client was applied first"});
  } else {
    pending.reply->Set({.result = *result});
  }
}

void Driver::ServeReads() {
  const uint64_t applied = node_->applied_index();
  auto end = reads_awaiting_apply_.upper_bound(applied);
  for (auto it = reads_awaiting_apply_.begin(); it != end; ++it) {
    it->second.reply->Set(AnswerRead(it->second));
  }
  reads_awaiting_apply_.erase(reads_awaiting_apply_.begin(), end);
}

// The state machine is serialized here (the loop owns it); the file is written and fsynced in
// the background, and the log compacted on a later iteration, once it is durable.
void Driver::MaybeCompact() {
  Status status = store_->PollCompact();
  CHECK(status.ok()) << "refdb " << options_.id << ": snapshot: " << status.message();
  if (store_->compaction_pending()) return;
  const uint64_t applied = node_->applied_index();
  if (applied < store_->snapshot().index + options_.snapshot_threshold_entries) return;
  std::string image = state_machine_.Serialize();
  if (options_.bug_dedup_lost_on_snapshot) image = WithoutSessions(image);
  status = store_->StartCompact(applied, node_->MembersAt(applied), std::move(image));
  CHECK(status.ok()) << "refdb " << options_.id << ": snapshot at " << applied << ": "
                     << status.message();
}

}  // namespace refdb::server

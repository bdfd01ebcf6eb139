#include "refdb/server/message_codec.h"

#include <utility>

namespace refdb::server {

using common::Result;
using common::Status;

namespace {

constexpr int kMaxMsgType = static_cast<int>(raft::MsgType::kTimeoutNow);
constexpr int kMaxEntryType = static_cast<int>(raft::EntryType::kEmpty);

void EntryToProto(const raft::Entry& e, peerpb::Entry& p) {
  p.set_term(e.term);
  p.set_index(e.index);
  p.set_type(static_cast<peerpb::EntryType>(e.type));
  p.set_data(e.data);
}

void SnapshotToProto(const raft::Snapshot& s, bool with_data, peerpb::Message& p) {
  p.set_has_snapshot(true);
  peerpb::SnapshotMeta& meta = *p.mutable_snapshot_meta();
  meta.set_index(s.index);
  meta.set_term(s.term);
  for (raft::NodeId id : s.members) meta.add_members(id);
  if (with_data) p.set_snapshot_data(s.data);
}

raft::Snapshot SnapshotFromProto(const peerpb::Message& p) {
  raft::Snapshot s{.index = p.snapshot_meta().index(), .term = p.snapshot_meta().term()};
  s.members.assign(p.snapshot_meta().members().begin(), p.snapshot_meta().members().end());
  s.data = p.snapshot_data();
  return s;
}

}  // namespace

peerpb::Message ToProto(const raft::Message& m, bool with_snapshot_data) {
  peerpb::Message p;
  p.set_type(static_cast<peerpb::MessageType>(m.type));
  p.set_from(m.from);
  p.set_to(m.to);
  p.set_term(m.term);
  p.set_log_term(m.log_term);
  p.set_index(m.index);
  for (const raft::Entry& e : m.entries) EntryToProto(e, *p.add_entries());
  p.set_commit(m.commit);
  p.set_reject(m.reject);
  p.set_conflict_term(m.conflict_term);
  p.set_conflict_index(m.conflict_index);
  p.set_read_id(m.read_id);
  p.set_context(m.context);
  p.set_is_transfer(m.is_transfer);
  p.set_transferee(m.transferee);
  if (m.snapshot) SnapshotToProto(*m.snapshot, with_snapshot_data, p);
  return p;
}

Result<raft::Message> FromProto(const peerpb::Message& p) {
  if (p.type() < 0 || p.type() > kMaxMsgType) {
    return Status::InvalidArgument("peer message: unknown type " + std::to_string(p.type()));
  }
  raft::Message m{.type = static_cast<raft::MsgType>(p.type()),
                  .from = p.from(),
                  .to = p.to(),
                  .term = p.term(),
                  .log_term = p.log_term(),
                  .index = p.index(),
                  .commit = p.commit(),
                  .reject = p.reject(),
                  .conflict_term = p.conflict_term(),
                  .conflict_index = p.conflict_index(),
                  .read_id = p.read_id(),
                  .context = p.context(),
                  .is_transfer = p.is_transfer(),
                  .transferee = p.transferee()};
  m.entries.reserve(p.entries_size());
  for (const peerpb::Entry& e : p.entries()) {
    if (e.type() < 0 || e.type() > kMaxEntryType) {
      return Status::InvalidArgument("peer message: unknown entry type " +
                                     std::to_string(e.type()));
    }
    m.entries.push_back({.term = e.term(),
                         .index = e.index(),
                         .type = static_cast<raft::EntryType>(e.type()),
                         .data = e.data()});
  }
  if (p.has_snapshot()) m.snapshot = SnapshotFromProto(p);
  return m;
}

}  // namespace refdb::server

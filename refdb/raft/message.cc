#include "refdb/raft/message.h"

#include <sstream>

#include "refdb/raft/membership.h"

namespace refdb::raft {

std::string_view MsgTypeName(MsgType type) {
  switch (type) {
    case MsgType::kHup:
      return "kHup";
    case MsgType::kBeat:
      return "kBeat";
    case MsgType::kProp:
      return "kProp";
    case MsgType::kCheckQuorum:
      return "kCheckQuorum";
    case MsgType::kAppend:
      return "kAppend";
    case MsgType::kAppendResp:
      return "kAppendResp";
    case MsgType::kVote:
      return "kVote";
    case MsgType::kVoteResp:
      return "kVoteResp";
    case MsgType::kPreVote:
      return "kPreVote";
    case MsgType::kPreVoteResp:
      return "kPreVoteResp";
    case MsgType::kHeartbeat:
      return "kHeartbeat";
    case MsgType::kHeartbeatResp:
      return "kHeartbeatResp";
    case MsgType::kSnapshot:
      return "kSnapshot";
    case MsgType::kReadIndex:
      return "kReadIndex";
    case MsgType::kReadIndexResp:
      return "kReadIndexResp";
    case MsgType::kTransferLeader:
      return "kTransferLeader";
    case MsgType::kTimeoutNow:
      return "kTimeoutNow";
  }
  return "kUnknown";
}

namespace {

bool IsLocalOnly(MsgType type) {
  return type == MsgType::kHup || type == MsgType::kBeat || type == MsgType::kProp ||
         type == MsgType::kCheckQuorum;
}

// ReadIndex and TransferLeader are local (term 0) or forwarded by a follower (with its term).
bool MayBeLocal(MsgType type) {
  return IsLocalOnly(type) || type == MsgType::kReadIndex || type == MsgType::kTransferLeader;
}

// An AppendEntries' entries follow `index` (without wrapping around), and their terms run from
// `log_term` up to the leader's term without decreasing (§5.3: a leader sends its own log).
common::Status ValidateAppendedEntry(const Message& m, size_t i, uint64_t previous_term) {
  const Entry& e = m.entries[i];
  if (e.index != m.index + 1 + i || e.index <= m.index) {
    return common::Status::InvalidArgument("entry " + std::to_string(e.index) +
                                           " does not follow index " + std::to_string(m.index));
  }
  if (e.term < previous_term || e.term > m.term) {
    return common::Status::InvalidArgument(
        "entry " + Describe(e) + ": its term is below the previous entry's (" +
        std::to_string(previous_term) + ") or past the message's");
  }
  return common::Status::Ok();
}

common::Status ValidateEntries(const Message& m) {
  uint64_t previous_term = m.log_term;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (m.type == MsgType::kAppend) {
      RETURN_IF_ERROR(ValidateAppendedEntry(m, i, previous_term));
      previous_term = e.term;
    }
    if (e.type == EntryType::kConfChange) RETURN_IF_ERROR(DecodeMembers(e.data).status());
  }
  return common::Status::Ok();
}

// A snapshot's voters, like a membership entry's: non-empty, non-zero, strictly increasing.
bool IsVoterList(const std::vector<NodeId>& members) {
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i] == kNoNode || (i > 0 && members[i - 1] >= members[i])) return false;
  }
  return !members.empty();
}

}  // namespace

common::Status ValidateMessage(const Message& m) {
  const auto bad = [&m](const std::string& why) {
    return common::Status::InvalidArgument("raft message " + Describe(m) + ": " + why);
  };
  if (m.term == 0 && !MayBeLocal(m.type)) return bad("a peer message needs a term");
  if (m.term > kMaxTerm) return bad("term past 2^62");
  if (m.term != 0 && IsLocalOnly(m.type)) return bad("a local message has no term");
  if (m.type == MsgType::kSnapshot && (!m.snapshot || m.snapshot->empty())) {
    return bad("no snapshot");
  }
  if (m.type == MsgType::kSnapshot && !IsVoterList(m.snapshot->members)) {
    return bad("snapshot voters must be non-zero and increasing");
  }
  // A leader's log, snapshot included, holds no term past its own.
  if (m.type == MsgType::kSnapshot && m.snapshot->term > m.term) return bad("snapshot term");
  if (m.type == MsgType::kAppend && m.log_term > m.term) return bad("log term past the term");
  common::Status entries = ValidateEntries(m);
  if (!entries.ok()) return bad(entries.message());
  return common::Status::Ok();
}

std::string Describe(const Entry& e) {
  std::ostringstream out;
  out << e.index << "/" << e.term;
  if (e.type == EntryType::kEmpty) out << " empty";
  if (e.type == EntryType::kConfChange) out << " conf:" << e.data;
  if (e.type == EntryType::kNormal) out << " " << e.data;
  return out.str();
}

std::string Describe(const Message& m) {
  std::ostringstream out;
  out << MsgTypeName(m.type) << " " << m.from << "->" << m.to << " t" << m.term;
  if (m.index != 0 || m.log_term != 0) out << " i" << m.index << "/t" << m.log_term;
  if (m.commit != 0) out << " c" << m.commit;
  if (m.reject) out << " reject(hint " << m.conflict_index << "/t" << m.conflict_term << ")";
  if (m.read_id != 0) out << " read" << m.read_id;
  if (!m.context.empty()) out << " ctx=" << m.context;
  if (m.is_transfer) out << " transfer";
  if (m.transferee != kNoNode) out << " to=" << m.transferee;
  if (m.snapshot) out << " snap=" << m.snapshot->index << "/" << m.snapshot->term;
  if (!m.entries.empty()) {
    out << " entries=[";
    for (size_t i = 0; i < m.entries.size(); ++i) {
      out << (i == 0 ? "" : ", ") << Describe(m.entries[i]);
    }
    out << "]";
  }
  return out.str();
}

}  // namespace refdb::raft

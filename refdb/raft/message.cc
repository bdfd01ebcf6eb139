#include "refdb/raft/message.h"

#include <sstream>

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

// MessageSender: where the server loop hands the Raft core's outgoing messages (Ready step 2).
// PeerTransport sends them to the peers over gRPC; the simulator (refdb/sim) delivers them
// through its in-memory network. Send must not block the loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "refdb/raft/message.h"

namespace refdb::server {

class MessageSender {
 public:
  MessageSender() = default;
  MessageSender(const MessageSender&) = delete;
  MessageSender& operator=(const MessageSender&) = delete;
  virtual ~MessageSender() = default;

  // Takes every message; those that cannot be sent are dropped (Raft retransmits).
  virtual void Send(std::vector<raft::Message> messages) = 0;
  // Learns (or changes) the address of peer `id`, a member added through MemberAdd. Called by
  // the loop's thread, never concurrently with Send. (The simulator routes by id: it ignores it.)
  virtual void AddPeer(uint64_t id, const std::string& address) = 0;
};

}  // namespace refdb::server

// Ready: what the shell must do after the core stepped, as plain data.
//
// The contract (see node.h), in this order and no other:
//   1. persist `snapshot`, then `entries`, then `hard_state` (fsync when `must_sync`);
//   2. send `messages` (never before step 1 finished: a vote or an ack must be durable first);
//   3. restore `snapshot` into the state machine, apply `committed_entries`, serve `read_states`
//      once the state machine has applied up to their index;
//   4. Node::Advance(ready).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "refdb/raft/message.h"

namespace refdb::raft {

// A linearizable read that may be served once the state machine has applied `index`.
struct ReadState {
  uint64_t index = 0;
  std::string context = {};  // the caller's request id, as given to Node::ReadIndex

  bool operator==(const ReadState&) const = default;
};

struct Ready {
  std::optional<HardState> hard_state;   // set only when it changed
  std::optional<Snapshot> snapshot;      // replaces the whole log, persist before `entries`
  std::vector<Entry> entries;            // append; the first may overwrite a suffix of the log
  std::vector<Entry> committed_entries;  // apply in order
  std::vector<Message> messages;         // send after persisting
  std::vector<ReadState> read_states;
  bool must_sync = false;  // term, vote, entries or snapshot changed: fsync before sending
};

}  // namespace refdb::raft

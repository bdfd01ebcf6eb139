// KvStateMachine: refdb's replicated state: a map from key to value plus the dedup table
// (client id -> last sequence number and its answer), so that a retried write is applied at
// most once. Apply is a pure function of the state and the command: every replica applying
// the same log holds the same state. Both the map and the dedup table are in snapshots.
//
// Dedup rule for a write with (client id, sequence):
//   sequence >  last: apply, remember (sequence, answer);
//   sequence == last: do not apply, return the remembered answer (a retry of the last write);
//   sequence <  last: do not apply, answer STALE_SEQUENCE (the client has moved on; this is a
//                     late duplicate of a write whose outcome it already gave up on).
// A write without a client id (0) is not deduplicated. Not thread-safe: the server loop owns it.
//
// digest(): a 64-bit digest of the key-value pairs (not the dedup table), kept up to date on
// every change: the wrapping sum of a hash of each (key, value). It depends only on the set of
// pairs, not on the order they were written in, so replicas holding the same pairs report the
// same digest and `splitbrain run`'s convergence check compares it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "command.pb.h"
#include "common/status.h"
#include "kv.pb.h"

namespace refdb::server {

class KvStateMachine {
 public:
  commandpb::CommandResult Apply(const commandpb::Command& command);
  kvpb::GetResponse Get(const std::string& key) const;

  // The whole state (pairs and dedup table) as bytes, and back. Restore replaces the state;
  // InvalidArgument when `data` does not parse.
  std::string Serialize() const;
  common::Status Restore(std::string_view data);

  size_t size() const { return pairs_.size(); }
  uint64_t digest() const { return digest_; }

 private:
  commandpb::CommandResult ApplyOp(const commandpb::Command& command);
  kvpb::CompareAndSwapResponse ApplyCas(const kvpb::CompareAndSwapRequest& cas);
  kvpb::TxnResponse ApplyTxn(const kvpb::TxnRequest& txn);

  struct Session {
    uint64_t last_sequence = 0;
    commandpb::CommandResult last_result;
  };

  static uint64_t PairHash(std::string_view key, std::string_view value);
  void SetPair(const std::string& key, const std::string& value);
  bool ErasePair(const std::string& key);  // whether it existed

  std::map<std::string, std::string> pairs_;
  uint64_t digest_ = 0;
  std::map<uint64_t, Session> sessions_;
};

}  // namespace refdb::server

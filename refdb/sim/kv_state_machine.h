// KvStateMachine: the simulated database's state machine, a map of string keys to string values.
//
// Commands travel in Raft entries as one line of text (see EncodeCommand):
//   "P <op> <key> <value>"            put: key := value
//   "C <op> <key> <expected> <value>" cas: if key's value == expected then key := value
//   "G <op> <key>"                    get: reads the key (reads normally use ReadIndex instead)
// where <op> is the client operation id, so the shell can answer the client that proposed it.
// Keys and values never contain spaces. Apply is deterministic and does no I/O: the same
// commands in the same order give the same state on every node. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace refdb::sim {

enum class CommandKind { kPut, kCas, kGet };

struct KvCommand {
  CommandKind kind = CommandKind::kPut;
  uint64_t op_id = 0;
  std::string key = {};
  std::string value = {};     // put, cas: the new value
  std::string expected = {};  // cas: the value compared against
};

struct ApplyResult {
  uint64_t op_id = 0;
  bool ok = true;                    // false: a cas whose compare failed
  std::optional<std::string> value;  // get: the value read (nullopt: absent)
};

std::string EncodeCommand(const KvCommand& command);
// InvalidArgument naming the text when it is not a command.
common::Result<KvCommand> DecodeCommand(std::string_view text);

class KvStateMachine {
 public:
  // Applies one command. Pure apart from the state it owns.
  ApplyResult Apply(const KvCommand& command);
  std::optional<std::string> Get(const std::string& key) const;

  // The whole state as text ("key=value" lines), for snapshots.
  std::string Serialize() const;
  static common::Result<KvStateMachine> Deserialize(std::string_view text);

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace refdb::sim

// Fuzz target: client writes, from the bytes a client sends to what the state machine applies.
// A KV request (kv.proto) becomes a Command (command.proto) as KvService does, the Command's
// bytes travel in a Raft log entry, and every replica parses and applies them
// (Driver::ApplyEntry, KvStateMachine::Apply).
//
// Input (fuzz_input.h): a sequence of (kind byte, piece). Kind % 5: 0 the piece is a Command's
// bytes as found in a log entry; 1..4 a PutRequest, DeleteRequest, CompareAndSwapRequest or
// TxnRequest as a client sends it.
//
// Beyond "no crash" it holds that
//   - a Command's bytes round-trip: parse(serialize(parse(b))) == parse(b);
//   - Apply is deterministic: two replicas applying the same commands give the same answers
//     and the same state;
//   - a retried write (same client id and sequence, id non-zero) is not applied again: it gets
//     the same answer and leaves the state as it was;
//   - the incrementally kept digest equals the digest of the same pairs restored from a
//     snapshot, and restore(serialize(x)) == x.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/server/kv_state_machine.h"

namespace refdb::fuzz {
namespace {

using commandpb::Command;
using server::KvStateMachine;

constexpr size_t kMaxCommands = 64;

template <typename Request>
std::optional<Request> ParseRequest(std::string_view bytes) {
  Request request;
  if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  return request;
}

// What KvService does with each request (services.cc).
std::optional<Command> ToCommand(uint8_t kind, std::string_view bytes) {
  Command command;
  switch (kind % 5) {
    case 0:
      if (!command.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return {};
      return command;
    case 1: {
      auto put = ParseRequest<kvpb::PutRequest>(bytes);
      if (!put) return {};
      *command.mutable_write_id() = put->write_id();
      *command.mutable_put() = *put;
      return command;
    }
    case 2: {
      auto del = ParseRequest<kvpb::DeleteRequest>(bytes);
      if (!del) return {};
      *command.mutable_write_id() = del->write_id();
      *command.mutable_del() = *del;
      return command;
    }
    case 3: {
      auto cas = ParseRequest<kvpb::CompareAndSwapRequest>(bytes);
      if (!cas) return {};
      *command.mutable_write_id() = cas->write_id();
      *command.mutable_cas() = *cas;
      return command;
    }
    default: {
      auto txn = ParseRequest<kvpb::TxnRequest>(bytes);
      if (!txn) return {};
      *command.mutable_write_id() = txn->write_id();
      *command.mutable_txn() = *txn;
      return command;
    }
  }
}

// The entry's bytes as every replica parses them.
Command ThroughTheLog(const Command& command) {
  const std::string entry_data = command.SerializeAsString();
  Command parsed;
  CHECK(parsed.ParseFromString(entry_data)) << "a serialized command does not parse";
  CHECK(parsed.SerializeAsString() == entry_data) << "a command does not round-trip";
  return parsed;
}

void ApplyToBoth(const Command& command, KvStateMachine& replica_a, KvStateMachine& replica_b) {
  const std::string answer_a = replica_a.Apply(command).SerializeAsString();
  const std::string answer_b = replica_b.Apply(command).SerializeAsString();
  CHECK(answer_a == answer_b) << "two replicas answered one command differently";
  if (command.write_id().client_id() == 0) return;
  const std::string state = replica_a.Serialize();
  const uint64_t digest = replica_a.digest();
  CHECK(replica_a.Apply(command).SerializeAsString() == answer_a)
      << "a retried write got a different answer";
  CHECK(replica_a.Serialize() == state && replica_a.digest() == digest)
      << "a retried write was applied twice";
}

void CheckSnapshot(const KvStateMachine& replica_a, const KvStateMachine& replica_b) {
  const std::string image = replica_a.Serialize();
  CHECK(replica_b.Serialize() == image) << "two replicas diverged";
  KvStateMachine restored;
  CHECK(restored.Restore(image).ok());
  CHECK(restored.Serialize() == image);
  CHECK(restored.digest() == replica_a.digest()) << "the kept digest is wrong";
  CHECK(restored.size() == replica_a.size());
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refdb::fuzz::ByteReader reader(data, size);
  refdb::server::KvStateMachine replica_a;
  refdb::server::KvStateMachine replica_b;
  for (size_t i = 0; i < refdb::fuzz::kMaxCommands && !reader.empty(); ++i) {
    const uint8_t kind = reader.TakeByte();
    const auto command = refdb::fuzz::ToCommand(kind, reader.TakePiece());
    if (!command) continue;
    refdb::fuzz::ApplyToBoth(refdb::fuzz::ThroughTheLog(*command), replica_a, replica_b);
  }
  refdb::fuzz::CheckSnapshot(replica_a, replica_b);
  return 0;
}

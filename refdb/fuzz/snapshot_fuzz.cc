// Fuzz target: a snapshot's contents as the server reads them back, from its own disk
// (DiskLogStore::Load) or from a leader (InstallSnapshot): the membership blob
// (raft::DecodeMembers) and the state machine image (KvStateMachine::Restore). The file
// framing around them is the stable_store target's.
//
// Input (fuzz_input.h): a piece for the membership blob, the rest for the state image.
//
// Beyond "no crash" it holds that
//   - decoded members are non-zero and strictly increasing, and encode then decode unchanged;
//   - an image that does not parse gives InvalidArgument and leaves the state as it was;
//   - an image that restores serializes to a canonical image, which restores to the same
//     state (same bytes, size and digest): restore(serialize(x)) == x.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/raft/membership.h"
#include "refdb/server/kv_state_machine.h"

namespace refdb::fuzz {
namespace {

void CheckMembers(std::string_view blob) {
  auto members = raft::DecodeMembers(blob);
  if (!members.ok()) {
    CHECK(members.status().code() == common::StatusCode::kInvalidArgument);
    return;
  }
  CHECK(!members->empty());
  for (size_t i = 0; i < members->size(); ++i) {
    CHECK((*members)[i] != raft::kNoNode);
    CHECK(i == 0 || (*members)[i - 1] < (*members)[i]);
  }
  auto again = raft::DecodeMembers(raft::EncodeMembers(*members));
  CHECK(again.ok() && *again == *members);
}

server::KvStateMachine SomeState() {
  server::KvStateMachine machine;
  commandpb::Command put;
  put.mutable_put()->set_key("k");
  put.mutable_put()->set_value("v");
  put.mutable_write_id()->set_client_id(7);
  put.mutable_write_id()->set_sequence(1);
  (void)machine.Apply(put);
  return machine;
}

void CheckImage(std::string_view image) {
  server::KvStateMachine machine = SomeState();
  const std::string before = machine.Serialize();
  const uint64_t digest_before = machine.digest();
  const common::Status restored = machine.Restore(image);
  if (!restored.ok()) {
    CHECK(restored.code() == common::StatusCode::kInvalidArgument) << restored.message();
    CHECK(machine.Serialize() == before && machine.digest() == digest_before)
        << "a failed restore changed the state";
    return;
  }
  const std::string canonical = machine.Serialize();
  server::KvStateMachine copy;
  CHECK(copy.Restore(canonical).ok()) << "a serialized state does not restore";
  CHECK(copy.Serialize() == canonical);
  CHECK(copy.size() == machine.size());
  CHECK(copy.digest() == machine.digest());
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refdb::fuzz::ByteReader reader(data, size);
  refdb::fuzz::CheckMembers(reader.TakePiece());
  refdb::fuzz::CheckImage(reader.TakeRest());
  return 0;
}

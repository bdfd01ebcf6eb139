// Fuzz target: peer messages, from the bytes another node sends (peer.proto) to the Raft core:
// what PeerService does with them (services.cc). A MessageBatch (Send, Stream) or a stream of
// SnapshotChunks (InstallSnapshot) is parsed, each message decoded by FromProto
// (message_codec.h), and each message that decodes is stepped into a fresh follower of a
// three-node cluster, whose Ready is then persisted and advanced as the server loop does.
// A fresh node per message keeps the target about decoding: a sequence of messages can lie
// (two leaders in one term), and Raft trusts its peers not to lie.
//
// Input: flag byte bit 0 clear: the rest is a MessageBatch; set: the rest is a sequence of
// pieces (fuzz_input.h), each a SnapshotChunk, assembled as InstallSnapshot does.
//
// Beyond "no crash" it holds that
//   - a decoded message survives encode then decode unchanged: FromProto(ToProto(m)) == m;
//   - a decode failure is InvalidArgument;
//   - the core either accepts a decoded message or answers with a Status, never aborts, and
//     its invariants (raft/invariants.h) hold afterwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/check.h"
#include "common/rng.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/raft/invariants.h"
#include "refdb/raft/memory_log_store.h"
#include "refdb/raft/node.h"
#include "refdb/server/message_codec.h"

namespace refdb::fuzz {
namespace {

constexpr uint8_t kSnapshotStream = 1;
constexpr size_t kMaxChunks = 16;

void StepIntoFollower(const raft::Message& m) {
  raft::MemoryLogStore store;
  common::Rng rng(1);
  auto node = raft::Node::Open({.id = 1, .peers = {1, 2, 3}}, store, rng);
  CHECK(node.ok()) << node.status().message();
  (void)node->Step(m);
  while (node->HasReady()) {
    raft::Ready rd = node->TakeReady();
    if (rd.snapshot) store.ApplySnapshot(*rd.snapshot);
    if (!rd.entries.empty()) store.Append(rd.entries);
    if (rd.hard_state) store.SetHardState(*rd.hard_state);
    node->Advance(rd);
  }
  raft::CheckInvariants(*node);
}

void CheckMessage(const peerpb::Message& p) {
  auto m = server::FromProto(p);
  if (!m.ok()) {
    CHECK(m.status().code() == common::StatusCode::kInvalidArgument) << m.status().message();
    return;
  }
  auto again = server::FromProto(server::ToProto(*m, /*with_snapshot_data=*/true));
  CHECK(again.ok()) << "an encoded message does not decode: " << again.status().message();
  CHECK(*again == *m) << "message round trip: " << raft::Describe(*m) << " came back as "
                      << raft::Describe(*again);
  StepIntoFollower(*m);
}

void CheckBatch(std::string_view bytes) {
  peerpb::MessageBatch batch;
  if (!batch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  for (const peerpb::Message& p : batch.messages()) CheckMessage(p);
}

void CheckSnapshotStream(ByteReader& reader) {
  peerpb::Message header;
  bool has_header = false;
  std::string data;
  for (size_t i = 0; i < kMaxChunks && !reader.empty(); ++i) {
    const std::string_view bytes = reader.TakePiece();
    peerpb::SnapshotChunk chunk;
    if (!chunk.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
    if (chunk.has_header()) {
      header = chunk.header();
      has_header = true;
    }
    data += chunk.data();
  }
  if (!has_header || !header.has_snapshot()) return;
  header.set_snapshot_data(std::move(data));
  CheckMessage(header);
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refdb::fuzz::ByteReader reader(data, size);
  if ((reader.TakeByte() & refdb::fuzz::kSnapshotStream) != 0) {
    refdb::fuzz::CheckSnapshotStream(reader);
  } else {
    refdb::fuzz::CheckBatch(reader.TakeRest());
  }
  return 0;
}

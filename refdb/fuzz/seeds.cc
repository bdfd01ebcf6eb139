#include "refdb/fuzz/seeds.h"

#include <cstdint>
#include <string>
#include <vector>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/raft/message.h"
#include "refdb/server/kv_state_machine.h"
#include "refdb/server/message_codec.h"
#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/log_format.h"
#include "refdb/storage/stable_store.h"

namespace refdb::fuzz {
namespace {

using storage::LogRecord;

// Records first_index .. first_index + count - 1; every third is a membership entry.
std::string Records(uint64_t first_index, int count, uint64_t term) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    const uint64_t index = first_index + static_cast<uint64_t>(i);
    const bool is_membership = index % 3 == 0;
    storage::AppendEncodedRecord(
        out, {.index = index,
              .term = term,
              .type = static_cast<uint8_t>(is_membership ? 1 : 0),
              .data = is_membership ? "1,2,3" : "command " + std::to_string(index)});
  }
  return out;
}

std::string Files(uint8_t flags, const std::vector<std::pair<uint8_t, std::string>>& files) {
  std::string out(1, static_cast<char>(flags));
  for (const auto& [name_byte, contents] : files) {
    out.push_back(static_cast<char>(name_byte));
    PutPiece(out, contents);
  }
  return out;
}

std::map<std::string, std::string> WalRecordSeeds() {
  const std::string three = Records(1, 3, 1);
  std::string flipped = three;
  flipped[30] = static_cast<char>(flipped[30] ^ 1);
  std::string empty_data;
  storage::AppendEncodedRecord(empty_data, {.index = 7, .term = 2, .type = 2, .data = ""});
  return {{"three-records", three},
          {"empty-data", empty_data},
          {"torn-payload", three.substr(0, three.size() - 3)},
          {"checksum-mismatch", flipped},
          {"segment-name", storage::SegmentFileName(42)}};
}

std::map<std::string, std::string> WalRecoverySeeds() {
  const std::string torn = Records(3, 2, 2);
  std::string middle = Records(1, 4, 1);
  middle[40] = static_cast<char>(middle[40] ^ 4);
  return {
      {"one-segment", Files(0, {{1, Records(1, 3, 1)}})},
      {"two-segments-torn-tail",
       Files(0, {{1, Records(1, 2, 1)}, {3, torn.substr(0, torn.size() - 5)}})},
      {"bad-record-in-the-middle", Files(0, {{1, middle}})},
      {"missing-segment", Files(1, {{1, Records(1, 2, 1)}, {5, Records(5, 1, 1)}})},
      {"no-segments", Files(0, {{255, "not a segment"}})},
  };
}

std::string KvImage() {
  server::KvStateMachine machine;
  commandpb::Command put;
  put.mutable_write_id()->set_client_id(9);
  put.mutable_write_id()->set_sequence(1);
  put.set_log_time_ns(1'800'000'000'000'000'000);  // a session with a last use, a log clock
  put.mutable_put()->set_key("x");
  put.mutable_put()->set_value("1");
  (void)machine.Apply(put);
  commandpb::Command cas;
  cas.mutable_cas()->set_key("x");
  cas.mutable_cas()->set_expected_value("1");
  cas.mutable_cas()->set_new_value("22");
  (void)machine.Apply(cas);
  return machine.Serialize();
}

// The store's own files after saving these values.
std::pair<std::string, std::string> StableStoreFiles() {
  storage::FaultyFileSystem fs;
  CHECK(fs.CreateDir("/d").ok());
  auto store = storage::StableStore::Open(fs, "/d");
  CHECK(store.ok());
  CHECK(store->SaveHardState({.term = 5, .vote = 2, .commit = 17}).ok());
  CHECK(store->SaveSnapshot({.index = 10, .term = 3, .members_blob = "1,2,3"}, KvImage()).ok());
  auto hard_state = storage::ReadWholeFile(fs, "/d/hard-state");
  auto snapshot = storage::ReadWholeFile(fs, "/d/snapshot");
  CHECK(hard_state.ok() && snapshot.ok());
  return {*hard_state, *snapshot};
}

std::map<std::string, std::string> StableStoreSeeds() {
  const auto [hard_state, snapshot] = StableStoreFiles();
  const auto input = [](uint8_t flags, const std::string& hs, const std::string& snap) {
    std::string out(1, static_cast<char>(flags));
    PutPiece(out, hs);
    return out + snap;
  };
  std::string damaged = hard_state;
  damaged[20] = static_cast<char>(damaged[20] ^ 1);
  return {{"both-files", input(2 | 4, hard_state, snapshot)},
          {"hard-state-and-leftover", input(2 | 8, hard_state, "")},
          {"damaged-hard-state", input(2 | 4, damaged, snapshot)},
          {"short-snapshot-fixed-checksum", input(1 | 4, "", snapshot.substr(0, 30))}};
}

std::map<std::string, std::string> DataDirSeeds() {
  const auto [hard_state, snapshot] = StableStoreFiles();
  const auto input = [](uint8_t flags, const std::string& hs, const std::string& snap,
                        const std::vector<std::pair<uint8_t, std::string>>& log_files) {
    std::string out(1, static_cast<char>(flags));
    PutPiece(out, hs);
    PutPiece(out, snap);
    return out + Files(0, log_files).substr(1);
  };
  return {{"snapshot-and-log", input(2 | 4, hard_state, snapshot, {{11, Records(11, 3, 3)}})},
          {"log-only", input(0, "", "", {{1, Records(1, 4, 1)}})},
          {"log-ends-before-snapshot", input(4, "", snapshot, {{1, Records(1, 3, 1)}})},
          {"empty", std::string(1, '\0')}};
}

std::map<std::string, std::string> SnapshotSeeds() {
  const auto input = [](const std::string& members, const std::string& image) {
    std::string out;
    PutPiece(out, members);
    return out + image;
  };
  return {{"three-members", input("1,2,3", KvImage())},
          {"empty", input("", "")},
          {"unordered-members", input("3,1", KvImage())}};
}

std::string Batch(const std::vector<raft::Message>& messages) {
  peerpb::MessageBatch batch;
  for (const raft::Message& m : messages) *batch.add_messages() = server::ToProto(m, true);
  return std::string(1, '\0') + batch.SerializeAsString();
}

std::string SnapshotStream() {
  const raft::Message m{.type = raft::MsgType::kSnapshot,
                        .from = 2,
                        .to = 1,
                        .term = 3,
                        .snapshot = raft::Snapshot{.index = 10, .term = 3, .members = {1, 2, 3}}};
  const std::string image = KvImage();
  peerpb::SnapshotChunk first;
  *first.mutable_header() = server::ToProto(m, /*with_snapshot_data=*/false);
  first.set_data(image.substr(0, image.size() / 2));
  peerpb::SnapshotChunk second;
  second.set_data(image.substr(image.size() / 2));
  std::string out(1, '\1');
  PutPiece(out, first.SerializeAsString());
  PutPiece(out, second.SerializeAsString());
  return out;
}

std::map<std::string, std::string> PeerMessageSeeds() {
  using raft::MsgType;
  const std::vector<raft::Entry> entries = {
      {.term = 2, .index = 1, .type = raft::EntryType::kEmpty},
      {.term = 2, .index = 2, .type = raft::EntryType::kNormal, .data = KvImage()},
      {.term = 2, .index = 3, .type = raft::EntryType::kConfChange, .data = "1,2,3"}};
  return {
      {"append", Batch({{.type = MsgType::kAppend,
                         .from = 2,
                         .to = 1,
                         .term = 2,
                         .entries = entries,
                         .commit = 2}})},
      {"vote-and-heartbeat",
       Batch({{.type = MsgType::kPreVote, .from = 3, .to = 1, .term = 4, .log_term = 2, .index = 7},
              {.type = MsgType::kHeartbeat, .from = 2, .to = 1, .term = 2, .read_id = 5}})},
      {"responses",
       Batch({{.type = MsgType::kAppendResp,
               .from = 2,
               .to = 1,
               .term = 2,
               .index = 4,
               .reject = true,
               .conflict_term = 1,
               .conflict_index = 2},
              {.type = MsgType::kReadIndex, .from = 3, .to = 1, .term = 2, .context = "r1"},
              {.type = MsgType::kTimeoutNow, .from = 2, .to = 1, .term = 2}})},
      {"snapshot-stream", SnapshotStream()}};
}

std::string Request(uint8_t kind, const google::protobuf::Message& request) {
  std::string out(1, static_cast<char>(kind));
  PutPiece(out, request.SerializeAsString());
  return out;
}

std::map<std::string, std::string> ClientRequestSeeds() {
  kvpb::PutRequest put;
  put.mutable_write_id()->set_client_id(5);
  put.mutable_write_id()->set_sequence(1);
  put.set_key("k");
  put.set_value("v1");
  kvpb::CompareAndSwapRequest cas;
  cas.mutable_write_id()->set_client_id(5);
  cas.mutable_write_id()->set_sequence(2);
  cas.set_key("k");
  cas.set_expected_value("v1");
  cas.set_new_value("v2");
  kvpb::TxnRequest txn;
  for (const auto kind : {kvpb::TxnOp::GET, kvpb::TxnOp::PUT, kvpb::TxnOp::DELETE}) {
    kvpb::TxnOp& op = *txn.add_ops();
    op.set_kind(kind);
    op.set_key(kind == kvpb::TxnOp::PUT ? "t" : "k");
    op.set_value("tv");
  }
  kvpb::DeleteRequest del;
  del.set_key("t");
  commandpb::Command command;
  command.set_proposer_id(1);
  command.set_proposal_id(8);
  *command.mutable_put() = put;
  *command.mutable_write_id() = put.write_id();
  return {{"put-retry-cas", Request(1, put) + Request(1, put) + Request(3, cas)},
          {"txn-delete", Request(4, txn) + Request(2, del)},
          {"log-entry-command", Request(0, command) + Request(2, del)}};
}

}  // namespace

Corpus BuildSeedCorpus() {
  return {{"wal_record", WalRecordSeeds()},     {"wal_recovery", WalRecoverySeeds()},
          {"stable_store", StableStoreSeeds()}, {"snapshot", SnapshotSeeds()},
          {"peer_message", PeerMessageSeeds()}, {"client_request", ClientRequestSeeds()},
          {"data_dir", DataDirSeeds()}};
}

}  // namespace refdb::fuzz

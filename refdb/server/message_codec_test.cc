#include "refdb/server/message_codec.h"

#include <gtest/gtest.h>

namespace refdb::server {
namespace {

TEST(MessageCodec, AppendRoundTrips) {
  const raft::Message m{.type = raft::MsgType::kAppend,
                        .from = 1,
                        .to = 2,
                        .term = 3,
                        .log_term = 2,
                        .index = 5,
                        .entries = {{.term = 3, .index = 6, .data = "x"},
                                    {.term = 3, .index = 7, .type = raft::EntryType::kEmpty}},
                        .commit = 4,
                        .read_id = 9,
                        .context = "ctx"};
  auto back = FromProto(ToProto(m, true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
}

TEST(MessageCodec, SnapshotRoundTripsWithData) {
  const raft::Message m{
      .type = raft::MsgType::kSnapshot,
      .from = 1,
      .to = 3,
      .term = 4,
      .snapshot = raft::Snapshot{.index = 10, .term = 4, .members = {1, 2, 3}, .data = "img"}};
  auto back = FromProto(ToProto(m, true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  auto without = FromProto(ToProto(m, false));
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->snapshot->data, "");
}

TEST(MessageCodec, UnknownTypeIsRejected) {
  peerpb::Message p;
  p.set_type(static_cast<peerpb::MessageType>(99));
  EXPECT_FALSE(FromProto(p).ok());
}

}  // namespace
}  // namespace refdb::server

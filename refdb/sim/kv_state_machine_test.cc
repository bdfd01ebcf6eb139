#include "refdb/sim/kv_state_machine.h"

#include <gtest/gtest.h>

namespace refdb::sim {
namespace {

TEST(KvStateMachine, CommandsRoundTripThroughText) {
  const KvCommand cas{
      .kind = CommandKind::kCas, .op_id = 7, .key = "k1", .value = "v7", .expected = "v3"};
  const common::Result<KvCommand> decoded = DecodeCommand(EncodeCommand(cas));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->kind, CommandKind::kCas);
  EXPECT_EQ(decoded->op_id, 7u);
  EXPECT_EQ(decoded->expected, "v3");
  EXPECT_EQ(decoded->value, "v7");
  EXPECT_FALSE(DecodeCommand("X 1 k").ok());
  EXPECT_FALSE(DecodeCommand("P one k v").ok());
}

TEST(KvStateMachine, CasAppliesOnlyWhenTheCompareHolds) {
  KvStateMachine kv;
  EXPECT_FALSE(kv.Apply({.kind = CommandKind::kCas, .key = "k", .value = "b", .expected = "a"}).ok);
  (void)kv.Apply({.kind = CommandKind::kPut, .key = "k", .value = "a"});
  EXPECT_TRUE(kv.Apply({.kind = CommandKind::kCas, .key = "k", .value = "b", .expected = "a"}).ok);
  EXPECT_EQ(kv.Apply({.kind = CommandKind::kGet, .key = "k"}).value, "b");
}

TEST(KvStateMachine, SnapshotRestoresTheState) {
  KvStateMachine kv;
  (void)kv.Apply({.kind = CommandKind::kPut, .key = "k0", .value = "v1"});
  (void)kv.Apply({.kind = CommandKind::kPut, .key = "k1", .value = "v2"});
  const common::Result<KvStateMachine> copy = KvStateMachine::Deserialize(kv.Serialize());
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->Get("k1"), "v2");
  EXPECT_EQ(copy->Get("k2"), std::nullopt);
  EXPECT_FALSE(KvStateMachine::Deserialize("torn").ok());
}

}  // namespace
}  // namespace refdb::sim

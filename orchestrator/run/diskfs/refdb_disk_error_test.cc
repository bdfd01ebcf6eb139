// refdb on a data dir mounted through splitbrain-diskfs: a node whose fsync fails with EIO
// stops (refdb's storage refuses to go on, STYLE.md §3) rather than acknowledging the write it
// could not make durable. Root and /dev/fuse; under CI=true their absence fails.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing/prerequisite.h"
#include "gtest/gtest.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"
#include "refdb/client/client.h"
#include "refdb/server/testing/local_cluster.h"

namespace diskfs {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RefdbOnDiskfs, ANodeWhoseFsyncFailsStopsInsteadOfAcknowledging) {
  SPLITBRAIN_REQUIRE(::geteuid() == 0, "root (a FUSE mount)");
  SPLITBRAIN_REQUIRE(fs::exists("/dev/fuse"), "/dev/fuse");
  auto cluster = refdb::testing::LocalCluster::Start({.binary = REFDB_BINARY, .nodes = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  // Once the node made its data dir, the dir goes under the disk layer: its files move to the
  // backing dir.
  ASSERT_TRUE((*cluster)->WaitForLeader(milliseconds(10000)).ok());
  ASSERT_TRUE((*cluster)->StopNode(1).ok());
  const fs::path data = (*cluster)->data_dir(1);
  const fs::path backing = data.string() + ".backing";
  fs::rename(data, backing);
  fs::create_directory(data);
  auto mount = DiskfsMount::Create({.helper = DISKFS_BIN,
                                    .run_id = "d15cee10",
                                    .name = "n1",
                                    .backing = backing,
                                    .mountpoint = data,
                                    .log = backing.string() + ".log"});
  ASSERT_TRUE(mount.ok()) << mount.status().message();
  ASSERT_TRUE((*cluster)->StartNode(1).ok());
  ASSERT_TRUE((*cluster)->WaitForLeader(milliseconds(10000)).ok());
  auto client = refdb::client::Client::Create({.endpoints = (*cluster)->endpoints(),
                                               .call_deadline = milliseconds(1000),
                                               .max_attempts = 3});
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Put("before", "1").ok()) << "the layer passes writes through";

  ASSERT_TRUE((*mount)->Set({.eio = {nemesis::DiskOp::kFsync}}).ok());
  EXPECT_FALSE((*client)->Put("after", "2").ok()) << "acknowledged a write it could not fsync";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*cluster)->is_running(1) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_FALSE((*cluster)->is_running(1)) << "the node kept running after a failed fsync";
  const std::string log = Slurp((*cluster)->log_path(1));
  EXPECT_NE(log.find("cannot persist"), std::string::npos) << log;
  EXPECT_NE(log.find("Input/output error"), std::string::npos) << log;
  EXPECT_TRUE((*mount)->Unmount().ok());
}

}  // namespace
}  // namespace diskfs

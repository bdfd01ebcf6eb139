// RefDb: the Db adapter for refdb. Nodes run `refdb --id N --listen IP:7000 --peers
// 1=IP:7000,... --data DIR [--bug NAME]...`; clients are refdb/client's Client, whose outcome
// classification (ok / fail / unknown) maps one to one onto ok / fail / info. With TLS
// (Attach's ClusterInfo::tls), each node's PEM files are written to DIR/tls/{ca.pem,node.pem,
// node.key} (NodeFiles) and passed as --tls-ca/--tls-cert/--tls-key; clients and status probes
// present the run's client certificate.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "workloads/db.h"

namespace workloads {

struct RefDbOptions {
  std::filesystem::path binary;    // the refdb program
  std::vector<std::string> bugs;   // each becomes --bug NAME
  std::vector<std::string> extra;  // more flags for every node (tuning)
};

class RefDb final : public Db {
 public:
  static constexpr uint16_t kPort = 7000;

  explicit RefDb(RefDbOptions options);
  ~RefDb() override;

  std::string name() const override { return "refdb"; }
  DbTraits traits() const override;
  uint16_t port() const override { return kPort; }
  std::vector<std::filesystem::path> Binaries() const override { return {options_.binary}; }
  std::vector<std::string> NodeArgv(const NodeEnv& env) const override;
  void Attach(const ClusterInfo& cluster) override;
  std::vector<NodeFile> NodeFiles(const NodeEnv& env) const override;
  common::Result<std::unique_ptr<DbClient>> Connect(const ClientOptions& options) const override;
  common::Result<NodeStatus> Status(const std::string& endpoint,
                                    std::chrono::milliseconds deadline) const override;
  // DATA_DIR/events.jsonl, read by ReadRefdbNodeLog.
  std::optional<checker::NodeLog> ReadNodeLog(int node,
                                              const std::filesystem::path& data_dir) const override;

 private:
  struct StatusChannel;
  std::shared_ptr<StatusChannel> ChannelFor(const std::string& endpoint) const;
  std::optional<ClusterTls> tls() const;

  RefDbOptions options_;
  mutable common::Mutex mu_;
  mutable std::map<std::string, std::shared_ptr<StatusChannel>> status_channels_ GUARDED_BY(mu_);
  std::optional<ClusterTls> tls_ GUARDED_BY(mu_);
};

// Reads refdb's events.jsonl (refdb/server/event_log.h: one JSON line per role or leader change,
// {"time_ns":...,"node":1,"term":3,"role":"leader","leader":1}) as the node log of `node`. A
// missing file gives the problem "no events.jsonl: PATH"; an unreadable one the reason; a
// malformed line (not a JSON object, no integer "term", no string "role", another node's
// "node") the events before it and the problem "PATH:LINE: ...". Blank lines are skipped.
checker::NodeLog ReadRefdbNodeLog(int node, const std::filesystem::path& events_jsonl);

}  // namespace workloads

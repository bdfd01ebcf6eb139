// DefinedDb: the Db for any database described by a definition file (db_definition.h,
// docs/db-definitions.md). Nodes run the definition's processes (several under
// splitbrain-procs), with its config files written into their data dirs; status comes from its
// probes through its field mapping; clients are its client program, one per worker, through
// LineClient (docs/client-protocol.md). Nothing here knows any particular database.
// Thread-safe: Status is called from the poller's threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "workloads/db.h"
#include "workloads/db_definition.h"

namespace workloads {

struct DefinedDbOptions {
  DbDefinition definition;
  // splitbrain-procs: runs a node's processes together when the definition has several.
  std::filesystem::path procs_binary;
};

class DefinedDb final : public Db {
 public:
  explicit DefinedDb(DefinedDbOptions options);
  ~DefinedDb() override;

  std::string name() const override { return options_.definition.name; }
  DbTraits traits() const override;
  uint16_t port() const override { return options_.definition.client_port; }
  std::vector<std::filesystem::path> Binaries() const override;
  std::vector<std::string> NodeArgv(const NodeEnv& env) const override;
  common::Result<std::unique_ptr<DbClient>> Connect(const ClientOptions& options) const override;
  common::Result<NodeStatus> Status(const std::string& endpoint,
                                    std::chrono::milliseconds deadline) const override;
  std::optional<checker::NodeLog> ReadNodeLog(
      int /*node*/, const std::filesystem::path& /*data_dir*/) const override {
    return std::nullopt;
  }
  void Attach(const ClusterInfo& cluster) override;
  std::vector<NodeFile> NodeFiles(const NodeEnv& env) const override;
  common::Status Ready(const NodeEnv& env, std::chrono::milliseconds deadline) const override;
  // Probes are fresh connections (and a JVM's admin server answers HTTP): 250 ms.
  std::chrono::milliseconds StatusDeadline() const override {
    return std::chrono::milliseconds(250);
  }
  std::chrono::seconds ReadyTimeout() const override {
    return std::chrono::seconds(options_.definition.ready_timeout_s);
  }
  std::optional<DbSource> source() const override;
  std::vector<std::filesystem::path> ImageFiles() const override {
    return options_.definition.docker_files;
  }
  std::string ImageName() const override { return options_.definition.docker_image; }

  const DbDefinition& definition() const { return options_.definition; }

 private:
  TemplateContext Context(const NodeEnv& env) const;
  int NodeOfIp(const std::string& ip) const;  // 0: not a node
  // The node `fields` name as leader; 0 when none or unknown.
  int LeaderOf(const std::map<std::string, std::string>& fields, int self) const;

  DefinedDbOptions options_;
  mutable common::Mutex mu_;
  ClusterInfo cluster_ GUARDED_BY(mu_);
  mutable std::map<std::string, int> member_ids_ GUARDED_BY(mu_);  // member id -> node
  // Since when each node has claimed to lead (for settle_ms).
  mutable std::map<int, std::chrono::steady_clock::time_point> claims_ GUARDED_BY(mu_);
};

// "10.0.0.3:2379" -> "10.0.0.3"; an address without a port as is.
std::string HostOf(const std::string& endpoint);

// An integer field: decimal, or hex with 0x. nullopt when it is neither.
std::optional<uint64_t> ParseUnsigned(const std::string& text);

}  // namespace workloads

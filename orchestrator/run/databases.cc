#include "orchestrator/run/databases.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "workloads/db_definition.h"
#include "workloads/defined_db.h"
#include "workloads/etcd_db.h"
#include "workloads/refdb_db.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Status;

namespace {

// --refdb-bin, else the refdb built beside this splitbrain
// (build/<preset>/orchestrator/splitbrain → build/<preset>/refdb/server/refdb).
fs::path BuildDir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path().parent_path();
}

// The NAMEs of root/NAME/db.json, comma-separated; "none" when there are none.
std::string KnownDefinitions(const fs::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (fs::is_regular_file(entry.path() / "db.json", ec)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

fs::path RefdbPath(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag);
  const fs::path build = BuildDir();
  return build.empty() ? build : build / "refdb" / "server" / "refdb";
}

}  // namespace

fs::path NetqBinary() {
  const fs::path build = BuildDir();
  return build.empty() ? build : build / "orchestrator" / "run" / "netq" / "splitbrain-netq";
}

common::Result<fs::path> CandidateProgram() {
  const fs::path build = BuildDir();
  const fs::path program =
      build.empty() ? fs::path() : build / "workloads" / "splitbrain-candidate";
  if (program.empty() || ::access(program.c_str(), X_OK) != 0) {
    return Status::NotFound("the election workload needs splitbrain-candidate beside splitbrain (" +
                            program.string() + "): build the target splitbrain-candidate");
  }
  return program;
}

fs::path DefinitionsRoot() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread starts
  if (const char* env = std::getenv("SPLITBRAIN_DBS"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (fs::is_directory("workloads/dbs", ec)) return fs::absolute("workloads/dbs");
  return fs::path(SPLITBRAIN_SOURCE_DIR) / "workloads" / "dbs";
}

common::Result<std::unique_ptr<workloads::Db>> MakeDbAdapter(const RunSpec& spec) {
  switch (spec.db) {
    case DbKind::kEtcd:
      return std::unique_ptr<workloads::Db>(std::make_unique<workloads::EtcdDb>(
          workloads::EtcdDbOptions{.binary = fs::absolute(spec.etcd_bin)}));
    case DbKind::kDefinition: {
      const fs::path root = DefinitionsRoot();
      const fs::path file = workloads::DefinitionPath(spec.db_definition, root);
      common::Result<workloads::DbDefinition> loaded = workloads::LoadDbDefinition(file);
      if (!loaded.ok() && loaded.status().code() == common::StatusCode::kNotFound) {
        return Status::NotFound("no database \"" + spec.db_definition +
                                "\": not refdb or etcd, and " + loaded.status().message() +
                                " (definitions in " + root.string() + ": " +
                                KnownDefinitions(root) + ")");
      }
      ASSIGN_OR_RETURN(workloads::DbDefinition definition, std::move(loaded));
      const fs::path build = BuildDir();
      return std::unique_ptr<workloads::Db>(std::make_unique<workloads::DefinedDb>(
          workloads::DefinedDbOptions{.definition = std::move(definition),
                                      .procs_binary = build / "workloads" / "splitbrain-procs"}));
    }
    case DbKind::kRefdb:
      break;
  }
  return std::unique_ptr<workloads::Db>(std::make_unique<workloads::RefDb>(
      workloads::RefDbOptions{.binary = RefdbPath(spec.refdb_bin), .bugs = spec.db_bugs}));
}

Status CheckDbBinaries(const RunSpec& spec, const workloads::Db& db) {
  for (const fs::path& binary : db.Binaries()) {
    if (!binary.empty() && access(binary.c_str(), X_OK) == 0) continue;
    switch (spec.db) {
      case DbKind::kEtcd:
        return Status::NotFound("etcd binary " + spec.etcd_bin +
                                " is missing or not executable; install Debian's etcd-server "
                                "(ci/setup.sh) or give --etcd-bin PATH");
      case DbKind::kDefinition:
        return Status::NotFound(
            binary.string() + " (run by " + spec.db_definition +
            ") is missing or not executable; install the definition's install.debian packages "
            "(ci/install-dbs.sh)" +
            (binary.filename() == "splitbrain-procs" ? " or build splitbrain-procs" : ""));
      case DbKind::kRefdb:
        if (binary.empty())
          return Status::NotFound("cannot find this program's path; give --refdb-bin");
        return Status::NotFound("refdb binary " + binary.string() +
                                " is missing or not executable; build it (ci/build.sh) or give "
                                "--refdb-bin PATH");
    }
  }
  return Status::Ok();
}

}  // namespace orchestrator

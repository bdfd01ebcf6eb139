#include "orchestrator/run/databases.h"

#include <unistd.h>

#include <filesystem>

#include "workloads/etcd_db.h"
#include "workloads/refdb_db.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Status;

namespace {

// --refdb-bin, else the refdb built beside this splitbrain
// (build/<preset>/orchestrator/splitbrain → build/<preset>/refdb/server/refdb).
fs::path RefdbPath(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag);
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return self.parent_path().parent_path() / "refdb" / "server" / "refdb";
}

}  // namespace

std::unique_ptr<workloads::Db> MakeDbAdapter(const RunSpec& spec) {
  switch (spec.db) {
    case DbKind::kEtcd:
      return std::make_unique<workloads::EtcdDb>(
          workloads::EtcdDbOptions{.binary = fs::absolute(spec.etcd_bin)});
    case DbKind::kRefdb:
      break;
  }
  return std::make_unique<workloads::RefDb>(
      workloads::RefDbOptions{.binary = RefdbPath(spec.refdb_bin), .bugs = spec.db_bugs});
}

Status CheckDbBinaries(const RunSpec& spec, const workloads::Db& db) {
  for (const fs::path& binary : db.Binaries()) {
    if (!binary.empty() && access(binary.c_str(), X_OK) == 0) continue;
    switch (spec.db) {
      case DbKind::kEtcd:
        return Status::NotFound("etcd binary " + spec.etcd_bin +
                                " is missing or not executable; install Debian's etcd-server "
                                "(ci/setup.sh) or give --etcd-bin PATH");
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

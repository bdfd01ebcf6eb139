#include "orchestrator/cli/cleanup_command.h"

#include <iostream>
#include <set>

#include "orchestrator/cli/check_command.h"
#include "orchestrator/run/backend/cleanup.h"
#include "orchestrator/run/client_processes.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"
#include "orchestrator/run/run_certificates.h"
#include "orchestrator/run/run_registry.h"

namespace orchestrator {

int RunCleanupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string only;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--run" && i + 1 < args.size()) {
      only = args[++i];
    } else if (args[i].rfind("--run=", 0) == 0) {
      only = args[i].substr(6);
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: splitbrain cleanup [--run ID]\n"
             "Removes the containers, networks, namespaces, links, processes and TLS certificate\n"
             "directories that dead runs left behind. Live runs are never touched.\n";
      return kExitValid;
    } else {
      err << "splitbrain cleanup: unexpected argument \"" << args[i] << "\"\n";
      return kExitBadInput;
    }
  }
  if (!only.empty() && !IsValidRunId(only)) {
    err << "splitbrain cleanup: --run: \"" << only << "\" is not a run id (8 hex digits)\n";
    return kExitBadInput;
  }
  if (!only.empty() && IsRunLive(only)) {
    err << "splitbrain cleanup: run " << only
        << " is still running; stop it (Ctrl-C tears it down) instead\n";
    return kExitBadInput;
  }
  std::set<std::string> skipped_live;
  const RunFilter filter = [&](const std::string& id) {
    if (!only.empty()) return id == only;
    if (IsRunLive(id)) {
      skipped_live.insert(id);
      return false;
    }
    return true;
  };
  int code = kExitValid;
  size_t removed = 0;
  for (auto [what, result] :
       {std::pair{"docker", CleanupDocker(filter)}, std::pair{"netns", CleanupNetns(filter)},
        // After the nodes (netns), before the helpers (clients): a mount whose helper is
        // killed first stays, answering ENOTCONN, until it is unmounted.
        std::pair{"disk mounts", diskfs::CleanupDiskMounts(filter)},
        std::pair{"clients", CleanupClients(filter)},
        std::pair{"certificates", CleanupRunCertificates(filter)}}) {
    if (!result.ok()) {
      err << "splitbrain cleanup: " << what << ": " << result.status().message() << "\n";
      code = kExitRunFailed;
      continue;
    }
    for (const std::string& line : *result) out << "removed " << line << "\n";
    removed += result->size();
  }
  for (const std::string& id : ForgetDeadRuns()) {
    if (only.empty() || id == only) out << "forgot dead run " << id << "\n";
  }
  for (const std::string& id : skipped_live) out << "left live run " << id << " alone\n";
  out << "cleanup: removed " << removed << " object" << (removed == 1 ? "" : "s") << "\n";
  return code;
}

}  // namespace orchestrator

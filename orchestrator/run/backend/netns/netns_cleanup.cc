// CleanupNetns (cleanup.h): removes what netns runs left, from names alone: namespaces
// sb-<id>-... (after SIGKILLing every process inside) and host links sb<id>h.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>

#include "common/process/run.h"
#include "orchestrator/run/backend/cleanup.h"
#include "orchestrator/run/backend/netns/net_object.h"

namespace orchestrator {

using common::Result;
using common::Status;
using common::process::RunChecked;
using nlohmann::json;

namespace {

// Names found in `ip -j ...` output (an array of objects) under `key`, grouped by the run id
// `pattern`'s first group captures. Empty output (no namespace at all) is an empty array.
Result<std::multimap<std::string, std::string>> NamesByRun(const std::string& output,
                                                           const std::string& key,
                                                           const std::regex& pattern) {
  std::multimap<std::string, std::string> names;
  if (output.find_first_not_of(" \n") == std::string::npos) return names;
  const json items = json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (items.is_discarded() || !items.is_array()) {
    return Status::InvalidArgument("cleanup netns: `ip -j` printed something not a JSON array");
  }
  for (const json& item : items) {
    if (!item.is_object() || !item.contains(key) || !item[key].is_string()) continue;
    const std::string name = item[key].get<std::string>();
    std::smatch match;
    if (std::regex_match(name, match, pattern)) names.emplace(match[1].str(), name);
  }
  return names;
}

// SIGKILLs every process in namespace `name`; one line per process.
Status KillProcessesIn(const std::string& name, std::vector<std::string>& removed) {
  ASSIGN_OR_RETURN(const std::string pids, RunChecked({"ip", "netns", "pids", name}));
  std::istringstream in(pids);
  long pid = 0;
  while (in >> pid) {
    if (pid <= 1) continue;
    if (::kill(static_cast<pid_t>(pid), SIGKILL) == 0) {
      removed.push_back("process " + std::to_string(pid) + " (netns " + name + ")");
    } else if (errno != ESRCH) {
      return Status::IoError("cleanup netns: kill " + std::to_string(pid) + ": " +
                             std::error_code(errno, std::generic_category()).message());
    }
  }
  return Status::Ok();
}

// Runs a delete; an object already gone is not an error and gives no line.
Status Delete(const std::vector<std::string>& argv, const std::string& what,
              std::vector<std::string>& removed) {
  ASSIGN_OR_RETURN(const common::process::RunOutput result, common::process::Run({.argv = argv}));
  if (result.status.ok()) {
    removed.push_back(what);
    return Status::Ok();
  }
  if (netns::IsAlreadyGone(result.err)) return Status::Ok();
  return Status::IoError("cleanup " + what + ": ip " + result.status.Describe() + ": " +
                         result.err);
}

}  // namespace

Result<std::vector<std::string>> CleanupNetns(const RunFilter& filter) {
  std::vector<std::string> removed;
  if (!common::process::FindProgram("ip")) return removed;
  ASSIGN_OR_RETURN(const std::string netns_json, RunChecked({"ip", "-j", "netns", "list"}));
  ASSIGN_OR_RETURN(const std::string links_json, RunChecked({"ip", "-j", "link", "show"}));
  ASSIGN_OR_RETURN(const auto namespaces,
                   NamesByRun(netns_json, "name", std::regex("sb-([0-9a-f]{8})-.+")));
  ASSIGN_OR_RETURN(const auto links,
                   NamesByRun(links_json, "ifname", std::regex("sb([0-9a-f]{8})h")));
  // The filter is asked once per run (it may be costly: the cleanup command checks liveness).
  std::set<std::string> seen;
  std::set<std::string> accepted;
  for (const auto* names : {&namespaces, &links}) {
    for (const auto& [run_id, name] : *names) {
      if (seen.insert(run_id).second && filter(run_id)) accepted.insert(run_id);
    }
  }
  Status first;
  auto note = [&first](const Status& s) {
    if (!s.ok() && first.ok()) first = s;
  };
  for (const auto& [run_id, name] : namespaces) {
    if (accepted.contains(run_id)) note(KillProcessesIn(name, removed));
  }
  for (const auto& [run_id, name] : links) {
    if (accepted.contains(run_id))
      note(Delete({"ip", "link", "del", name}, "link " + name, removed));
  }
  for (const auto& [run_id, name] : namespaces) {
    if (accepted.contains(run_id)) {
      note(Delete({"ip", "netns", "del", name}, "netns " + name, removed));
    }
  }
  if (!first.ok()) return first;
  return removed;
}

}  // namespace orchestrator

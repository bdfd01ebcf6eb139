#include "orchestrator/run/client_processes.h"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

namespace orchestrator {

namespace fs = std::filesystem;

std::vector<RunProcess> RunProcesses() {
  std::vector<RunProcess> out;
  const std::string prefix = std::string(workloads::kRunIdVariable) + "=";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    const std::string environ((std::istreambuf_iterator<char>(in)), {});
    for (size_t at = 0; at < environ.size();) {
      size_t end = environ.find('\0', at);
      if (end == std::string::npos) end = environ.size();
      const std::string_view variable(environ.data() + at, end - at);
      if (variable.starts_with(prefix)) {
        out.push_back({pid, std::string(variable.substr(prefix.size()))});
        break;
      }
      at = end + 1;
    }
  }
  return out;
}

common::Result<std::vector<std::string>> CleanupClients(const RunFilter& filter) {
  std::vector<std::string> removed;
  for (const RunProcess& p : RunProcesses()) {
    if (!filter(p.run_id)) continue;
    // Its name (a client, a packet holder, ...) before it goes.
    std::string name;
    std::getline(std::ifstream("/proc/" + std::to_string(p.pid) + "/comm"), name);
    if (::kill(p.pid, SIGKILL) == 0) {
      removed.push_back("process " + std::to_string(p.pid) + " (" +
                        (name.empty() ? "a process" : name) + " of run " + p.run_id + ")");
    }
  }
  return removed;
}

}  // namespace orchestrator

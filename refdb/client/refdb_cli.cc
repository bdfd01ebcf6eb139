// refdb-cli: refdb from a terminal.
//   refdb-cli --endpoints a,b,c get KEY [--serializable]
//   refdb-cli --endpoints a,b,c put KEY VALUE
//   refdb-cli --endpoints a,b,c cas KEY (EXPECTED|--absent) NEW
//   refdb-cli --endpoints a,b,c del KEY
//   refdb-cli --endpoints a,b,c status
// Prints the result on stdout; the outcome (ok / fail / info) and any error on stderr.
// Exit codes: 0 ok, 1 fail (definitely not applied), 2 info (outcome unknown), 254 bad usage.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "refdb/client/client.h"

namespace {

using refdb::client::Client;
using refdb::client::Outcome;

constexpr int kExitBadUsage = 254;

int Usage(const std::string& why) {
  std::cerr << "refdb-cli: " << why << "\n"
            << "usage: refdb-cli --endpoints HOST:PORT,... [--timeout-ms N]\n"
               "                 [--tls-ca FILE --tls-cert FILE --tls-key FILE] COMMAND\n"
               "  get KEY [--serializable] | put KEY VALUE | cas KEY (EXPECTED|--absent) NEW\n"
               "  del KEY | status\n";
  return kExitBadUsage;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

template <typename T>
int Finish(const refdb::client::OpResult<T>& r) {
  std::cerr << refdb::client::OutcomeName(r.outcome);
  if (!r.ok()) std::cerr << ": " << r.error.message();
  std::cerr << "\n";
  return r.outcome == Outcome::kOk ? 0 : r.outcome == Outcome::kFail ? 1 : 2;
}

int PrintStatus(Client& client, const std::vector<std::string>& endpoints) {
  int rc = 0;
  for (const std::string& e : endpoints) {
    auto r = client.Status(e);
    if (!r.ok()) {
      std::cout << e << " unreachable: " << r.error.message() << "\n";
      rc = 1;
      continue;
    }
    const auto& s = r.value;
    std::cout << e << " id=" << s.node_id() << " role=" << s.role() << " term=" << s.term()
              << " leader=" << s.leader_id() << " commit=" << s.commit_index()
              << " applied=" << s.applied_index() << " last=" << s.last_log_index()
              << " snapshot=" << s.snapshot_index() << " digest=" << std::hex << s.state_digest()
              << std::dec << "\n";
  }
  return rc;
}

int Run(Client& client, const std::vector<std::string>& endpoints,
        const std::vector<std::string>& cmd) {
  const std::string& verb = cmd[0];
  if (verb == "status" && cmd.size() == 1) return PrintStatus(client, endpoints);
  if (verb == "get" && (cmd.size() == 2 || (cmd.size() == 3 && cmd[2] == "--serializable"))) {
    auto r = client.Get(cmd[1], cmd.size() == 3);
    if (r.ok()) std::cout << (r.value.found ? r.value.value : "(absent)") << "\n";
    return Finish(r);
  }
  if (verb == "put" && cmd.size() == 3) return Finish(client.Put(cmd[1], cmd[2]));
  if (verb == "del" && cmd.size() == 2) {
    auto r = client.Delete(cmd[1]);
    if (r.ok()) std::cout << (r.value ? "deleted" : "(absent)") << "\n";
    return Finish(r);
  }
  if (verb == "cas" && cmd.size() == 4) {
    const std::optional<std::string> expected =
        cmd[2] == "--absent" ? std::nullopt : std::optional<std::string>(cmd[2]);
    auto r = client.CompareAndSwap(cmd[1], expected, cmd[3]);
    if (r.ok()) {
      std::cout << (r.value.succeeded ? "swapped" : "not swapped") << " (was "
                << (r.value.found ? r.value.current_value : "absent") << ")\n";
    }
    return Finish(r);
  }
  return Usage("bad command");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> endpoints;
  std::vector<std::string> cmd;
  long timeout_ms = 2000;
  common::TlsFiles tls;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--endpoints" && i + 1 < argc) {
      endpoints = Split(argv[++i]);
    } else if (arg == "--tls-ca" && i + 1 < argc) {
      tls.ca = argv[++i];
    } else if (arg == "--tls-cert" && i + 1 < argc) {
      tls.cert = argv[++i];
    } else if (arg == "--tls-key" && i + 1 < argc) {
      tls.key = argv[++i];
    } else if (arg == "--timeout-ms" && i + 1 < argc) {
      timeout_ms = std::strtol(argv[++i], nullptr, 10);
    } else {
      cmd.push_back(arg);
    }
  }
  if (endpoints.empty()) return Usage("--endpoints is required");
  if (cmd.empty()) return Usage("no command");
  if (timeout_ms <= 0) return Usage("--timeout-ms must be positive");
  std::optional<common::TlsPem> pem;
  if (tls.enabled()) {
    auto read = common::ReadTlsFiles(tls);
    if (!read.ok()) return Usage(read.status().message());
    pem = std::move(*read);
  }
  auto client = Client::Create({.endpoints = endpoints,
                                .call_deadline = std::chrono::milliseconds(timeout_ms),
                                .tls = std::move(pem)});
  if (!client.ok()) return Usage(client.status().message());
  return Run(**client, endpoints, cmd);
}

#include "orchestrator/run/run_certificates.h"

#include <system_error>

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;

namespace {

constexpr char kPrefix[] = "splitbrain-tls-";
constexpr size_t kRunIdLength = 8;

std::string NodeName(int node) { return "n" + std::to_string(node); }

}  // namespace

std::string RunCertificatesPrefix(const std::string& run_id) {
  return std::string(kPrefix) + run_id + "-";
}

Result<RunCertificates> RunCertificates::Create(const std::string& run_id,
                                                const std::vector<std::string>& node_addresses) {
  common::certs::CertDirOptions options{.parent = fs::temp_directory_path(),
                                        .prefix = RunCertificatesPrefix(run_id),
                                        .ca_name = "splitbrain run " + run_id + " CA"};
  for (size_t i = 0; i < node_addresses.size(); ++i) {
    options.identities.push_back(
        {.name = NodeName(static_cast<int>(i) + 1), .addresses = {node_addresses[i]}});
  }
  options.identities.push_back({.name = "client"});
  ASSIGN_OR_RETURN(common::certs::CertDir certs, common::certs::CertDir::Create(options));
  return RunCertificates(std::move(certs), static_cast<int>(node_addresses.size()));
}

RunCertificates::~RunCertificates() {
  std::error_code ec;
  for (const fs::path& copy : copies_) fs::remove_all(copy, ec);
}

Result<workloads::ClusterTls> RunCertificates::ClusterTls() const {
  workloads::ClusterTls tls;
  for (int node = 1; node <= nodes_; ++node) {
    ASSIGN_OR_RETURN(common::TlsPem pem, common::ReadTlsFiles(certs_.FilesFor(NodeName(node))));
    tls.nodes.push_back(std::move(pem));
  }
  ASSIGN_OR_RETURN(tls.client, common::ReadTlsFiles(certs_.FilesFor("client")));
  return tls;
}

Result<std::vector<std::string>> CleanupRunCertificates(const RunFilter& filter) {
  std::vector<std::string> removed;
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  if (ec) return removed;
  for (const fs::directory_entry& entry : fs::directory_iterator(tmp, ec)) {
    const std::string name = entry.path().filename().string();
    // splitbrain-tls-<8 hex digits>-XXXXXX
    if (name.rfind(kPrefix, 0) != 0 || name.size() < sizeof kPrefix - 1 + kRunIdLength + 1) {
      continue;
    }
    const std::string run_id = name.substr(sizeof kPrefix - 1, kRunIdLength);
    if (name[sizeof kPrefix - 1 + kRunIdLength] != '-' || !filter(run_id)) continue;
    std::error_code remove_ec;
    fs::remove_all(entry.path(), remove_ec);
    if (remove_ec) {
      return common::Status::IoError("remove " + entry.path().string() + ": " +
                                     remove_ec.message());
    }
    removed.push_back("certificates " + entry.path().string() + " of run " + run_id);
  }
  return removed;
}

}  // namespace orchestrator

// RunCertificates: the throwaway CA and certificates of one `splitbrain run --tls` (RAII). Made
// with Debian's `openssl` (common/certs/cert_dir.h) in TMP/splitbrain-tls-<run id>-XXXXXX:
// one certificate per node, n<i>, whose subjectAltName is the node's address in the backend's
// network (an IP entry, or a DNS entry for a host name), and one for the harness's clients,
// "client"; every certificate is valid for both server and client authentication. ClusterTls()
// is what Db::Attach takes; the database writes each node's copy into its data dir
// (Db::NodeFiles), and those copies are registered with AlsoRemove. The destructor removes the
// directory and the copies; `splitbrain cleanup` finds a dead run's directory by its run id
// (CleanupRunCertificates).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/certs/cert_dir.h"
#include "common/status.h"
#include "orchestrator/run/backend/cleanup.h"
#include "workloads/db.h"

namespace orchestrator {

class RunCertificates {
 public:
  // `node_addresses`: index i-1 for node i. IoError / NotFound naming openssl's failure.
  static common::Result<RunCertificates> Create(const std::string& run_id,
                                                const std::vector<std::string>& node_addresses);
  RunCertificates(RunCertificates&&) noexcept = default;
  RunCertificates& operator=(RunCertificates&&) noexcept = default;
  ~RunCertificates();

  // The PEM contents of every node's and the client's identity.
  common::Result<workloads::ClusterTls> ClusterTls() const;
  // Removed with the certificates (a node's copies in its data dir).
  void AlsoRemove(std::filesystem::path path) { copies_.push_back(std::move(path)); }
  const std::filesystem::path& dir() const { return certs_.dir(); }

 private:
  RunCertificates(common::certs::CertDir certs, int nodes)
      : certs_(std::move(certs)), nodes_(nodes) {}

  common::certs::CertDir certs_;
  int nodes_ = 0;
  std::vector<std::filesystem::path> copies_;
};

// The directory name's start for run `run_id`: "splitbrain-tls-<run id>-".
std::string RunCertificatesPrefix(const std::string& run_id);

// Removes TMP/splitbrain-tls-<id>-* of every run `filter` accepts; one line per directory.
common::Result<std::vector<std::string>> CleanupRunCertificates(const RunFilter& filter);

}  // namespace orchestrator

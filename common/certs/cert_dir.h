// CertDir: a throwaway certificate authority and the certificates it signs, in a directory of
// its own that the object owns (RAII: removed with everything in it on destruction). Made with
// Debian's `openssl` program, run by argument vector (common/process), never a shell:
//
//   ASSIGN_OR_RETURN(CertDir certs, CertDir::Create({.parent = "/tmp", .prefix = "x-tls-",
//       .identities = {{.name = "n1", .addresses = {"10.0.0.1"}}, {.name = "client"}}}));
//   common::TlsFiles n1 = certs.FilesFor("n1");   // {ca.pem, n1.pem, n1.key}
//
// The CA (P-256, valid 2 days, basicConstraints CA:TRUE) signs one certificate per identity,
// each with a fresh P-256 key, CN = the name, subjectAltName = its addresses (an IPv4 or IPv6
// literal becomes an IP entry, anything else a DNS entry) and extendedKeyUsage serverAuth +
// clientAuth, so one certificate serves a node both as server and as peer client. Keys are
// unencrypted PEM (PKCS#8), files mode 0600 in a 0700 directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tls.h"

namespace common::certs {

struct Identity {
  std::string name;                    // [A-Za-z0-9_-]+: the file names and the CN
  std::vector<std::string> addresses;  // SANs; may be empty (a client)
};

struct CertDirOptions {
  std::filesystem::path parent;                     // where the directory is made (mkdtemp)
  std::string prefix;                               // its name's start; "XXXXXX" is appended
  std::string ca_name = "splitbrain throwaway CA";  // the CA's CN
  std::vector<Identity> identities;
  std::string openssl = "openssl";  // the program (a path, or a name on PATH)
};

class CertDir {
 public:
  // InvalidArgument for a bad identity name; NotFound without openssl; IoError naming the
  // failed openssl command and its stderr. Nothing is left behind on failure.
  static Result<CertDir> Create(const CertDirOptions& options);
  CertDir(CertDir&& other) noexcept;
  CertDir& operator=(CertDir&& other) noexcept;
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;
  ~CertDir();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path ca() const { return dir_ / "ca.pem"; }
  // ca.pem, NAME.pem, NAME.key (paths; the files exist for every identity given to Create).
  TlsFiles FilesFor(const std::string& name) const;

 private:
  explicit CertDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Status Generate(const CertDirOptions& options) const;
  Status Sign(const CertDirOptions& options, const Identity& identity, int serial) const;

  std::filesystem::path dir_;  // empty once moved from
};

// "IP:10.0.0.1,DNS:n1": the subjectAltName value for `addresses`.
std::string SubjectAltName(const std::vector<std::string>& addresses);

}  // namespace common::certs

// TlsFiles and TlsPem: the three PEM files of one TLS identity (the CA that signs every
// certificate of the cluster, this party's certificate and its private key), as paths and as
// contents. ReadTlsFiles reads them with errors that name the flag-like role and the path; it
// checks only the PEM markers (refdb's server parses and matches them fully).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

struct TlsFiles {
  std::string ca;    // PEM: the CA certificate that peers' certificates must chain to
  std::string cert;  // PEM: this party's certificate
  std::string key;   // PEM: this party's private key
  bool enabled() const { return !ca.empty() || !cert.empty() || !key.empty(); }
};

struct TlsPem {
  std::string ca;
  std::string cert;
  std::string key;
};

namespace tls_internal {

inline Result<std::string> ReadPem(std::string_view role, const std::string& path,
                                   std::string_view marker) {
  if (path.empty()) return Status::InvalidArgument(std::string(role) + ": no file given");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(std::string(role) + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find(marker) == std::string::npos) {
    return Status::InvalidArgument(std::string(role) + ": " + path + " has no PEM \"" +
                                   std::string(marker) + "\" block");
  }
  return text.str();
}

}  // namespace tls_internal

// Roles in errors: "--tls-ca", "--tls-cert", "--tls-key" (the flags every program uses).
inline Result<TlsPem> ReadTlsFiles(const TlsFiles& files) {
  TlsPem pem;
  ASSIGN_OR_RETURN(pem.ca, tls_internal::ReadPem("--tls-ca", files.ca, "-----BEGIN CERTIFICATE"));
  ASSIGN_OR_RETURN(pem.cert,
                   tls_internal::ReadPem("--tls-cert", files.cert, "-----BEGIN CERTIFICATE"));
  ASSIGN_OR_RETURN(pem.key, tls_internal::ReadPem("--tls-key", files.key, "PRIVATE KEY-----"));
  return pem;
}

}  // namespace common

#include "refdb/server/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

namespace refdb::server {

using common::Result;
using common::Status;

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string OpensslError() {
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  ERR_clear_error();
  if (code == 0) return "not PEM";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Result<CertPtr> ParseCert(const std::string& flag, const std::string& path,
                          const std::string& pem) {
  auto bio = MemoryBio(pem);
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return Status::InvalidArgument(flag + ": " + path + " is not a certificate (" + OpensslError() +
                                   ")");
  }
  return cert;
}

Result<KeyPtr> ParseKey(const std::string& path, const std::string& pem) {
  auto bio = MemoryBio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return Status::InvalidArgument("--tls-key: " + path + " is not a private key (" +
                                   OpensslError() + ")");
  }
  return key;
}

}  // namespace

Result<common::TlsPem> LoadTls(const common::TlsFiles& files) {
  ASSIGN_OR_RETURN(common::TlsPem pem, common::ReadTlsFiles(files));
  ASSIGN_OR_RETURN(CertPtr ca, ParseCert("--tls-ca", files.ca, pem.ca));
  ASSIGN_OR_RETURN(CertPtr cert, ParseCert("--tls-cert", files.cert, pem.cert));
  ASSIGN_OR_RETURN(KeyPtr key, ParseKey(files.key, pem.key));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key: " + files.key + " is not the key of " + files.cert);
  }
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.get());
  if (ca_key == nullptr || X509_verify(cert.get(), ca_key) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-cert: " + files.cert + " is not signed by the CA in " +
                                   files.ca);
  }
  return pem;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const std::optional<common::TlsPem>& tls) {
  if (!tls) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls->ca;
  options.pem_key_cert_pairs.push_back({.private_key = tls->key, .cert_chain = tls->cert});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(
    const std::optional<common::TlsPem>& tls) {
  if (!tls) return grpc::InsecureChannelCredentials();
  return grpc::SslCredentials(
      {.pem_root_certs = tls->ca, .pem_private_key = tls->key, .pem_cert_chain = tls->cert});
}

}  // namespace refdb::server

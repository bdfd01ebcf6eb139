#include "common/certs/cert_dir.h"

#include <arpa/inet.h>
#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp

#include <system_error>

#include "common/errno_text.h"
#include "common/process/run.h"

namespace common::certs {

namespace fs = std::filesystem;
using process::RunChecked;

namespace {

constexpr char kCurve[] = "ec_paramgen_curve:prime256v1";
constexpr char kDays[] = "2";

bool IsIpLiteral(const std::string& address) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

bool IsValidName(const std::string& name) {
  if (name.empty() || name == "ca") return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status RunOpenssl(const CertDirOptions& options, std::vector<std::string> args) {
  args.insert(args.begin(), options.openssl);
  auto ran = RunChecked({.argv = std::move(args), .deadline = std::chrono::seconds(30)});
  return ran.ok() ? Status::Ok() : ran.status().WithContext("certificates");
}

}  // namespace

std::string SubjectAltName(const std::vector<std::string>& addresses) {
  std::string san;
  for (const std::string& a : addresses) {
    san += san.empty() ? "" : ",";
    san += (IsIpLiteral(a) ? "IP:" : "DNS:") + a;
  }
  return san;
}

Result<CertDir> CertDir::Create(const CertDirOptions& options) {
  for (const Identity& identity : options.identities) {
    if (!IsValidName(identity.name)) {
      return Status::InvalidArgument("certificates: \"" + identity.name +
                                     R"(" is not a name ([A-Za-z0-9_-]+, not "ca"))");
    }
  }
  std::string pattern = (options.parent / (options.prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IoError("certificates: mkdtemp " + pattern + ": " + ErrnoText(errno));
  }
  CertDir certs{fs::path(pattern)};  // removed again if anything below fails
  RETURN_IF_ERROR(certs.Generate(options));
  return certs;
}

Status CertDir::Generate(const CertDirOptions& options) const {
  RETURN_IF_ERROR(RunOpenssl(
      options, {"req", "-x509", "-newkey", "ec", "-pkeyopt", kCurve, "-nodes", "-keyout",
                (dir_ / "ca.key").string(), "-out", ca().string(), "-days", kDays, "-subj",
                "/CN=" + options.ca_name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign"}));
  int serial = 1;
  for (const Identity& identity : options.identities) {
    RETURN_IF_ERROR(Sign(options, identity, ++serial));
  }
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec)) {
    fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, ec);
  }
  return Status::Ok();
}

Status CertDir::Sign(const CertDirOptions& options, const Identity& identity, int serial) const {
  const std::string base = (dir_ / identity.name).string();
  std::vector<std::string> request = {"req",
                                      "-new",
                                      "-newkey",
                                      "ec",
                                      "-pkeyopt",
                                      kCurve,
                                      "-nodes",
                                      "-keyout",
                                      base + ".key",
                                      "-out",
                                      base + ".csr",
                                      "-subj",
                                      "/CN=" + identity.name,
                                      "-addext",
                                      "extendedKeyUsage=serverAuth,clientAuth"};
  if (!identity.addresses.empty()) {
    request.insert(request.end(),
                   {"-addext", "subjectAltName=" + SubjectAltName(identity.addresses)});
  }
  RETURN_IF_ERROR(RunOpenssl(options, request));
  RETURN_IF_ERROR(
      RunOpenssl(options, {"x509", "-req", "-in", base + ".csr", "-CA", ca().string(), "-CAkey",
                           (dir_ / "ca.key").string(), "-set_serial", std::to_string(serial),
                           "-days", kDays, "-copy_extensions", "copyall", "-out", base + ".pem"}));
  std::error_code ec;
  fs::remove(base + ".csr", ec);
  return Status::Ok();
}

TlsFiles CertDir::FilesFor(const std::string& name) const {
  return {.ca = ca().string(),
          .cert = (dir_ / (name + ".pem")).string(),
          .key = (dir_ / (name + ".key")).string()};
}

CertDir::CertDir(CertDir&& other) noexcept : dir_(std::exchange(other.dir_, {})) {}

CertDir& CertDir::operator=(CertDir&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    dir_ = std::exchange(other.dir_, {});
  }
  return *this;
}

CertDir::~CertDir() {
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace common::certs

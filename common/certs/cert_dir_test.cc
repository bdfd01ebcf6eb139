// CertDir against the real `openssl` program: the files it promises, certificates that verify
// against their own CA and not another's, the SANs asked for, and the directory gone after.
#include "common/certs/cert_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/process/run.h"
#include "common/testing/prerequisite.h"

namespace common::certs {
namespace {

namespace fs = std::filesystem;

class CertDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(process::FindProgram("openssl").has_value(),
                       "no openssl program (Debian package openssl)");
  }

  static Result<CertDir> Make(const std::string& prefix) {
    return CertDir::Create({.parent = fs::temp_directory_path(),
                            .prefix = prefix,
                            .identities = {{.name = "n1", .addresses = {"10.1.2.3", "n1.test"}},
                                           {.name = "n2", .addresses = {"10.1.2.4"}},
                                           {.name = "client"}}});
  }

  // `openssl verify -CAfile CA CERT`: its exit status and output.
  static process::RunOutput Verify(const std::string& ca, const std::string& cert) {
    auto ran = process::Run({.argv = {"openssl", "verify", "-CAfile", ca, cert}});
    EXPECT_TRUE(ran.ok()) << ran.status().message();
    return ran.ok() ? *ran : process::RunOutput{};
  }

  static std::string Extension(const std::string& cert, const std::string& name) {
    auto out = process::RunChecked({"openssl", "x509", "-in", cert, "-noout", "-ext", name});
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? *out : "";
  }
};

TEST_F(CertDirTest, EveryIdentityHasACertificateThatVerifiesAgainstTheCa) {
  auto certs = Make("certdir-test-");
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  for (const std::string name : {"n1", "n2", "client"}) {
    const TlsFiles files = certs->FilesFor(name);
    EXPECT_TRUE(fs::exists(files.ca));
    EXPECT_TRUE(fs::exists(files.key)) << name;
    const process::RunOutput verified = Verify(files.ca, files.cert);
    EXPECT_TRUE(verified.status.ok()) << name << ": " << verified.out << verified.err;
    auto pem = ReadTlsFiles(files);
    EXPECT_TRUE(pem.ok()) << pem.status().message();
  }
}

TEST_F(CertDirTest, CertificatesCarryTheirAddressesAsSubjectAltNames) {
  auto certs = Make("certdir-test-");
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  const std::string n1 = Extension(certs->FilesFor("n1").cert, "subjectAltName");
  EXPECT_NE(n1.find("IP Address:10.1.2.3"), std::string::npos) << n1;
  EXPECT_NE(n1.find("DNS:n1.test"), std::string::npos) << n1;
  const std::string n2 = Extension(certs->FilesFor("n2").cert, "subjectAltName");
  EXPECT_NE(n2.find("IP Address:10.1.2.4"), std::string::npos) << n2;
  EXPECT_EQ(n2.find("10.1.2.3"), std::string::npos) << n2;
  const std::string usage = Extension(certs->FilesFor("n2").cert, "extendedKeyUsage");
  EXPECT_NE(usage.find("TLS Web Server Authentication"), std::string::npos) << usage;
  EXPECT_NE(usage.find("TLS Web Client Authentication"), std::string::npos) << usage;
  EXPECT_EQ(SubjectAltName({"127.0.0.1", "::1", "node-1"}), "IP:127.0.0.1,IP:::1,DNS:node-1");
}

TEST_F(CertDirTest, ACertificateFromAnotherCaDoesNotVerify) {
  auto ours = Make("certdir-test-");
  auto theirs = Make("certdir-test-");
  ASSERT_TRUE(ours.ok() && theirs.ok());
  const process::RunOutput verified = Verify(ours->ca().string(), theirs->FilesFor("n1").cert);
  EXPECT_FALSE(verified.status.ok()) << verified.out;
}

TEST_F(CertDirTest, TheDirectoryIsRemovedWithTheObjectAndMovesWithIt) {
  fs::path dir;
  {
    auto certs = Make("certdir-test-");
    ASSERT_TRUE(certs.ok()) << certs.status().message();
    CertDir moved = std::move(*certs);
    dir = moved.dir();
    EXPECT_TRUE(fs::exists(dir / "n1.pem"));
    EXPECT_EQ(dir.filename().string().rfind("certdir-test-", 0), 0U) << dir;
    EXPECT_EQ(fs::status(dir).permissions() & fs::perms::others_all, fs::perms::none);
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(CertDirTest, BadNamesAndAMissingProgramAreClearErrors) {
  auto bad = CertDir::Create({.parent = fs::temp_directory_path(),
                              .prefix = "certdir-test-",
                              .identities = {{.name = "../n1"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"../n1\" is not a name"), std::string::npos);
  auto missing = CertDir::Create({.parent = fs::temp_directory_path(),
                                  .prefix = "certdir-test-",
                                  .identities = {{.name = "n1"}},
                                  .openssl = "/nonexistent/openssl"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("certificates"), std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace common::certs

// Helpers shared by refdb/storage tests: status assertions and an RAII temporary directory.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>

#include "common/check.h"
#include "common/rng.h"
#include "common/status.h"

#define ASSERT_OK(expr)                                             \
  do {                                                              \
    const ::common::Status sb_test_status_ = (expr);                \
    ASSERT_TRUE(sb_test_status_.ok()) << sb_test_status_.message(); \
  } while (false)

#define EXPECT_OK(expr)                                             \
  do {                                                              \
    const ::common::Status sb_test_status_ = (expr);                \
    EXPECT_TRUE(sb_test_status_.ok()) << sb_test_status_.message(); \
  } while (false)

namespace refdb::storage {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/refdb-storage-XXXXXX";
    CHECK(::mkdtemp(pattern.data()) != nullptr) << "mkdtemp " << pattern;
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
    if (error) std::cerr << "remove " << path_ << ": " << error.message() << "\n";
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace refdb::storage

// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents when the
// object goes away (a failed removal is logged). Move-only; not thread-safe. For tests and
// benchmarks.
#pragma once

#include <string>

#include "common/status.h"

namespace common::testing {

class TempDir {
 public:
  static common::Result<TempDir> Create(const std::string& prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;  // empty once moved from
};

}  // namespace common::testing

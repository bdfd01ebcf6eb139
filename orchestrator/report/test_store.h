// Test support for the report tests: a throw-away store that run folders from testdata/ are
// copied into, and small file helpers. Header-only; tests only.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orchestrator::report {

namespace fs = std::filesystem;

inline fs::path Testdata() { return REPORT_TESTDATA_DIR; }

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A store in a fresh temporary folder, removed at the end of the test; runs are copied into it
// from testdata/ (or written by the test) as STORE/<test>/<stamp>/.
class Store {
 public:
  Store() {
    std::string pattern = (fs::temp_directory_path() / "report-test-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
  }
  ~Store() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const fs::path& root() const { return root_; }

  fs::path AddRun(const std::string& fixture, const std::string& test, const std::string& stamp) {
    fs::path dir = root_ / test / stamp;
    fs::create_directories(dir.parent_path());
    fs::copy(Testdata() / fixture, dir, fs::copy_options::recursive);
    PointLatestAt(dir);
    return dir;
  }

  void PointLatestAt(const fs::path& dir) {
    std::error_code ec;
    fs::remove(root_ / "latest", ec);
    fs::create_directory_symlink(fs::relative(dir, root_), root_ / "latest");
  }

 private:
  fs::path root_;
};

}  // namespace orchestrator::report

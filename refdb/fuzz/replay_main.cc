// The main of a fuzz target's replay test (built when SPLITBRAIN_FUZZ is off): runs the
// target's LLVMFuzzerTestOneInput once on every file of every directory named on the command
// line, in name order, so the seed corpus and every saved crash stay tested by the ordinary
// build with any compiler. A target's own CHECKs abort the process, which fails the test.
// A directory that does not exist is skipped (a target may have no regressions yet); finding
// no input at all is an error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path());
  }
  if (error) std::cerr << dir.string() << ": " << error.message() << "\n";
  std::sort(files.begin(), files.end());
  return files;
}

bool Replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << file.string() << ": cannot open\n";
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::cout << "replay " << file.string() << " (" << bytes.size() << " bytes)" << std::endl;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path dir(argv[i]);
    std::error_code error;
    if (!std::filesystem::exists(dir, error)) {
      std::cout << dir.string() << ": absent, skipped\n";
      continue;
    }
    for (const std::filesystem::path& file : FilesIn(dir)) {
      if (!Replay(file)) return 1;
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " inputs\n";
  if (replayed == 0) {
    std::cerr << "no inputs found: the seed corpus is missing\n";
    return 1;
  }
  return 0;
}

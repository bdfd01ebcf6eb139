// refdb_fuzz_seeds: writes the seed corpus of every fuzz target (seeds.h) under DIR/<target>/,
// or with --check compares DIR with it and exits 1 on any difference (a ctest test does this
// on refdb/fuzz/corpus, so the committed seeds always match the code that builds them).
// Files in DIR that the generator does not build are left alone: the corpus may keep inputs
// found by fuzzing. Usage: refdb_fuzz_seeds [--check] DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

#include "refdb/fuzz/seeds.h"

namespace {

bool WriteFile(const std::filesystem::path& path, const std::string& contents) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out || error) std::cerr << path.string() << ": cannot write\n";
  return static_cast<bool>(out) && !error;
}

bool FileEquals(const std::filesystem::path& path, const std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes == contents;
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string_view(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::cerr << "usage: refdb_fuzz_seeds [--check] DIR\n";
    return 254;
  }
  const std::filesystem::path dir(argv[argc - 1]);
  int differences = 0;
  for (const auto& [target, files] : refdb::fuzz::BuildSeedCorpus()) {
    for (const auto& [name, contents] : files) {
      const std::filesystem::path path = dir / target / name;
      if (check) {
        if (FileEquals(path, contents)) continue;
        std::cerr << path.string() << ": differs from what refdb_fuzz_seeds builds\n";
        ++differences;
      } else if (!WriteFile(path, contents)) {
        return 3;
      }
    }
  }
  if (differences > 0) {
    std::cerr << "regenerate with: refdb_fuzz_seeds " << dir.string() << "\n";
    return 1;
  }
  std::cout << (check ? "seed corpus up to date: " : "seed corpus written to ") << dir.string()
            << "\n";
  return 0;
}

#include "refdb/storage/file_system.h"

namespace refdb::storage {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(path, OpenMode::kExisting));
  ASSIGN_OR_RETURN(const uint64_t size_bytes, file->Size());
  ASSIGN_OR_RETURN(std::string contents, file->ReadAt(0, size_bytes));
  if (contents.size() != size_bytes) {
    return Status::IoError(path + ": read: file shrank while being read");
  }
  return contents;
}

}  // namespace refdb::storage

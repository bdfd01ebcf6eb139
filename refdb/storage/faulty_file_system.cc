#include "refdb/storage/faulty_file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace refdb::storage {
namespace {

using Inode = FaultyFileSystem::Inode;

std::string ErrnoMessage(const std::string& path, std::string_view action, int error_number) {
  return path + ": " + std::string(action) + ": " + std::strerror(error_number);
}

// Splits "/a/b/c" into "/a/b" and "c".
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

class FaultyFile final : public File {
 public:
  FaultyFile(FaultyFileSystem& fs, std::string path, std::shared_ptr<Inode> inode)
      : fs_(fs), path_(std::move(path)), inode_(std::move(inode)), generation_(fs.generation()) {}

  const std::string& path() const override { return path_; }

  Status Append(std::string_view data) override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    return fs_.Write(inode_, path_, inode_->data.size(), data);
  }

  Status WriteAt(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    return fs_.Write(inode_, path_, offset, data);
  }

  Result<std::string> ReadAt(uint64_t offset, size_t size_bytes) override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    if (offset >= inode_->data.size()) return std::string();
    return inode_->data.substr(offset, size_bytes);
  }

  Result<uint64_t> Size() override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    return inode_->data.size();
  }

  Status Truncate(uint64_t size_bytes) override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    inode_->data.resize(size_bytes, '\0');
    return Status::Ok();
  }

  Status Sync() override {
    RETURN_IF_ERROR(fs_.CheckGeneration(generation_, path_));
    return fs_.SyncInode(*inode_, path_);
  }

 private:
  FaultyFileSystem& fs_;
  std::string path_;
  std::shared_ptr<Inode> inode_;
  uint64_t generation_;
};

}  // namespace

Status FaultyFileSystem::CheckGeneration(uint64_t generation, const std::string& path) const {
  if (generation == generation_) return Status::Ok();
  return Status::IoError(path + ": file handle from before a simulated crash");
}

Status FaultyFileSystem::Write(const std::shared_ptr<Inode>& owner, const std::string& path,
                               uint64_t offset, std::string_view data) {
  Inode& inode = *owner;
  size_t fits = data.size();
  if (space_left_bytes_.has_value()) fits = std::min<uint64_t>(fits, *space_left_bytes_);
  if (inode.data.size() < offset + fits) inode.data.resize(offset + fits, '\0');
  std::copy_n(data.data(), fits, inode.data.begin() + static_cast<std::ptrdiff_t>(offset));
  last_write_ = LastWrite{.inode = owner, .offset = offset, .size_bytes = fits};
  if (space_left_bytes_.has_value()) *space_left_bytes_ -= fits;
  if (fits < data.size()) {
    return Status::ResourceExhausted(ErrnoMessage(path, "pwrite", ENOSPC));
  }
  return Status::Ok();
}

Status FaultyFileSystem::ConsumeSyncFault(const std::string& path) {
  if (!syncs_before_failure_.has_value()) return Status::Ok();
  if (*syncs_before_failure_ > 0) {
    --*syncs_before_failure_;
    return Status::Ok();
  }
  syncs_before_failure_.reset();
  return Status::IoError(ErrnoMessage(path, "fsync", EIO));
}

Status FaultyFileSystem::SyncInode(Inode& inode, const std::string& path) {
  RETURN_IF_ERROR(ConsumeSyncFault(path));
  inode.synced_data = inode.data;
  ++sync_count_;
  if (last_write_.has_value() && last_write_->inode.lock().get() == &inode) last_write_.reset();
  return Status::Ok();
}

Result<FaultyFileSystem::Directory*> FaultyFileSystem::FindDir(const std::string& dir,
                                                               const std::string& path_for_error) {
  auto it = dirs_.find(dir);
  if (it == dirs_.end()) return Status::NotFound(ErrnoMessage(path_for_error, "lookup", ENOENT));
  return &it->second;
}

Result<std::unique_ptr<File>> FaultyFileSystem::Open(const std::string& path, OpenMode mode) {
  const auto [dir_name, name] = SplitPath(path);
  ASSIGN_OR_RETURN(Directory * dir, FindDir(dir_name, path));
  auto it = dir->entries.find(name);
  const bool exists = it != dir->entries.end();
  if (!exists && mode == OpenMode::kExisting) {
    return Status::NotFound(ErrnoMessage(path, "open", ENOENT));
  }
  if (exists && mode == OpenMode::kCreateExclusive) {
    return Status::IoError(ErrnoMessage(path, "open", EEXIST));
  }
  std::shared_ptr<Inode> inode = exists ? it->second : std::make_shared<Inode>();
  if (!exists) dir->entries[name] = inode;
  if (mode == OpenMode::kCreateOrTruncate) inode->data.clear();
  return std::unique_ptr<File>(std::make_unique<FaultyFile>(*this, path, std::move(inode)));
}

Status FaultyFileSystem::Rename(const std::string& source, const std::string& target) {
  const auto [source_dir_name, source_name] = SplitPath(source);
  const auto [target_dir_name, target_name] = SplitPath(target);
  ASSIGN_OR_RETURN(Directory * source_dir, FindDir(source_dir_name, source));
  ASSIGN_OR_RETURN(Directory * target_dir, FindDir(target_dir_name, target));
  auto it = source_dir->entries.find(source_name);
  if (it == source_dir->entries.end()) {
    return Status::NotFound(ErrnoMessage(source, "rename to " + target, ENOENT));
  }
  std::shared_ptr<Inode> inode = it->second;
  source_dir->entries.erase(it);
  target_dir->entries[target_name] = std::move(inode);
  return Status::Ok();
}

Status FaultyFileSystem::Remove(const std::string& path) {
  const auto [dir_name, name] = SplitPath(path);
  ASSIGN_OR_RETURN(Directory * dir, FindDir(dir_name, path));
  if (dir->entries.erase(name) == 0) return Status::NotFound(ErrnoMessage(path, "unlink", ENOENT));
  return Status::Ok();
}

Result<std::vector<std::string>> FaultyFileSystem::ListDir(const std::string& dir_name) {
  ASSIGN_OR_RETURN(Directory * dir, FindDir(dir_name, dir_name));
  std::vector<std::string> names;
  for (const auto& [name, inode] : dir->entries) names.push_back(name);
  return names;  // std::map keeps them sorted
}

Status FaultyFileSystem::SyncDir(const std::string& dir_name) {
  ASSIGN_OR_RETURN(Directory * dir, FindDir(dir_name, dir_name));
  RETURN_IF_ERROR(ConsumeSyncFault(dir_name));
  dir->synced_entries = dir->entries;
  ++sync_count_;
  return Status::Ok();
}

Status FaultyFileSystem::CreateDir(const std::string& dir) {
  dirs_.try_emplace(dir);
  return Status::Ok();
}

Result<bool> FaultyFileSystem::Exists(const std::string& path) {
  if (dirs_.count(path) > 0) return true;
  const auto [dir_name, name] = SplitPath(path);
  auto it = dirs_.find(dir_name);
  return it != dirs_.end() && it->second.entries.count(name) > 0;
}

Status FaultyFileSystem::TearLastWrite(size_t keep_bytes) {
  if (!last_write_.has_value()) return Status::InvalidArgument("no unsynced write to tear");
  const std::shared_ptr<Inode> inode = last_write_->inode.lock();
  if (inode == nullptr) return Status::InvalidArgument("the last write's file is gone");
  const uint64_t end = last_write_->offset + last_write_->size_bytes;
  if (end != inode->data.size() || keep_bytes >= last_write_->size_bytes) {
    return Status::InvalidArgument("the last write cannot be torn that way");
  }
  inode->data.resize(last_write_->offset + keep_bytes);
  inode->synced_data = inode->data;
  last_write_.reset();
  return Status::Ok();
}

void FaultyFileSystem::Crash() {
  for (auto& [name, dir] : dirs_) {
    dir.entries = dir.synced_entries;
    for (auto& [entry_name, inode] : dir.entries) inode->data = inode->synced_data;
  }
  last_write_.reset();
  ++generation_;
}

}  // namespace refdb::storage

#include "orchestrator/run/clockshim/control_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ctime>
#include <utility>

#include "common/errno_text.h"

namespace orchestrator::clockshim {

int64_t MonotonicNowNs() {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

common::Result<ControlFile> ControlFile::Create(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return common::Status::IoError("cannot create " + path.string() + ": " +
                                   common::ErrnoText(errno));
  }
  if (ftruncate(fd, sizeof(ControlBlock)) != 0) {
    const std::string error = common::ErrnoText(errno);
    close(fd);
    return common::Status::IoError("cannot size " + path.string() + ": " + error);
  }
  void* mapped = mmap(nullptr, sizeof(ControlBlock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const std::string error = common::ErrnoText(errno);
  close(fd);
  if (mapped == MAP_FAILED) {
    return common::Status::IoError("cannot map " + path.string() + ": " + error);
  }
  ControlFile file(static_cast<ControlBlock*>(mapped));
  ClockModel model;
  if (!ReadControl(*file.block_, &model)) {
    const int64_t now = MonotonicNowNs();
    WriteControl(*file.block_, ClockModel{.anchor_real_ns = now, .anchor_fake_ns = now, .rate = 1});
  }
  return file;
}

ControlFile::ControlFile(ControlFile&& other) noexcept
    : block_(std::exchange(other.block_, nullptr)) {}

ControlFile& ControlFile::operator=(ControlFile&& other) noexcept {
  if (this != &other) {
    if (block_ != nullptr) munmap(block_, sizeof(ControlBlock));
    block_ = std::exchange(other.block_, nullptr);
  }
  return *this;
}

ControlFile::~ControlFile() {
  if (block_ != nullptr) munmap(block_, sizeof(ControlBlock));
}

common::Status ControlFile::SetRate(double rate) {
  if (!(rate > 0)) return common::Status::InvalidArgument("a clock rate must be above 0");
  ClockModel model;
  if (!ReadControl(*block_, &model)) {
    return common::Status::Internal("the clock control block is unreadable");
  }
  const int64_t now = MonotonicNowNs();
  WriteControl(*block_,
               ClockModel{.anchor_real_ns = now, .anchor_fake_ns = model.Fake(now), .rate = rate});
  return common::Status::Ok();
}

int64_t ControlFile::FakeNowNs() const {
  ClockModel model;
  const int64_t now = MonotonicNowNs();
  return ReadControl(*block_, &model) ? model.Fake(now) : now;
}

double ControlFile::rate() const {
  ClockModel model;
  return ReadControl(*block_, &model) ? model.rate : 1;
}

}  // namespace orchestrator::clockshim

#include "workloads/history_writer.h"

#include <cerrno>
#include <cstring>
#include <system_error>

namespace workloads {

using common::Result;
using common::Status;

Result<std::unique_ptr<HistoryWriter>> HistoryWriter::Open(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    return Status::IoError("cannot create " + path.string() + ": " +
                           std::system_category().message(errno));
  }
  return std::unique_ptr<HistoryWriter>(new HistoryWriter(file, std::chrono::steady_clock::now()));
}

HistoryWriter::HistoryWriter(std::FILE* file, std::chrono::steady_clock::time_point start)
    : start_(start), file_(file) {}

HistoryWriter::~HistoryWriter() { (void)Close(); }

int64_t HistoryWriter::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

checker::Event HistoryWriter::Append(checker::Event event) {
  common::MutexLock lock(mu_);
  event.index = next_index_;
  event.time_ns = NowNs();  // under the lock: times never go backwards along the indices
  if (file_ == nullptr || !status_.ok()) return event;
  ++next_index_;
  std::string line = checker::EventToJsonLine(event);
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    status_ = Status::IoError("cannot write the history: " + std::system_category().message(errno));
    return event;
  }
  events_.fetch_add(1, std::memory_order_relaxed);
  if (observer_) observer_(event);
  return event;
}

void HistoryWriter::SetObserver(Observer observer) {
  common::MutexLock lock(mu_);
  observer_ = std::move(observer);
}

Status HistoryWriter::status() const {
  common::MutexLock lock(mu_);
  return status_;
}

Status HistoryWriter::Close() {
  common::MutexLock lock(mu_);
  if (file_ == nullptr) return status_;
  if (std::fclose(file_) != 0 && status_.ok()) {
    status_ = Status::IoError("cannot close the history: " + std::system_category().message(errno));
  }
  file_ = nullptr;
  return status_;
}

}  // namespace workloads

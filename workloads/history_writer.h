// HistoryWriter: the run's one append-only history. Every producer (client threads, the
// nemesis, the status poller) appends through it; it assigns `index` and `time_ns` (steady
// clock, nanoseconds since the writer was opened) under one mutex, so the file's order is the
// order of the indices and of the times. Each event is written as one JSONL line
// (checker::EventToJsonLine) and flushed to the OS before Append returns, so a crashed run
// still leaves every event it recorded.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

#include "checker/history.h"
#include "common/mutex.h"
#include "common/status.h"

namespace workloads {

class HistoryWriter {
 public:
  // Creates (truncates) `path`.
  static common::Result<std::unique_ptr<HistoryWriter>> Open(const std::filesystem::path& path);
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Sets index and time_ns of `event`, writes it, and returns the event as written. A write
  // error is sticky: later appends are dropped and status() reports the first error.
  checker::Event Append(checker::Event event);

  // Called with every event written, in index order, under the writer's lock (so it must be
  // quick and must not append): a live check reading the history as it grows. Empty: none.
  using Observer = std::function<void(const checker::Event&)>;
  void SetObserver(Observer observer);

  // Nanoseconds on the writer's clock now (the clock time_ns uses).
  int64_t NowNs() const;
  int64_t events_written() const { return events_.load(std::memory_order_relaxed); }
  common::Status status() const;
  common::Status Close();  // flushes and closes; later appends are dropped

 private:
  HistoryWriter(std::FILE* file, std::chrono::steady_clock::time_point start);

  const std::chrono::steady_clock::time_point start_;
  mutable common::Mutex mu_;
  std::FILE* file_ GUARDED_BY(mu_);  // null once closed
  int64_t next_index_ GUARDED_BY(mu_) = 0;
  common::Status status_ GUARDED_BY(mu_);
  Observer observer_ GUARDED_BY(mu_);
  std::atomic<int64_t> events_{0};
};

}  // namespace workloads

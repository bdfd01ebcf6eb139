// InterruptWatcher: turns SIGINT, SIGTERM and SIGHUP into a flag the run polls, so Ctrl-C ends a
// run through the same teardown as a normal end (nothing is left behind). Create it in the main
// thread before any other thread starts: it blocks those signals in the calling thread, so
// every thread started later inherits the mask, and one watcher thread takes them with
// sigtimedwait. The destructor stops the watcher and restores the mask. One per process.
#pragma once

#include <atomic>
#include <csignal>
#include <string>
#include <thread>

namespace orchestrator {

class InterruptWatcher {
 public:
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  bool interrupted() const { return signal_.load() != 0; }
  int count() const { return count_.load(); }  // how many signals arrived
  std::string signal_name() const;             // "SIGINT", or "" before any

 private:
  void Watch();
  static std::string NameOf(int sig);

  sigset_t set_{};
  sigset_t old_mask_{};
  std::atomic<int> signal_{0};
  std::atomic<int> count_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace orchestrator

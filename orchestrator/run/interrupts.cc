#include "orchestrator/run/interrupts.h"

#include <pthread.h>

#include <ctime>
#include <iostream>

namespace orchestrator {

InterruptWatcher::InterruptWatcher() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, &old_mask_);
  thread_ = std::thread([this] { Watch(); });
}

InterruptWatcher::~InterruptWatcher() {
  done_ = true;
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void InterruptWatcher::Watch() {
  const timespec tick{.tv_sec = 0, .tv_nsec = 100'000'000};
  while (!done_) {
    const int sig = sigtimedwait(&set_, nullptr, &tick);
    if (sig <= 0) continue;
    int expected = 0;
    signal_.compare_exchange_strong(expected, sig);
    const int n = ++count_;
    std::cerr << "\nsplitbrain: " << NameOf(sig) << " (" << n
              << (n == 1 ? "): stopping the run and tearing down; please wait"
                         : "): still tearing down so nothing is left behind")
              << std::endl;
  }
}

std::string InterruptWatcher::signal_name() const { return NameOf(signal_.load()); }

std::string InterruptWatcher::NameOf(int sig) {
  switch (sig) {
    case 0:
      return "";
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(sig);
  }
}

}  // namespace orchestrator

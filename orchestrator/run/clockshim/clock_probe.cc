// clock_probe WAIT MS: waits MS milliseconds of its own monotonic clock in one of the ways the
// clock shim converts, and prints "<monotonic ms> <wall ms>": how long the wait took on its
// monotonic clock (faked under libsplitbrain-clock.so) and on CLOCK_REALTIME (not faked here),
// so a test sees both clocks of one process. WAIT: steady (no wait: reads steady_clock across a
// real 200 ms busy loop on the wall clock), cv (std::condition_variable::wait_for), cond
// (pthread_cond_timedwait on a CLOCK_MONOTONIC condition variable), sleep
// (std::this_thread::sleep_for), nanosleep, usleep, clock-nanosleep (TIMER_ABSTIME), poll,
// epoll, futex (abseil's way: syscall(SYS_futex, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME) until
// the process's wall clock + MS).
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>

namespace {

double MonotonicMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double WallMs() {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// `ms` milliseconds from now on `clock`, as this process reads it.
struct timespec DeadlineIn(clockid_t clock, int ms) {
  struct timespec deadline {};
  clock_gettime(clock, &deadline);
  deadline.tv_sec += ms / 1000;
  deadline.tv_nsec += static_cast<long>(ms % 1000) * 1'000'000;
  if (deadline.tv_nsec >= 1'000'000'000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1'000'000'000;
  }
  return deadline;
}

bool Wait(const std::string& how, int ms) {
  if (how == "steady") {
    const double until = WallMs() + ms;
    while (WallMs() < until) {
    }
  } else if (how == "cv") {
    std::mutex mutex;
    std::condition_variable cv;
    std::unique_lock lock(mutex);
    while (cv.wait_for(lock, std::chrono::milliseconds(ms)) != std::cv_status::timeout) {
    }
  } else if (how == "cond") {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_t cond;
    pthread_cond_init(&cond, &attr);
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    const struct timespec deadline = DeadlineIn(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&mutex);
    while (pthread_cond_timedwait(&cond, &mutex, &deadline) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&mutex);
  } else if (how == "sleep") {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  } else if (how == "nanosleep") {
    const struct timespec request { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1'000'000L };
    nanosleep(&request, nullptr);
  } else if (how == "usleep") {
    usleep(static_cast<useconds_t>(ms) * 1000);
  } else if (how == "clock-nanosleep") {
    const struct timespec deadline = DeadlineIn(CLOCK_MONOTONIC, ms);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) != 0) {
    }
  } else if (how == "futex") {
    const struct timespec deadline = DeadlineIn(CLOCK_REALTIME, ms);
    std::atomic<uint32_t> word{0};
    while (syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &deadline,
                   nullptr, FUTEX_BITSET_MATCH_ANY) != -1 ||
           errno != ETIMEDOUT) {
    }
  } else if (how == "poll") {
    poll(nullptr, 0, ms);
  } else if (how == "epoll") {
    const int epfd = epoll_create1(0);
    struct epoll_event event {};
    epoll_wait(epfd, &event, 1, ms);
    close(epfd);
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: clock_probe WAIT MS\n");
    return 2;
  }
  const int ms = std::atoi(argv[2]);
  const double monotonic = MonotonicMs();
  const double wall = WallMs();
  if (!Wait(argv[1], ms)) {
    std::fprintf(stderr, "clock_probe: unknown wait %s\n", argv[1]);
    return 2;
  }
  std::printf("%.1f %.1f\n", MonotonicMs() - monotonic, WallMs() - wall);
  return 0;
}

// libsplitbrain-clock.so: runs a process's monotonic clocks at the rate in its node's control
// block (clock_control.h; path in $SPLITBRAIN_CLOCK_FILE), for the clock-rate fault. Loaded with
// LD_PRELOAD in front of libfaketime, which keeps the wall clock (CLOCK_REALTIME); every other
// clock id goes to the next clock_gettime untouched.
//
// A faster monotonic clock is only half of it: a process that waits for a monotonic deadline
// must wake when its own clock reaches it, not when the real one does. So the waits that take a
// monotonic deadline or a duration are converted too:
//   - pthread_cond_clockwait on a monotonic clock, and pthread_cond_timedwait on a condition
//     variable whose clock is monotonic (glibc keeps that in bit 1 of __data.__wrefs; C++'s
//     steady_clock waits and the JVM's timed parks use these);
//   - clock_nanosleep (absolute or relative, monotonic clocks), nanosleep and usleep;
//   - the millisecond timeouts of poll, epoll_wait and epoll_pwait (scaled by 1 / rate).
// A converted wait sleeps in slices of at most 100 ms of real time and re-reads the rate after
// each, so a rate that changes during a long wait takes effect within a slice. A condition
// variable wait that re-waits holds the mutex in between, as after a spurious wake-up, so no
// signal is lost. Not converted: timerfd, sem_clockwait, select, io_uring timeouts, and programs
// that read the clock without libc (Go's runtime: etcd).
//
// The wall clock needs one conversion of its own: libfaketime fakes what clock_gettime returns,
// but a futex wait with FUTEX_CLOCK_REALTIME gives the kernel an absolute deadline that the
// kernel compares with the real wall clock. abseil's synchronization (so gRPC's gpr_cv_wait) waits
// that way, through syscall(SYS_futex, ...): with the node's clock 2 s behind, every such wait
// shorter than 2 s returned at once and gRPC's timer threads spun, stalling the node; 2 s ahead,
// they overslept. So syscall() is intercepted too, and a FUTEX_WAIT_BITSET on the real-time clock
// gets its deadline moved from the process's (faked) wall clock to the real one.
//
// Without the variable or with an unreadable file, the monotonic calls go straight through; the
// futex conversion needs no file (it measures the wall offset libfaketime applies).
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <ctime>

#include "orchestrator/run/clockshim/clock_control.h"

namespace {

using orchestrator::clockshim::ClockModel;
using orchestrator::clockshim::ControlBlock;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kSliceNs = 100'000'000;       // longest real sleep before the rate is re-read
constexpr unsigned kCondClockMonotonicBit = 2;  // glibc's __PTHREAD_COND_CLOCK_MONOTONIC_MASK

using ClockGettimeFn = int (*)(clockid_t, struct timespec*);
using CondClockwaitFn = int (*)(pthread_cond_t*, pthread_mutex_t*, clockid_t,
                                const struct timespec*);
using CondTimedwaitFn = int (*)(pthread_cond_t*, pthread_mutex_t*, const struct timespec*);
using ClockNanosleepFn = int (*)(clockid_t, int, const struct timespec*, struct timespec*);
using NanosleepFn = int (*)(const struct timespec*, struct timespec*);
using PollFn = int (*)(struct pollfd*, nfds_t, int);
using EpollWaitFn = int (*)(int, struct epoll_event*, int, int);
using EpollPwaitFn = int (*)(int, struct epoll_event*, int, int, const sigset_t*);
using SyscallFn = long (*)(long, ...);  // NOLINT(google-runtime-int): syscall's own signature

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// The next definitions (libfaketime's or glibc's) and the mapped control block. Filled by the
// library's constructor, or by the first call that comes before it (another library's
// constructor): every caller computes the same values, so a race between two first calls is
// harmless. No function-local statics: the library does not need libstdc++'s guards.
struct Shim {
  ClockGettimeFn clock_gettime = nullptr;
  CondClockwaitFn cond_clockwait = nullptr;
  CondTimedwaitFn cond_timedwait = nullptr;
  ClockNanosleepFn clock_nanosleep = nullptr;
  NanosleepFn nanosleep = nullptr;
  PollFn poll = nullptr;
  EpollWaitFn epoll_wait = nullptr;
  EpollPwaitFn epoll_pwait = nullptr;
  SyscallFn syscall = nullptr;
  const ControlBlock* control = nullptr;
  bool ready = false;
};
Shim shim;

const ControlBlock* MapControl() {
  // Read once, at load (nothing in the process calls setenv concurrently by then).
  const char* path =
      std::getenv(orchestrator::clockshim::kControlEnv);  // NOLINT(concurrency-mt-unsafe)
  if (path == nullptr || *path == '\0') return nullptr;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  void* mapped = mmap(nullptr, sizeof(ControlBlock), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  return mapped == MAP_FAILED ? nullptr : static_cast<const ControlBlock*>(mapped);
}

void Init() {
  shim.clock_gettime = Next<ClockGettimeFn>("clock_gettime");
  shim.cond_clockwait = Next<CondClockwaitFn>("pthread_cond_clockwait");
  // dlsym without a version finds glibc's pre-2.3.2 condition variables; the current ones are
  // GLIBC_2.3.2.
  shim.cond_timedwait =
      reinterpret_cast<CondTimedwaitFn>(dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2"));
  shim.clock_nanosleep = Next<ClockNanosleepFn>("clock_nanosleep");
  shim.nanosleep = Next<NanosleepFn>("nanosleep");
  shim.poll = Next<PollFn>("poll");
  shim.epoll_wait = Next<EpollWaitFn>("epoll_wait");
  shim.epoll_pwait = Next<EpollPwaitFn>("epoll_pwait");
  shim.syscall = Next<SyscallFn>("syscall");
  shim.control = MapControl();
  shim.ready = true;
}

[[gnu::constructor]] void InitAtLoad() { Init(); }

const Shim& Real() {
  if (!shim.ready) Init();
  return shim;
}

// The clock model now; false when the process runs on the real clock (no control block, or a
// glibc without pthread_cond_clockwait, which the converted waits need).
bool Model(ClockModel* model) {
  const Shim& real = Real();
  return real.control != nullptr && real.cond_clockwait != nullptr &&
         orchestrator::clockshim::ReadControl(*real.control, model);
}

bool IsMonotonic(clockid_t clock) {
  return clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_RAW ||
         clock == CLOCK_MONOTONIC_COARSE || clock == CLOCK_BOOTTIME;
}

int64_t Ns(const struct timespec& t) { return t.tv_sec * kSecond + t.tv_nsec; }

struct timespec Timespec(int64_t ns) {
  if (ns < 0) ns = 0;
  return {.tv_sec = static_cast<time_t>(ns / kSecond), .tv_nsec = static_cast<long>(ns % kSecond)};
}

int64_t RealMonotonicNs() {
  struct timespec now {};
  Real().clock_gettime(CLOCK_MONOTONIC, &now);
  return Ns(now);
}

// The real CLOCK_MONOTONIC deadline of the next slice of a wait for the fake `deadline_ns`, or
// -1 when the fake clock has reached it.
int64_t NextSlice(int64_t deadline_ns) {
  ClockModel model;
  const int64_t now = RealMonotonicNs();
  if (!Model(&model)) model = ClockModel{.anchor_real_ns = now, .anchor_fake_ns = now, .rate = 1};
  if (model.Fake(now) >= deadline_ns) return -1;
  const int64_t real_deadline = model.Real(deadline_ns) + 1;
  return real_deadline < now + kSliceNs ? real_deadline : now + kSliceNs;
}

int64_t FakeNowNs() {
  ClockModel model;
  const int64_t now = RealMonotonicNs();
  return Model(&model) ? model.Fake(now) : now;
}

// Waits on `cond` until the fake monotonic `deadline_ns`: 0 on a wake-up, ETIMEDOUT at the
// deadline, another error as the real wait returns it.
int CondWaitFake(pthread_cond_t* cond, pthread_mutex_t* mutex, int64_t deadline_ns) {
  for (;;) {
    const int64_t slice = NextSlice(deadline_ns);
    if (slice < 0) return ETIMEDOUT;
    const struct timespec until = Timespec(slice);
    const int rc = Real().cond_clockwait(cond, mutex, CLOCK_MONOTONIC, &until);
    if (rc != ETIMEDOUT) return rc;
  }
}

// Sleeps until the fake monotonic `deadline_ns`: 0, or EINTR (then *remaining_ns is set).
int SleepFake(int64_t deadline_ns, int64_t* remaining_ns) {
  for (;;) {
    const int64_t slice = NextSlice(deadline_ns);
    if (slice < 0) return 0;
    const struct timespec until = Timespec(slice);
    const int rc = Real().clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
    if (rc != 0) {
      if (remaining_ns != nullptr) *remaining_ns = deadline_ns - FakeNowNs();
      return rc;
    }
  }
}

// A timeout in milliseconds of the fake clock as real milliseconds (rounded up; -1 and 0 kept).
int ScaleTimeoutMs(int timeout_ms) {
  ClockModel model;
  if (timeout_ms <= 0 || !Model(&model) || model.rate == 1) return timeout_ms;
  const double real_ms = static_cast<double>(timeout_ms) / model.rate;
  const double rounded = real_ms < 1 ? 1 : real_ms + 0.999;
  return rounded > 2e9 ? 2'000'000'000 : static_cast<int>(rounded);
}

// A FUTEX_WAIT_BITSET on CLOCK_REALTIME: its deadline is absolute wall time.
bool IsRealtimeFutexWait(long op) {  // NOLINT(google-runtime-int)
  return (op & FUTEX_CLOCK_REALTIME) != 0 && (op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
}

// `deadline`, a wall time as this process reads the wall clock (libfaketime's), as the real wall
// time at which the process's clock reaches it: real now + (deadline - process now) / rate.
struct timespec RealWallDeadline(const struct timespec& deadline) {
  struct timespec seen {};
  Real().clock_gettime(CLOCK_REALTIME, &seen);  // the next clock_gettime: libfaketime's
  struct timespec real {};
  Real().syscall(SYS_clock_gettime, CLOCK_REALTIME, &real);  // the kernel's, not faked
  ClockModel model;
  const double rate = Model(&model) ? model.rate : 1;
  const double ahead_ns = static_cast<double>(Ns(deadline) - Ns(seen)) / rate;
  return Timespec(Ns(real) + static_cast<int64_t>(ahead_ns));
}

}  // namespace

extern "C" {

// NOLINTBEGIN(readability-inconsistent-declaration-parameter-name): glibc's names.
// glibc declares the time and deadline arguments nonnull, so they are not checked here.
int clock_gettime(clockid_t clock, struct timespec* time) {
  const int rc = Real().clock_gettime(clock, time);
  ClockModel model;
  if (rc != 0 || !IsMonotonic(clock) || !Model(&model)) return rc;
  *time = Timespec(model.Fake(Ns(*time)));
  return 0;
}

int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* abstime) {
  ClockModel model;
  if (!IsMonotonic(clock) || !Model(&model)) {
    return Real().cond_clockwait(cond, mutex, clock, abstime);
  }
  return CondWaitFake(cond, mutex, Ns(*abstime));
}

int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex,
                           const struct timespec* abstime) {
  ClockModel model;
  const bool monotonic = (cond->__data.__wrefs & kCondClockMonotonicBit) != 0;
  if (!monotonic || !Model(&model)) {
    return Real().cond_timedwait(cond, mutex, abstime);
  }
  return CondWaitFake(cond, mutex, Ns(*abstime));
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec* request,
                    struct timespec* remain) {
  ClockModel model;
  if (request == nullptr || !IsMonotonic(clock) || !Model(&model)) {
    return Real().clock_nanosleep(clock, flags, request, remain);
  }
  const bool absolute = (flags & TIMER_ABSTIME) != 0;
  const int64_t deadline = absolute ? Ns(*request) : FakeNowNs() + Ns(*request);
  int64_t remaining = 0;
  const int rc = SleepFake(deadline, &remaining);
  if (rc == EINTR && !absolute && remain != nullptr) *remain = Timespec(remaining);
  return rc;
}

int nanosleep(const struct timespec* request, struct timespec* remain) {
  ClockModel model;
  if (request == nullptr || !Model(&model)) return Real().nanosleep(request, remain);
  int64_t remaining = 0;
  const int rc = SleepFake(FakeNowNs() + Ns(*request), &remaining);
  if (rc == 0) return 0;
  if (remain != nullptr) *remain = Timespec(remaining);
  errno = rc;
  return -1;
}

int usleep(useconds_t microseconds) {
  const struct timespec request = Timespec(static_cast<int64_t>(microseconds) * 1000);
  return nanosleep(&request, nullptr);
}

int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  return Real().poll(fds, count, ScaleTimeoutMs(timeout_ms));
}

int epoll_wait(int epfd, struct epoll_event* events, int max_events, int timeout_ms) {
  return Real().epoll_wait(epfd, events, max_events, ScaleTimeoutMs(timeout_ms));
}

int epoll_pwait(int epfd, struct epoll_event* events, int max_events, int timeout_ms,
                const sigset_t* mask) {
  return Real().epoll_pwait(epfd, events, max_events, ScaleTimeoutMs(timeout_ms), mask);
}
// syscall() as glibc has it: six register arguments, whatever the call uses. Only a futex wait
// with a real-time deadline is changed (a copy of its deadline, converted).
long syscall(long number, ...) {  // NOLINT(google-runtime-int,cert-dcl50-cpp): glibc's signature
  va_list args;
  va_start(args, number);
  long a[6];                                     // NOLINT(google-runtime-int)
  for (long& arg : a) arg = va_arg(args, long);  // NOLINT(google-runtime-int)
  va_end(args);
  if (number == SYS_futex && IsRealtimeFutexWait(a[1]) && a[3] != 0) {
    const struct timespec converted =
        // The fourth argument is the deadline's address, passed as a long.
        RealWallDeadline(
            *reinterpret_cast<const struct timespec*>(a[3]));  // NOLINT(performance-no-int-to-ptr)
    return Real().syscall(number, a[0], a[1], a[2], reinterpret_cast<long>(&converted), a[4], a[5]);
  }
  return Real().syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
// NOLINTEND(readability-inconsistent-declaration-parameter-name)

}  // extern "C"

// Mutex, MutexLock and CondVar: std::mutex, a scoped lock and a condition variable, annotated
// so that clang's -Wthread-safety (common/thread_annotations.h, run by ci/thread_safety.py)
// checks that every GUARDED_BY member is used with its mutex held. Use these instead of
// std::mutex, std::lock_guard, std::unique_lock and std::condition_variable:
//
//   common::Mutex mu_;
//   common::CondVar cv_;
//   std::deque<Job> queue_ GUARDED_BY(mu_);
//
//   void Push(Job job) {
//     { common::MutexLock lock(mu_); queue_.push_back(std::move(job)); }
//     cv_.NotifyOne();
//   }
//   std::optional<Job> Pop(std::chrono::milliseconds timeout) {
//     common::MutexLock lock(mu_);
//     if (!cv_.WaitFor(lock, timeout, [this]() REQUIRES(mu_) { return !queue_.empty(); })) {
//       return std::nullopt;
//     }
//     ...
//   }
//
// A predicate lambda is checked as a function of its own: it reads guarded members only when
// marked REQUIRES(mu_) (CondVar calls it with the lock held).
//
// Thread safety: Mutex and CondVar are thread-safe (that is their job). A MutexLock belongs to
// the thread that made it. Mutex is not recursive: locking it twice on one thread deadlocks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "common/thread_annotations.h"

namespace common {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // True when the mutex was free and is now held.
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // The standard names, so that Mutex is Lockable (std::scoped_lock, condition_variable_any).
  void lock() ACQUIRE() { Lock(); }
  void unlock() RELEASE() { Unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return TryLock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` from construction to destruction. unlock() lets it go early (and lock() takes it
// again): CondVar uses them while waiting, and code may unlock before calling out, e.g. to run
// a callback that takes the same mutex.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (is_locked_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Requires: not held by this lock (lock), held by this lock (unlock).
  void lock() ACQUIRE() {
    mu_.Lock();
    is_locked_ = true;
  }
  void unlock() RELEASE() {
    is_locked_ = false;
    mu_.Unlock();
  }

 private:
  Mutex& mu_;
  bool is_locked_ = true;
};

// A condition variable for Mutex. Every Wait* takes the MutexLock that holds the mutex,
// releases it while blocked and holds it again when it returns. Waits with a predicate return
// only when it holds (or, for WaitFor and WaitUntil, the time is up: they return its value).
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // May wake spuriously: prefer the forms with a predicate.
  void Wait(MutexLock& lock) { cv_.wait(lock); }
  template <typename Predicate>
  void Wait(MutexLock& lock, Predicate predicate) {
    cv_.wait(lock, std::move(predicate));
  }
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(MutexLock& lock, const std::chrono::duration<Rep, Period>& timeout,
               Predicate predicate) {
    return cv_.wait_for(lock, timeout, std::move(predicate));
  }
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(MutexLock& lock, const std::chrono::time_point<Clock, Duration>& deadline,
                 Predicate predicate) {
    return cv_.wait_until(lock, deadline, std::move(predicate));
  }

  void NotifyOne() noexcept { cv_.notify_one(); }
  void NotifyAll() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace common

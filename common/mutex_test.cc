#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace common {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Long enough that a wake-up that should happen never comes this late, even on a busy machine.
constexpr auto kLongWait = std::chrono::seconds(10);

class Counter {
 public:
  // A read, a yield and a write: without mutual exclusion, increments get lost.
  void Increment() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    const int read = count_;
    std::this_thread::yield();
    count_ = read + 1;
  }
  int count() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return count_;
  }

 private:
  Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

TEST(Mutex, MutexLockExcludesOtherThreads) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 2000;
  Counter counter;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kIncrements; ++i) counter.Increment();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.count(), kThreads * kIncrements);
}

// Whether another thread finds `mu` free (TryLock succeeds).
bool IsFreeForAnotherThread(Mutex& mu) {
  bool is_free = false;
  std::thread([&mu, &is_free] {
    if (mu.TryLock()) {
      is_free = true;
      mu.Unlock();
    }
  }).join();
  return is_free;
}

TEST(Mutex, TryLockFailsWhileAnotherThreadHoldsIt) {
  Mutex mu;
  MutexLock lock(mu);
  EXPECT_FALSE(IsFreeForAnotherThread(mu));
}

TEST(Mutex, MutexLockUnlockLetsOtherThreadsIn) {
  Mutex mu;
  MutexLock lock(mu);
  lock.unlock();
  EXPECT_TRUE(IsFreeForAnotherThread(mu));
  lock.lock();
  EXPECT_FALSE(IsFreeForAnotherThread(mu));
}  // the destructor releases it again

class Flag {
 public:
  void Set() EXCLUDES(mu_) {
    {
      MutexLock lock(mu_);
      is_set_ = true;
    }
    cv_.NotifyAll();
  }
  // True when set before `timeout` passed.
  bool WaitFor(milliseconds timeout) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return cv_.WaitFor(lock, timeout, [this]() REQUIRES(mu_) { return is_set_; });
  }
  bool WaitUntil(steady_clock::time_point deadline) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return cv_.WaitUntil(lock, deadline, [this]() REQUIRES(mu_) { return is_set_; });
  }
  void Wait() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    cv_.Wait(lock, [this]() REQUIRES(mu_) { return is_set_; });
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool is_set_ GUARDED_BY(mu_) = false;
};

TEST(CondVar, NotifyWakesAWaiter) {
  Flag flag;
  bool was_woken = false;
  std::thread waiter([&flag, &was_woken] { was_woken = flag.WaitFor(kLongWait); });
  flag.Set();
  waiter.join();
  EXPECT_TRUE(was_woken);
}

TEST(CondVar, NotifyAllWakesEveryWaiter) {
  constexpr int kWaiters = 3;
  Flag flag;
  std::vector<std::thread> waiters;
  waiters.reserve(kWaiters);
  for (int i = 0; i < kWaiters; ++i) waiters.emplace_back([&flag] { flag.Wait(); });
  flag.Set();
  for (std::thread& waiter : waiters) waiter.join();  // returns only if all of them woke
}

TEST(CondVar, WaitUntilReturnsTrueWhenAlreadySet) {
  Flag flag;
  flag.Set();
  EXPECT_TRUE(flag.WaitUntil(steady_clock::now()));
}

TEST(CondVar, WaitForTimesOutWhenNotNotified) {
  Flag flag;
  const auto timeout = milliseconds(50);
  const steady_clock::time_point start = steady_clock::now();
  EXPECT_FALSE(flag.WaitFor(timeout));
  EXPECT_GE(steady_clock::now() - start, timeout);
}

TEST(CondVar, WaitUntilTimesOutAtTheDeadline) {
  Flag flag;
  const steady_clock::time_point deadline = steady_clock::now() + milliseconds(50);
  EXPECT_FALSE(flag.WaitUntil(deadline));
  EXPECT_GE(steady_clock::now(), deadline);
}

}  // namespace
}  // namespace common

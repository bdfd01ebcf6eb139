// session_soak_bench: memory of refdb's state machine under a long run of many clients
// (issue 19): client sessions expiring by log time keep the dedup table bounded.
//
//   session_soak_bench [--ops 1000000] [--clients 10000] [--keys 1000] [--timeout-s 60]
//                      [--ms-per-op 1] [--every 100000]
//
// Applies --ops Puts (100-byte values over --keys keys) to a KvStateMachine, each stamped with
// log time advancing --ms-per-op per op. The clients arrive over the run: op n comes from one of
// 100 clients around n * clients / ops, each with its own increasing sequence numbers, so every
// client is active for a while and then never seen again (10,000 distinct clients over 1,000 s
// of log time by default). Runs twice, each in a forked process (so each RSS is its own): with
// sessions expiring after --timeout-s of log time, then with expiry off (timeout 0). Every
// --every ops it prints the resident set size, the heap in use (mallinfo2), the number of
// sessions and the snapshot size. Last line: both runs' figures at the end (`sessions=…
// sessions_no_expiry=… snapshot_bytes=… snapshot_bytes_no_expiry=… rss_kb=… rss_kb_no_expiry=…
// heap_kb=… heap_kb_no_expiry=…`).
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "refdb/server/kv_state_machine.h"

namespace {

struct Options {
  uint64_t ops = 1'000'000;
  uint64_t clients = 10'000;
  uint64_t keys = 1'000;
  int64_t timeout_s = 60;
  int64_t ms_per_op = 1;
  uint64_t every = 100'000;
};

struct Sample {
  long rss_kb = 0;
  long heap_kb = 0;
  size_t sessions = 0;
  size_t snapshot_bytes = 0;
};

long RssKb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long pages = 0;
  long resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

Sample Measure(const refdb::server::KvStateMachine& sm) {
  return {.rss_kb = RssKb(),
          .heap_kb = static_cast<long>(mallinfo2().uordblks / 1024),
          .sessions = sm.sessions().size(),
          .snapshot_bytes = sm.Serialize().size()};
}

// One run; prints a line per sample; returns the last sample.
Sample Run(const Options& o, int64_t timeout_s) {
  refdb::server::KvStateMachine sm(timeout_s * 1'000'000'000);
  std::vector<uint64_t> sequence(o.clients + 100, 0);
  common::Rng rng(42);
  const std::string value(100, 'v');
  const int64_t start_ns = int64_t{1'800'000'000} * 1'000'000'000;
  uint64_t refused = 0;
  Sample last;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t n = 1; n <= o.ops; ++n) {
    const uint64_t client = n * o.clients / o.ops + rng.Uniform(100);
    refdb::commandpb::Command c;
    c.mutable_write_id()->set_client_id(client + 1);
    c.mutable_write_id()->set_sequence(++sequence[client]);
    c.set_log_time_ns(start_ns + static_cast<int64_t>(n) * o.ms_per_op * 1'000'000);
    c.mutable_put()->set_key("key" + std::to_string(rng.Uniform(o.keys)));
    c.mutable_put()->set_value(value);
    if (sm.Apply(c).code() != refdb::commandpb::CommandResult::OK) ++refused;
    if (n % o.every == 0 || n == o.ops) {
      const Sample s = last = Measure(sm);
      std::printf(
          "timeout_s=%-3lld ops=%-8llu rss_kb=%-7ld heap_kb=%-7ld sessions=%-6zu "
          "snapshot_bytes=%zu\n",
          static_cast<long long>(timeout_s), static_cast<unsigned long long>(n), s.rss_kb,
          s.heap_kb, s.sessions, s.snapshot_bytes);
      std::fflush(stdout);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("timeout_s=%lld applied_ops_per_s=%.0f refused=%llu\n",
              static_cast<long long>(timeout_s), static_cast<double>(o.ops) / secs,
              static_cast<unsigned long long>(refused));
  return last;
}

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "session_soak_bench: %s needs a value\n", flag.c_str());
      return false;
    }
    char* end = nullptr;
    const long long v = std::strtoll(argv[++i], &end, 10);
    if (*end != '\0' || v < 0 || (v == 0 && flag != "--timeout-s")) {
      std::fprintf(stderr, "session_soak_bench: %s: bad value \"%s\"\n", flag.c_str(), argv[i]);
      return false;
    }
    if (flag == "--ops") {
      o.ops = static_cast<uint64_t>(v);
    } else if (flag == "--clients") {
      o.clients = static_cast<uint64_t>(v);
    } else if (flag == "--keys") {
      o.keys = static_cast<uint64_t>(v);
    } else if (flag == "--timeout-s") {
      o.timeout_s = v;
    } else if (flag == "--ms-per-op") {
      o.ms_per_op = v;
    } else if (flag == "--every") {
      o.every = static_cast<uint64_t>(v);
    } else {
      std::fprintf(stderr, "session_soak_bench: unknown flag %s\n", flag.c_str());
      return false;
    }
  }
  return true;
}

// Runs `timeout_s` in a child process, so its memory figures are its own; its last sample
// comes back through a pipe.
std::optional<Sample> RunForked(const Options& o, int64_t timeout_s) {
  std::fflush(stdout);
  int fds[2];
  if (pipe(fds) != 0) {
    std::perror("session_soak_bench: pipe");
    return std::nullopt;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("session_soak_bench: fork");
    return std::nullopt;
  }
  if (pid == 0) {
    close(fds[0]);
    const Sample last = Run(o, timeout_s);
    std::fflush(stdout);
    const bool sent = write(fds[1], &last, sizeof last) == static_cast<ssize_t>(sizeof last);
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  Sample last;
  const bool got = read(fds[0], &last, sizeof last) == static_cast<ssize_t>(sizeof last);
  close(fds[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) {
    std::fprintf(stderr, "session_soak_bench: the run with timeout %lld s failed\n",
                 static_cast<long long>(timeout_s));
    return std::nullopt;
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) return 254;
  std::printf("ops=%llu clients=%llu keys=%llu log_time_per_op_ms=%lld\n",
              static_cast<unsigned long long>(o.ops), static_cast<unsigned long long>(o.clients),
              static_cast<unsigned long long>(o.keys), static_cast<long long>(o.ms_per_op));
  const std::optional<Sample> expiring = RunForked(o, o.timeout_s);
  if (!expiring) return 1;
  const std::optional<Sample> kept = RunForked(o, 0);
  if (!kept) return 1;
  std::printf(
      "sessions=%zu sessions_no_expiry=%zu snapshot_bytes=%zu "
      "snapshot_bytes_no_expiry=%zu rss_kb=%ld rss_kb_no_expiry=%ld heap_kb=%ld "
      "heap_kb_no_expiry=%ld\n",
      expiring->sessions, kept->sessions, expiring->snapshot_bytes, kept->snapshot_bytes,
      expiring->rss_kb, kept->rss_kb, expiring->heap_kb, kept->heap_kb);
  return 0;
}

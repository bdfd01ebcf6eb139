#include "bench/kv_load.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

namespace {

struct ThreadResult {
  std::vector<int64_t> latencies_ns;
  uint64_t errors = 0;
  std::string first_error;
};

void RunClient(KvClient& client, int index, const LoadOptions& options,
               Clock::time_point measure_from, Clock::time_point until,
               const std::atomic<bool>& interrupted, ThreadResult& out) {
  const std::string value(options.value_size_bytes, static_cast<char>('a' + index % 26));
  for (uint64_t n = 0; !interrupted.load(std::memory_order_relaxed); ++n) {
    const std::string key = LoadKey(index, n, options.keys_per_client);
    const Clock::time_point start = Clock::now();
    if (start >= until) return;
    const common::Status status = options.kind == OpKind::kWrite
                                      ? client.Put(key, value, options.op_deadline)
                                      : client.Get(key, options.op_deadline);
    const Clock::time_point end = Clock::now();
    if (start < measure_from || end > until) continue;
    if (status.ok()) {
      out.latencies_ns.push_back(std::chrono::nanoseconds(end - start).count());
    } else {
      if (out.errors++ == 0) out.first_error = status.message();
    }
  }
}

double PercentileMs(const std::vector<int64_t>& sorted_ns, double p) {
  if (sorted_ns.empty()) return 0;
  const auto rank =
      static_cast<size_t>(std::llround(p * static_cast<double>(sorted_ns.size() - 1)));
  return static_cast<double>(sorted_ns[std::min(rank, sorted_ns.size() - 1)]) / 1e6;
}

}  // namespace

std::string LoadKey(int client, uint64_t n, int keys_per_client) {
  return "bench/" + std::to_string(client) + "/" +
         std::to_string(n % static_cast<uint64_t>(keys_per_client));
}

LoadResult RunLoad(const ClientFactory& factory, const LoadOptions& options,
                   const std::atomic<bool>& interrupted) {
  std::vector<std::unique_ptr<KvClient>> clients;
  clients.reserve(static_cast<size_t>(options.clients));
  for (int i = 0; i < options.clients; ++i) clients.push_back(factory(i));
  std::vector<ThreadResult> results(clients.size());
  const Clock::time_point measure_from = Clock::now() + options.warmup;
  const Clock::time_point until = measure_from + options.duration;
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < clients.size(); ++i) {
      threads.emplace_back([&, i] {
        RunClient(*clients[i], static_cast<int>(i), options, measure_from, until, interrupted,
                  results[i]);
      });
    }
  }
  const auto measured = std::min(Clock::now(), until) - measure_from;
  LoadResult result;
  std::vector<int64_t> all;
  for (ThreadResult& r : results) {
    all.insert(all.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    result.errors += r.errors;
    if (result.first_error.empty()) result.first_error = r.first_error;
  }
  std::sort(all.begin(), all.end());
  result.ops = all.size();
  const double seconds = std::chrono::duration<double>(measured).count();
  result.ops_per_s = seconds > 0 ? static_cast<double>(result.ops) / seconds : 0;
  result.p50_ms = PercentileMs(all, 0.50);
  result.p99_ms = PercentileMs(all, 0.99);
  return result;
}

std::string FormatLoadLine(const std::string& name, const LoadOptions& options,
                           const LoadResult& result) {
  char line[512];
  std::snprintf(line, sizeof(line),
                "%s: clients=%d value_bytes=%zu seconds=%.1f ops=%llu errors=%llu "
                "ops_per_s=%.0f p50_ms=%.2f p99_ms=%.2f",
                name.c_str(), options.clients, options.value_size_bytes,
                std::chrono::duration<double>(options.duration).count(),
                static_cast<unsigned long long>(result.ops),
                static_cast<unsigned long long>(result.errors), result.ops_per_s, result.p50_ms,
                result.p99_ms);
  std::string out = line;
  if (!result.first_error.empty()) out += " first_error=\"" + result.first_error + "\"";
  return out;
}

}  // namespace bench

// KvLoad: the client side of refdb_bench, the same for every database. `clients` threads, each
// with its own KvClient, issue one operation at a time (a closed loop) for a fixed duration;
// operations that start during the warm-up are not counted. Each thread records its own
// latencies; they are merged once the threads are joined.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace bench {

// One logical client of a database. Not thread-safe: each load thread owns one.
class KvClient {
 public:
  virtual ~KvClient() = default;
  virtual common::Status Put(const std::string& key, const std::string& value,
                             std::chrono::milliseconds deadline) = 0;
  // A linearizable read.
  virtual common::Status Get(const std::string& key, std::chrono::milliseconds deadline) = 0;
};

// Makes the client of load thread `client_index` (0-based).
using ClientFactory = std::function<std::unique_ptr<KvClient>(int client_index)>;

enum class OpKind { kWrite, kRead };

struct LoadOptions {
  OpKind kind = OpKind::kWrite;
  int clients = 64;
  int keys_per_client = 100;
  size_t value_size_bytes = 256;
  std::chrono::milliseconds warmup{500};
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds op_deadline{2000};
};

struct LoadResult {
  uint64_t ops = 0;     // acknowledged within the measured window
  uint64_t errors = 0;  // failed within the measured window
  double ops_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;  // empty when errors == 0
};

// The key written and read by client `client` at its `n`th operation.
std::string LoadKey(int client, uint64_t n, int keys_per_client);

// Runs the load; stops early (with what it measured) once `interrupted` is set.
LoadResult RunLoad(const ClientFactory& factory, const LoadOptions& options,
                   const std::atomic<bool>& interrupted);

// One case's line: "<name>: ops=… errors=… ops_per_s=… p50_ms=… p99_ms=…".
std::string FormatLoadLine(const std::string& name, const LoadOptions& options,
                           const LoadResult& result);

}  // namespace bench

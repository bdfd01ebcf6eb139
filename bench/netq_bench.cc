// netq_bench: how exactly splitbrain-netq (the packet holder of shaping faults) delays packets,
// and what it costs. On a real link (orchestrator/run/netq/netq_link.h: two namespaces, a veth
// pair, the shaping rule), UDP datagrams cross at a fixed rate and each one's one-way time is
// read on one CLOCK_MONOTONIC at both ends. Needs root.
//
//   netq_bench [--rounds N]
//
// Accuracy: for delays of 10 ms, 100 ms and 1 s, the added delay (one-way time less the
// unshaped median) minus the configured delay, per packet: p50, p99 and max, in ms. Overhead:
// the holder's CPU (utime + stime from /proc/PID/stat) per second of a 10,000 packets/s stream,
// and the lateness of those packets. Ends with one summary line of key=value pairs.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "orchestrator/run/netq/netq_link.h"

namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

double At(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
  return values[std::min(rank, values.size() - 1)];
}

// The CPU seconds (user + system) process `pid` has used.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Accuracy {
  double p50 = 0, p99 = 0, max = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "netq_bench: needs root (network namespaces, iptables, NFQUEUE)\n");
    return 2;
  }
  auto created = netq::NetqLink::Create(NETQ_BINARY, 9);
  if (!created.ok()) {
    std::fprintf(stderr, "netq_bench: %s\n", created.status().message().c_str());
    return 1;
  }
  netq::NetqLink& link = **created;
  auto base = link.Stream(500, microseconds(1000), 200, milliseconds(100));
  if (!base.ok()) return 1;
  const double baseline = At(base->OneWayMs(), 0.5);
  std::printf("unshaped one-way median %.3f ms\n", baseline);
  std::vector<double> p99s;
  for (double delay : {10.0, 100.0, 1000.0}) {
    std::vector<double> errors;
    for (int r = 0; r < rounds; ++r) {
      if (!link.Shape({.delay_ms = delay}, r + 1).ok()) return 1;
      // 1,000 datagrams at 1,000/s: a second of traffic, held `delay` each.
      auto stream = link.Stream(1000, microseconds(1000), 200,
                                milliseconds(300 + 2 * static_cast<int>(delay)));
      if (!stream.ok()) return 1;
      for (double one_way : stream->OneWayMs()) errors.push_back(one_way - baseline - delay);
    }
    const Accuracy a{At(errors, 0.5), At(errors, 0.99), At(errors, 1.0)};
    p99s.push_back(a.p99);
    std::printf(
        "delay %6.0f ms: %zu packets, added minus configured p50 %.3f ms, p99 %.3f ms, "
        "max %.3f ms\n",
        delay, errors.size(), a.p50, a.p99, a.max);
  }
  // Overhead: 10,000 packets/s for 3 s through a 10 ms delay.
  if (!link.Shape({.delay_ms = 10}, 7).ok()) return 1;
  const int pid = link.holder_pid();
  const double cpu_before = CpuSeconds(pid);
  auto heavy = link.Stream(30000, microseconds(100), 200, milliseconds(200));
  const double cpu = CpuSeconds(pid) - cpu_before;
  if (!heavy.ok()) return 1;
  std::vector<double> late;
  for (double one_way : heavy->OneWayMs()) late.push_back(one_way - baseline - 10);
  const double cpu_share = cpu / 3.2;
  std::printf(
      "10k packets/s for 3 s: %zu arrived, %d lost; holder CPU %.1f %% of a core; "
      "added minus configured p50 %.3f ms, p99 %.3f ms\n",
      heavy->arrivals.size(), heavy->Lost(), cpu_share * 100, At(late, 0.5), At(late, 0.99));
  std::printf("summary: p99_10ms=%.3f p99_100ms=%.3f p99_1s=%.3f cpu_10kpps=%.3f p99_10kpps=%.3f\n",
              p99s[0], p99s[1], p99s[2], cpu_share, At(late, 0.99));
  return 0;
}

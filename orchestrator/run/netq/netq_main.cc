// splitbrain-netq: the packet holder of a network-shaping fault (packet_holder.h). The
// orchestrator starts one per shaped node and fault, inside the node's network namespace:
//
//   splitbrain-netq --queue N --mark-bit 0xBIT [--delay-ms D] [--jitter-ms J] [--loss P]
//                   [--loss-correlation C] [--duplicate P] [--rate-kbit R] [--seed S]
//                   [--ready-file PATH]
//
// It runs until SIGTERM or SIGINT, releases every packet it holds, prints what it did as one
// JSON line on stdout and exits 0; bad arguments exit 2, a queue it cannot bind exits 1.
#include <pthread.h>
#include <sys/signalfd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "common/unique_fd.h"
#include "orchestrator/run/netq/packet_holder.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "splitbrain-netq: " << why
            << "\nusage: splitbrain-netq --queue N --mark-bit 0xBIT [--delay-ms D] "
               "[--jitter-ms J] [--loss P] [--loss-correlation C] [--duplicate P] "
               "[--rate-kbit R] [--seed S] [--ready-file PATH]\n";
  return 2;
}

bool ParseNumber(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end != nullptr && *end == '\0';
}

bool ParseUnsigned(const std::string& text, unsigned long long& out) {
  char* end = nullptr;
  out = std::strtoull(text.c_str(), &end, 0);
  return !text.empty() && text[0] != '-' && end != nullptr && *end == '\0';
}

std::string Wrong(const std::string& flag, const char* what, const std::string& value) {
  return flag + ": " + what + ": " + value;
}

// Fills `options` from argv; an empty string when it went well, else what is wrong.
std::string Parse(int argc, char** argv, netq::HolderOptions& options) {
  std::map<std::string, double*> numbers{
      {"--delay-ms", &options.shape.delay_ms},
      {"--jitter-ms", &options.shape.jitter_ms},
      {"--loss", &options.shape.loss},
      {"--loss-correlation", &options.shape.loss_correlation},
      {"--duplicate", &options.shape.duplicate},
      {"--rate-kbit", &options.shape.rate_kbit},
  };
  bool has_queue = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return flag + " needs a value";
    const std::string value = argv[i + 1];
    unsigned long long whole = 0;
    if (auto found = numbers.find(flag); found != numbers.end()) {
      if (!ParseNumber(value, *found->second)) return Wrong(flag, "not a number", value);
    } else if (flag == "--queue" || flag == "--mark-bit" || flag == "--seed") {
      if (!ParseUnsigned(value, whole) || (flag != "--seed" && whole > 0xffffffffULL)) {
        return Wrong(flag, "not an unsigned number in range", value);
      }
      if (flag == "--queue") options.queue = static_cast<int>(std::min(whole, 65536ULL));
      if (flag == "--mark-bit") options.mark_bit = static_cast<uint32_t>(whole);
      if (flag == "--seed") options.seed = whole;
      has_queue = has_queue || flag == "--queue";
    } else if (flag == "--ready-file") {
      options.ready_file = value;
    } else {
      return "unknown flag " + flag;
    }
  }
  if (!has_queue) return "--queue is required";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  netq::HolderOptions options;
  if (const std::string wrong = Parse(argc, argv, options); !wrong.empty()) return Usage(wrong);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const common::UniqueFd stop(signalfd(-1, &stop_signals, SFD_CLOEXEC));
  auto holder = netq::PacketHolder::Open(options);
  if (!holder.ok()) {
    std::cerr << "splitbrain-netq: " << holder.status().message() << "\n";
    return holder.status().code() == common::StatusCode::kInvalidArgument ? 2 : 1;
  }
  auto stats = (*holder)->Run(stop.get());
  if (!stats.ok()) {
    std::cerr << "splitbrain-netq: " << stats.status().message() << "\n";
    return 1;
  }
  std::cout << netq::StatsJson(*stats) << std::endl;
  return 0;
}

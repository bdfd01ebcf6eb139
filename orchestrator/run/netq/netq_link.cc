#include "orchestrator/run/netq/netq_link.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "common/errno_text.h"
#include "common/process/run.h"
#include "common/unique_fd.h"

namespace netq {
namespace {

namespace fs = std::filesystem;
using common::Status;

constexpr int kPort = 9999;

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Status Enter(const std::string& ns) {
  const common::UniqueFd fd(::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::setns(fd.get(), CLONE_NEWNET) != 0) {
    return Status::Unavailable("join namespace " + ns + ": " + common::ErrnoText(errno));
  }
  return Status::Ok();
}

sockaddr_in Address(const std::string& ip) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(kPort);
  ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

struct Datagram {
  uint32_t seq;
  uint32_t pad;
  int64_t sent_ns;
};

}  // namespace

int StreamResult::Lost() const {
  std::set<uint32_t> seen;
  for (const Arrival& a : arrivals) seen.insert(a.seq);
  return sent - static_cast<int>(seen.size());
}

int StreamResult::Duplicates() const {
  std::set<uint32_t> seen;
  int duplicates = 0;
  for (const Arrival& a : arrivals) duplicates += seen.insert(a.seq).second ? 0 : 1;
  return duplicates;
}

int StreamResult::Reordered() const {
  int reordered = 0;
  int64_t highest = -1;
  std::set<uint32_t> seen;
  for (const Arrival& a : arrivals) {
    if (!seen.insert(a.seq).second) continue;
    if (static_cast<int64_t>(a.seq) < highest) ++reordered;
    highest = std::max<int64_t>(highest, a.seq);
  }
  return reordered;
}

std::vector<double> StreamResult::OneWayMs() const {
  std::vector<double> out;
  for (const Arrival& a : arrivals) out.push_back(a.one_way_ms);
  return out;
}

std::string NetqLink::Ip(int host) const {
  return "10.251." + std::to_string(tag_) + "." + std::to_string(host);
}

common::Result<std::unique_ptr<NetqLink>> NetqLink::Create(fs::path holder, int tag) {
  if (tag < 0 || tag > 250) return Status::InvalidArgument("tag not in 0..250");
  const std::string name = "sbq" + std::to_string(::getpid()) + "t" + std::to_string(tag);
  std::unique_ptr<NetqLink> link(new NetqLink(std::move(holder), name, tag));
  RETURN_IF_ERROR(link->Setup());
  return link;
}

Status NetqLink::Setup() {
  using common::process::RunChecked;
  for (char side : {'a', 'b'}) {
    RETURN_IF_ERROR(RunChecked({"ip", "netns", "add", Ns(side)}).status());
    created_.push_back(Ns(side));
  }
  const std::string va = name_ + "x";
  const std::string vb = name_ + "y";
  const std::vector<std::vector<std::string>> commands{
      {"ip", "link", "add", va, "netns", Ns('a'), "type", "veth", "peer", "name", vb, "netns",
       Ns('b')},
      {"ip", "-n", Ns('a'), "addr", "add", Ip(1) + "/24", "dev", va},
      {"ip", "-n", Ns('b'), "addr", "add", Ip(2) + "/24", "dev", vb},
      {"ip", "-n", Ns('a'), "link", "set", va, "up"},
      {"ip", "-n", Ns('b'), "link", "set", vb, "up"},
      {"nsenter", "--net=/run/netns/" + Ns('a'), "iptables", "-w", "5", "-A", "OUTPUT", "-d", Ip(2),
       "-m", "mark", "!", "--mark", "0x20000000/0x20000000", "-j", "NFQUEUE", "--queue-num", "1",
       "--queue-bypass"},
  };
  for (const auto& argv : commands) RETURN_IF_ERROR(RunChecked(argv).status());
  char dir[] = "/tmp/netq_link_XXXXXX";
  if (::mkdtemp(dir) == nullptr) return Status::IoError("mkdtemp: " + common::ErrnoText(errno));
  scratch_ = dir;
  return Status::Ok();
}

NetqLink::~NetqLink() {
  if (holder_.pid() > 0) (void)holder_.Stop(std::chrono::seconds(2));  // released on exit
  for (const std::string& ns : created_) {
    (void)common::process::Run({.argv = {"ip", "netns", "del", ns}});
  }
  std::error_code ec;
  if (!scratch_.empty()) fs::remove_all(scratch_, ec);
}

Status NetqLink::Shape(const nemesis::Shape& shape, uint64_t seed) {
  if (holder_.pid() > 0) RETURN_IF_ERROR(Unshape().status());
  char mark[16];
  std::snprintf(mark, sizeof mark, "0x%x", nemesis::kShapedMark);
  auto number = [](double v) { return std::to_string(v); };
  const fs::path ready = scratch_ / "ready";
  std::error_code ec;
  fs::remove(ready, ec);
  ASSIGN_OR_RETURN(holder_, common::process::Child::Spawn({.argv = {holder_binary_.string(),
                                                                    "--queue",
                                                                    "1",
                                                                    "--mark-bit",
                                                                    mark,
                                                                    "--delay-ms",
                                                                    number(shape.delay_ms),
                                                                    "--jitter-ms",
                                                                    number(shape.jitter_ms),
                                                                    "--loss",
                                                                    number(shape.loss),
                                                                    "--loss-correlation",
                                                                    number(shape.loss_correlation),
                                                                    "--duplicate",
                                                                    number(shape.duplicate),
                                                                    "--rate-kbit",
                                                                    number(shape.rate_kbit),
                                                                    "--seed",
                                                                    std::to_string(seed),
                                                                    "--ready-file",
                                                                    ready.string()},
                                                           .log_path = scratch_ / "holder.log",
                                                           .netns_path = "/run/netns/" + Ns('a')}));
  for (int i = 0; i < 600 && !fs::exists(ready, ec); ++i) {
    if (!holder_.IsRunning()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!fs::exists(ready, ec)) return Status::Unavailable("the holder did not bind its queue");
  return Status::Ok();
}

common::Result<std::string> NetqLink::Unshape() {
  if (holder_.pid() <= 0) return std::string();
  RETURN_IF_ERROR(holder_.Stop(std::chrono::seconds(2)).status());
  holder_ = {};
  std::ifstream in(scratch_ / "holder.log");
  std::string line;
  std::string last;
  while (std::getline(in, line)) last = line;
  return last;
}

common::Result<StreamResult> NetqLink::Stream(int count, std::chrono::microseconds interval,
                                              int bytes, std::chrono::milliseconds drain) {
  if (bytes < static_cast<int>(sizeof(Datagram)) || bytes > 1400 || count < 1) {
    return Status::InvalidArgument("stream: 1+ datagrams of 16..1400 bytes");
  }
  StreamResult result;
  std::atomic<bool> stop{false};
  std::promise<Status> bound;
  std::future<Status> receiver_ready = bound.get_future();
  Status received;
  std::thread receiver([&] {
    Status entered = Enter(Ns('b'));
    common::UniqueFd fd(entered.ok() ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1);
    const sockaddr_in here = Address(Ip(2));
    timeval tick{.tv_sec = 0, .tv_usec = 20'000};
    const int buffer_bytes = 64 << 20;
    if (fd.get() >= 0) {
      ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes);
    }
    if (entered.ok() &&
        (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) != 0 ||
         ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&here), sizeof here) != 0)) {
      entered = Status::IoError("receiver socket: " + common::ErrnoText(errno));
    }
    bound.set_value(entered);
    if (!entered.ok()) return;
    std::vector<char> buffer(2048);
    while (!stop) {
      const ssize_t got = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
      const int64_t now = NowNs();
      if (got < static_cast<ssize_t>(sizeof(Datagram))) continue;
      Datagram d{};
      std::memcpy(&d, buffer.data(), sizeof d);
      result.arrivals.push_back({d.seq, static_cast<double>(now - d.sent_ns) / 1e6, now});
    }
  });
  RETURN_IF_ERROR(receiver_ready.get().WithContext("stream"));
  std::thread sender([&] {
    received = Enter(Ns('a'));
    common::UniqueFd fd(received.ok() ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1);
    const sockaddr_in there = Address(Ip(2));
    if (!received.ok() || fd.get() < 0) return;
    // Datagrams held in the queue still count against the send buffer: a large one keeps the
    // sender from blocking (which would stamp datagrams long before they leave).
    const int buffer_bytes = 64 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buffer_bytes, sizeof buffer_bytes);
    std::vector<char> payload(static_cast<size_t>(bytes), 0);
    int64_t next = NowNs();
    for (int i = 0; i < count; ++i) {
      const timespec at{static_cast<time_t>(next / 1'000'000'000),
                        static_cast<long>(next % 1'000'000'000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
      const Datagram d{.seq = static_cast<uint32_t>(i), .pad = 0, .sent_ns = NowNs()};
      if (i == 0) result.first_sent_ns = d.sent_ns;
      std::memcpy(payload.data(), &d, sizeof d);
      if (::sendto(fd.get(), payload.data(), payload.size(), 0,
                   reinterpret_cast<const sockaddr*>(&there), sizeof there) >= 0) {
        ++result.sent;
      }
      next += std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count();
    }
  });
  sender.join();
  std::this_thread::sleep_for(drain);
  stop = true;
  receiver.join();
  RETURN_IF_ERROR(received.WithContext("stream sender"));
  return result;
}

}  // namespace netq

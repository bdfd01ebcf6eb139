#include "orchestrator/run/netq/packet_holder.h"

// <arpa/inet.h> must come before the netfilter headers, or their definitions clash.
#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <queue>
#include <tuple>
#include <vector>

#include "common/errno_text.h"
#include "common/unique_fd.h"
#include "orchestrator/run/netq/packet_schedule.h"

namespace netq {
namespace {

using common::Status;

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Held {
  int64_t release_ns = 0;
  uint64_t seq = 0;  // arrival order: equal release times keep it
  uint32_t id = 0;
  uint32_t mark = 0;
  std::string copy;  // a duplicate's bytes (empty: no duplicate)
  bool operator>(const Held& other) const {
    return std::tie(release_ns, seq) > std::tie(other.release_ns, other.seq);
  }
};

// The packet's length from its IPv4 header (the queue copies only the start of a packet unless
// it is to be duplicated).
size_t PacketBytes(const unsigned char* data, int copied) {
  if (copied < 4) return static_cast<size_t>(std::max(copied, 0));
  return (static_cast<size_t>(data[2]) << 8) | data[3];
}

int64_t Percentile(std::vector<int64_t>& values, double q) {
  if (values.empty()) return 0;
  const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
  return values[k];
}

class NfqHolder : public PacketHolder {
 public:
  explicit NfqHolder(const HolderOptions& options)
      : options_(options), schedule_(options.shape, options.seed) {}
  NfqHolder(const NfqHolder&) = delete;
  NfqHolder& operator=(const NfqHolder&) = delete;
  ~NfqHolder() override {
    if (queue_ != nullptr) nfq_destroy_queue(queue_);
    if (handle_ != nullptr) nfq_close(handle_);
  }

  Status Init();
  common::Result<HolderStats> Run(int stop_fd) override;

 private:
  static int OnPacket(nfq_q_handle* queue, nfgenmsg* message, nfq_data* data, void* self);
  void Take(nfq_data* data);
  Status Receive();
  void ReleaseDue(int64_t now, bool all);
  void Release(const Held& held, int64_t now);

  HolderOptions options_;
  PacketSchedule schedule_;
  nfq_handle* handle_ = nullptr;
  nfq_q_handle* queue_ = nullptr;
  common::UniqueFd raw_;  // duplicates go out through it, marked
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held_;
  uint64_t seq_ = 0;
  HolderStats stats_;
  std::vector<int64_t> late_us_;
  std::array<char, 1 << 17> buffer_{};
};

Status NfqHolder::Init() {
  // Timers fire within a microsecond of when they are due (the default slack is 50 us).
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  handle_ = nfq_open();
  if (handle_ == nullptr) {
    return Status::IoError("cannot open a netfilter queue handle: " + common::ErrnoText(errno) +
                           " (needs root, or CAP_NET_ADMIN in this network namespace)");
  }
  queue_ =
      nfq_create_queue(handle_, static_cast<uint16_t>(options_.queue), &NfqHolder::OnPacket, this);
  if (queue_ == nullptr) {
    return Status::IoError("cannot bind netfilter queue " + std::to_string(options_.queue) + ": " +
                           common::ErrnoText(errno) + " (is another holder bound to it?)");
  }
  const uint32_t range = options_.shape.duplicate > 0 ? 0xffff : 64;
  if (nfq_set_mode(queue_, NFQNL_COPY_PACKET, range) < 0) {
    return Status::IoError("cannot set the queue's copy mode: " + common::ErrnoText(errno));
  }
  nfq_set_queue_maxlen(queue_, 1 << 16);
  // When the queue is full the kernel lets packets through rather than dropping them.
  nfq_set_queue_flags(queue_, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  nfnl_rcvbufsiz(nfq_nfnlh(handle_), 16U << 20);
  if (options_.shape.duplicate > 0) {
    raw_ = common::UniqueFd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
    const uint32_t mark = options_.mark_bit;
    if (raw_.get() < 0 || setsockopt(raw_.get(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
      return Status::IoError("cannot open the raw socket duplicates go through: " +
                             common::ErrnoText(errno));
    }
  }
  if (!options_.ready_file.empty()) {
    const std::string temp = options_.ready_file + ".tmp";
    std::ofstream(temp) << "queue " << options_.queue << "\n";
    if (std::rename(temp.c_str(), options_.ready_file.c_str()) != 0) {
      return Status::IoError("cannot write " + options_.ready_file + ": " +
                             common::ErrnoText(errno));
    }
  }
  return Status::Ok();
}

int NfqHolder::OnPacket(nfq_q_handle* /*queue*/, nfgenmsg* /*message*/, nfq_data* data,
                        void* self) {
  static_cast<NfqHolder*>(self)->Take(data);
  return 0;
}

void NfqHolder::Take(nfq_data* data) {
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (header == nullptr) return;
  const uint32_t id = ntohl(header->packet_id);
  unsigned char* payload = nullptr;
  const int copied = nfq_get_payload(data, &payload);
  ++stats_.received;
  const int64_t now = NowNs();
  const Decision decision = schedule_.Decide(now, PacketBytes(payload, copied));
  if (decision.drop) {
    ++stats_.dropped;
    nfq_set_verdict(queue_, id, NF_DROP, 0, nullptr);
    return;
  }
  Held held{
      .release_ns = decision.release_ns, .seq = seq_++, .id = id, .mark = nfq_get_nfmark(data)};
  if (decision.duplicate && copied >= static_cast<int>(sizeof(iphdr))) {
    held.copy.assign(reinterpret_cast<const char*>(payload), static_cast<size_t>(copied));
  }
  if (held.release_ns <= now && held_.empty()) {
    Release(held, now);
    return;
  }
  held_.push(std::move(held));
}

void NfqHolder::Release(const Held& held, int64_t now) {
  nfq_set_verdict2(queue_, held.id, NF_REPEAT, held.mark | options_.mark_bit, 0, nullptr);
  ++stats_.released;
  if (late_us_.size() < (1U << 22))
    late_us_.push_back(std::max<int64_t>(0, now - held.release_ns) / 1000);
  if (held.copy.empty() || raw_.get() < 0) return;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr.s_addr, held.copy.data() + offsetof(iphdr, daddr), 4);
  if (sendto(raw_.get(), held.copy.data(), held.copy.size(), 0, reinterpret_cast<sockaddr*>(&to),
             sizeof to) >= 0) {
    ++stats_.duplicated;
  }
}

void NfqHolder::ReleaseDue(int64_t now, bool all) {
  while (!held_.empty() && (all || held_.top().release_ns <= now)) {
    Release(held_.top(), now);
    held_.pop();
  }
}

Status NfqHolder::Receive() {
  const int fd = nfq_fd(handle_);
  for (;;) {
    const ssize_t got = recv(fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (got >= 0) {
      nfq_handle_packet(handle_, buffer_.data(), static_cast<int>(got));
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Ok();
    if (errno == ENOBUFS) {  // the kernel dropped queue messages; the packets pass (fail-open)
      ++stats_.overflows;
      continue;
    }
    if (errno == EINTR) continue;
    return Status::IoError("netfilter queue receive: " + common::ErrnoText(errno));
  }
}

common::Result<HolderStats> NfqHolder::Run(int stop_fd) {
  std::array<pollfd, 2> fds{{{nfq_fd(handle_), POLLIN, 0}, {stop_fd, POLLIN, 0}}};
  Status failed;
  for (;;) {
    const int64_t now = NowNs();
    ReleaseDue(now, false);
    timespec wait{};
    timespec* timeout = nullptr;
    if (!held_.empty()) {
      const int64_t left = std::max<int64_t>(0, held_.top().release_ns - now);
      wait = {static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
      timeout = &wait;
    }
    if (ppoll(fds.data(), fds.size(), timeout, nullptr) < 0 && errno != EINTR) {
      failed = Status::IoError("poll: " + common::ErrnoText(errno));
      break;
    }
    if ((fds[1].revents & POLLIN) != 0) break;
    if ((fds[0].revents & POLLIN) != 0) {
      failed = Receive();
      if (!failed.ok()) break;
    }
  }
  ReleaseDue(NowNs(), true);
  if (!failed.ok()) return failed;
  stats_.late_p50_us = Percentile(late_us_, 0.5);
  stats_.late_p99_us = Percentile(late_us_, 0.99);
  stats_.late_max_us = late_us_.empty() ? 0 : *std::max_element(late_us_.begin(), late_us_.end());
  return stats_;
}

}  // namespace

std::string StatsJson(const HolderStats& stats) {
  return nlohmann::json{{"received", stats.received},       {"released", stats.released},
                        {"dropped", stats.dropped},         {"duplicated", stats.duplicated},
                        {"overflows", stats.overflows},     {"late_p50_us", stats.late_p50_us},
                        {"late_p99_us", stats.late_p99_us}, {"late_max_us", stats.late_max_us}}
      .dump();
}

common::Result<std::unique_ptr<PacketHolder>> PacketHolder::Open(const HolderOptions& options) {
  if (options.queue < 0 || options.queue > 65535) {
    return Status::InvalidArgument("queue " + std::to_string(options.queue) +
                                   " is not in 0..65535");
  }
  if (options.mark_bit == 0 || (options.mark_bit & (options.mark_bit - 1)) != 0) {
    return Status::InvalidArgument("the mark must be a single bit");
  }
  RETURN_IF_ERROR(nemesis::ValidateShape(options.shape));
  auto holder = std::make_unique<NfqHolder>(options);
  RETURN_IF_ERROR(holder->Init());
  return std::unique_ptr<PacketHolder>(std::move(holder));
}

}  // namespace netq

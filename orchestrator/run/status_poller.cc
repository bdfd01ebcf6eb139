#include "orchestrator/run/status_poller.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

namespace orchestrator {

using checker::Event;
using checker::EventType;
using checker::Json;
using checker::Process;

namespace {

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 16 hex digits: JSON numbers above 2^53 do not survive every reader.
std::string DigestText(uint64_t digest) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, digest);
  return text;
}

}  // namespace

StatusPoller::StatusPoller(const workloads::Db& db, std::vector<std::string> endpoints,
                           workloads::HistoryWriter& history, std::chrono::milliseconds interval)
    : db_(db),
      endpoints_(std::move(endpoints)),
      history_(history),
      interval_(interval),
      reports_applied_(db.traits().reports_applied),
      latest_(endpoints_.size()) {}

StatusPoller::~StatusPoller() { Stop(); }

void StatusPoller::Start() {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    threads_.emplace_back([this, i] { Poll(static_cast<int>(i) + 1); });
  }
}

void StatusPoller::Stop() {
  {
    common::MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

ClusterView StatusPoller::Latest() const {
  common::MutexLock lock(mu_);
  ClusterView view;
  for (size_t i = 0; i < latest_.size(); ++i) {
    const Sample& s = latest_[i];
    if (!s.ok) continue;
    ++view.answering;
    if (s.role == "leader" && s.term >= view.term) {
      view.leader = static_cast<int>(i) + 1;
      view.term = s.term;
    }
  }
  return view;
}

void StatusPoller::Poll(int node) {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    const int64_t asked_ns = WallNs();
    auto status = db_.Status(endpoints_[node - 1], std::max(interval_, db_.StatusDeadline()));
    const int64_t answered_ns = WallNs();
    Json value = {{"node", node}};
    Sample sample;
    if (status.ok()) {
      value["role"] = status->role;
      value["term"] = status->term;
      value["leader"] = status->leader_id;
      if (reports_applied_) {
        value["commit"] = status->commit_index;
        value["applied"] = status->applied_index;
      }
      if (status->state_digest) value["digest"] = DigestText(*status->state_digest);
      if (status->wall_time_ns) {
        // Half the call's round trip is the best guess of when the node read its clock.
        const int64_t midpoint_ns = (asked_ns + answered_ns) / 2;
        value["clock_offset_ms"] = (*status->wall_time_ns - midpoint_ns) / 1'000'000;
      }
      sample = {.ok = true, .role = status->role, .term = status->term};
    } else {
      value["error"] = status.status().message();
    }
    history_.Append(Event{.process = Process::Named("status"),
                          .type = EventType::kInfo,
                          .f = "status",
                          .value = std::move(value)});
    samples_.fetch_add(1);
    next += interval_;
    common::MutexLock lock(mu_);
    latest_[node - 1] = std::move(sample);
    if (cv_.WaitUntil(lock, next, [this]() REQUIRES(mu_) { return stopping_; })) return;
    if (std::chrono::steady_clock::now() > next + interval_)
      next = std::chrono::steady_clock::now();
  }
}

common::Result<int> WaitForLeader(const workloads::Db& db,
                                  const std::vector<std::string>& endpoints,
                                  std::chrono::milliseconds timeout,
                                  const std::function<common::Status()>& still_ok) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> last(endpoints.size(), "not asked");
  while (true) {
    RETURN_IF_ERROR(still_ok());
    std::map<uint64_t, int> votes;  // leader id -> nodes that name it
    uint64_t self_leader = 0;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      auto status = db.Status(endpoints[i], std::chrono::milliseconds(200));
      if (!status.ok()) {
        last[i] = status.status().message();
        continue;
      }
      last[i] = status->role + " in term " + std::to_string(status->term) + ", leader " +
                std::to_string(status->leader_id);
      if (status->leader_id != 0) ++votes[status->leader_id];
      if (status->role == "leader") self_leader = i + 1;
    }
    if (self_leader != 0 && votes[self_leader] > static_cast<int>(endpoints.size()) / 2) {
      return static_cast<int>(self_leader);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string detail;
      for (size_t i = 0; i < last.size(); ++i) {
        detail += "; n" + std::to_string(i + 1) + ": " + last[i];
      }
      return common::Status::DeadlineExceeded("no leader with a majority behind it within " +
                                              std::to_string(timeout.count()) + " ms" + detail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace orchestrator

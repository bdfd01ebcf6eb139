#include "refdb/server/lessor.h"

#include "common/check.h"

namespace refdb::server {

void Lessor::Add(int64_t id, int64_t ttl_seconds, Clock::time_point now) {
  const Clock::time_point expires = now + std::chrono::seconds(ttl_seconds);
  deadlines_[id] = {.ttl_seconds = ttl_seconds, .expires = expires, .next_revoke = expires};
}

void Lessor::Promote(const KvStateMachine& state, Clock::time_point now) {
  is_primary_ = true;
  deadlines_.clear();
  for (const auto& [id, lease] : state.leases()) Add(id, lease.ttl_seconds, now);
  synced_epoch_ = state.lease_epoch();
}

void Lessor::Demote() {
  is_primary_ = false;
  deadlines_.clear();
}

void Lessor::Sync(const KvStateMachine& state, Clock::time_point now) {
  CHECK(is_primary_) << "lessor: Sync on a node that is not the leader";
  if (state.lease_epoch() == synced_epoch_) return;
  synced_epoch_ = state.lease_epoch();
  const auto& leases = state.leases();
  std::erase_if(deadlines_, [&](const auto& entry) { return !leases.contains(entry.first); });
  for (const auto& [id, lease] : leases) {
    if (!deadlines_.contains(id)) Add(id, lease.ttl_seconds, now);
  }
}

int64_t Lessor::Renew(int64_t id, Clock::time_point now) {
  CHECK(is_primary_) << "lessor: Renew on a node that is not the leader";
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return 0;
  Add(id, it->second.ttl_seconds, now);
  return it->second.ttl_seconds;
}

int64_t Lessor::RemainingSeconds(int64_t id, Clock::time_point now) const {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return -1;
  if (it->second.expires <= now) return 0;
  const auto left = std::chrono::ceil<std::chrono::seconds>(it->second.expires - now);
  return left.count();
}

std::vector<int64_t> Lessor::TakeExpired(Clock::time_point now) {
  std::vector<int64_t> expired;
  for (auto& [id, deadline] : deadlines_) {
    if (deadline.next_revoke > now) continue;
    expired.push_back(id);
    deadline.next_revoke = now + kRevokeRetry;
  }
  return expired;
}

}  // namespace refdb::server

#include "refdb/sim/sim_server.h"

#include <chrono>
#include <functional>
#include <utility>

#include "common/check.h"

namespace refdb::sim {

SimServer::SimServer(server::ServerOptions options, ServerListener& listener)
    : options_(std::move(options)), listener_(&listener) {}

common::Status SimServer::Start(uint64_t rng_seed) {
  CHECK(driver_ == nullptr) << "node " << options_.id << " started twice";
  server::DriverEnvironment env{
      .rng_seed = rng_seed,
      .event_log = false,
      // Snapshots are written inline: the job runs at once, PollCompact installs it next step.
      .snapshot_runner = [](const std::function<void()>& job) { job(); },
      .observer = this,
      .log_time_from_step = true};
  common::Result<std::unique_ptr<server::Driver>> driver =
      server::Driver::Create(options_, disk_, *this, std::move(env));
  if (!driver.ok()) return driver.status().WithContext("node " + std::to_string(options_.id));
  driver_ = std::move(driver).value();
  return common::Status::Ok();
}

void SimServer::Crash(std::optional<size_t> tear_keep_bytes) {
  driver_.reset();
  // Refused when the last write was synced or is not longer: then nothing is torn.
  if (tear_keep_bytes) (void)disk_.TearLastWrite(*tear_keep_bytes);
  disk_.Crash();
  crash_in_ready_ = false;
  crashing_ = false;
}

bool SimServer::Step(std::deque<server::Input> inputs, uint64_t tick,
                     std::vector<raft::Message>& outbox) {
  // Virtual time: an hour past the clock's epoch (the driver treats the epoch as "unset").
  const auto now = server::Driver::Clock::time_point(std::chrono::hours(1)) +
                   std::chrono::milliseconds(tick * static_cast<uint64_t>(options_.tick_ms));
  outbox_ = &outbox;
  driver_->Step(std::move(inputs), now);
  outbox_ = nullptr;
  if (!crashing_) return true;
  Crash(std::nullopt);
  return false;
}

void SimServer::Send(std::vector<raft::Message> messages) {
  if (messages.empty()) return;
  if (crash_in_ready_) crashing_ = true;  // persisted (step 1), and the process dies now
  if (crashing_ || outbox_ == nullptr) return;
  for (raft::Message& m : messages) outbox_->push_back(std::move(m));
}

void SimServer::OnPersisted(const raft::LogStore& store, const std::vector<raft::Entry>& entries) {
  listener_->OnPersisted(options_.id, store, entries);
}

void SimServer::OnApplied(const raft::Entry& entry, const server::KvStateMachine& state) {
  listener_->OnApplied(options_.id, entry, state);
}

void SimServer::OnCoreError(const common::Status& status) {
  listener_->OnCoreError(options_.id, status);
}

}  // namespace refdb::sim

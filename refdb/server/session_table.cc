#include "refdb/server/session_table.h"

#include <utility>

namespace refdb::server {

using commandpb::CommandResult;

void SessionTable::Advance(int64_t stamp_ns) {
  if (stamp_ns <= clock_ns_) return;
  clock_ns_ = stamp_ns;
  Expire();
}

void SessionTable::Expire() {
  if (timeout_ns_ <= 0) return;
  while (!by_last_use_.empty()) {
    const auto [last_use_ns, client_id] = *by_last_use_.begin();
    if (clock_ns_ - last_use_ns <= timeout_ns_) break;
    sessions_.erase(client_id);
    by_last_use_.erase(by_last_use_.begin());
  }
}

SessionTable::Check SessionTable::Find(uint64_t client_id, uint64_t sequence,
                                       int64_t stamp_ns) const {
  if (timeout_ns_ > 0 && stamp_ns > 0 && clock_ns_ - stamp_ns > timeout_ns_ / 2) {
    return {.verdict = Verdict::kExpired};
  }
  auto it = sessions_.find(client_id);
  if (it == sessions_.end()) {
    return {.verdict = sequence > 1 ? Verdict::kExpired : Verdict::kApply};
  }
  const Session& session = it->second;
  if (sequence == session.last_sequence) {
    return {.verdict = Verdict::kDuplicate, .last_result = &session.last_result};
  }
  if (sequence < session.last_sequence) return {.verdict = Verdict::kStale};
  return {.verdict = Verdict::kApply};
}

void SessionTable::Record(uint64_t client_id, uint64_t sequence, CommandResult result) {
  Put(client_id,
      Session{
          .last_sequence = sequence, .last_result = std::move(result), .last_use_ns = clock_ns_});
}

void SessionTable::Put(uint64_t client_id, Session session) {
  auto [it, inserted] = sessions_.try_emplace(client_id);
  if (!inserted) by_last_use_.erase({it->second.last_use_ns, client_id});
  by_last_use_.insert({session.last_use_ns, client_id});
  it->second = std::move(session);
}

void SessionTable::SaveTo(commandpb::StateImage& image) const {
  image.set_log_clock_ns(clock_ns_);
  for (const auto& [client_id, session] : sessions_) {
    commandpb::Session& s = *image.add_sessions();
    s.set_client_id(client_id);
    s.set_last_sequence(session.last_sequence);
    *s.mutable_last_result() = session.last_result;
    s.set_last_use_ns(session.last_use_ns);
  }
}

void SessionTable::RestoreFrom(const commandpb::StateImage& image) {
  sessions_.clear();
  by_last_use_.clear();
  clock_ns_ = image.log_clock_ns();
  for (const commandpb::Session& s : image.sessions()) {
    // An image from before log time has clock 0 and every last use 0.
    Put(s.client_id(), Session{.last_sequence = s.last_sequence(),
                               .last_result = s.last_result(),
                               .last_use_ns = s.last_use_ns()});
  }
  Expire();
}

}  // namespace refdb::server

#include "workloads/lease_candidate.h"

#include <algorithm>
#include <charconv>

#include "checker/lease_check.h"

namespace workloads {

using checker::Event;
using checker::EventType;
using checker::Json;
using checker::Process;
using common::Status;

namespace {

Json Nullable(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

EventType TypeOf(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return EventType::kOk;
    case Outcome::kFail:
      return EventType::kFail;
    case Outcome::kInfo:
      return EventType::kInfo;
  }
  return EventType::kInfo;
}

bool Succeeded(const Answer<CasResult>& answer) {
  return answer.outcome == Outcome::kOk && answer.value.succeeded;
}

}  // namespace

std::optional<int64_t> TokenOf(const std::string& value) {
  const size_t colon = value.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  int64_t token = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + colon, token);
  if (error != std::errc() || end != value.data() + colon) return std::nullopt;
  return token;
}

std::optional<int> HolderOf(const std::string& value) {
  if (!TokenOf(value)) return std::nullopt;
  const size_t first = value.find(':');
  const size_t second = value.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  int candidate = 0;
  const auto [end, error] =
      std::from_chars(value.data() + first + 1, value.data() + second, candidate);
  if (error != std::errc() || end != value.data() + second) return std::nullopt;
  return candidate;
}

LeaseCandidate::LeaseCandidate(LeaseCandidateOptions options, DbClient& client, CandidateSink& sink,
                               CandidateClocks& clocks)
    : options_(options),
      client_(client),
      sink_(sink),
      clocks_(clocks),
      process_(options.candidate - 1) {}

LeaseCandidate::Stamp LeaseCandidate::Now() {
  return {.mono_ns = clocks_.MonoNs(), .wall_ns = clocks_.WallNs()};
}

Status LeaseCandidate::Emit(Event event, Stamp at) {
  event.time_ns = at.mono_ns;
  if (!event.extra.is_object()) event.extra = Json::object();
  event.extra["wall_ns"] = at.wall_ns;
  return sink_.Emit(event);
}

void LeaseCandidate::Completed(Outcome outcome) {
  if (outcome == Outcome::kInfo) process_ += options_.candidates;
}

common::Result<LeaseCandidate::Done<CasResult>> LeaseCandidate::Cas(
    const std::string& key, const std::optional<std::string>& from, const std::string& to) {
  const Json input = Json::array({Nullable(from), to});
  Done<CasResult> done;
  done.invoked = Now();
  RETURN_IF_ERROR(
      Emit({.process = Process::Client(process_), .f = "cas", .key = key, .value = input},
           done.invoked));
  done.answer = client_.Cas(key, from, to);
  done.completed = Now();
  const Outcome outcome = done.answer.outcome;
  Json extra = done.answer.error.empty() ? Json() : Json{{"error", done.answer.error}};
  RETURN_IF_ERROR(
      Emit({.process = Process::Client(process_),
            .type = TypeOf(outcome),
            .f = "cas",
            .key = key,
            .value = outcome == Outcome::kOk && !done.answer.value.succeeded ? Json(false) : input,
            .extra = std::move(extra)},
           done.completed));
  Completed(outcome);
  return done;
}

common::Result<LeaseCandidate::Done<std::optional<std::string>>> LeaseCandidate::Read(
    const std::string& key) {
  Done<std::optional<std::string>> done;
  done.invoked = Now();
  RETURN_IF_ERROR(
      Emit({.process = Process::Client(process_), .f = "read", .key = key}, done.invoked));
  done.answer = client_.Read(key);
  done.completed = Now();
  const Outcome outcome = done.answer.outcome;
  Json extra = done.answer.error.empty() ? Json() : Json{{"error", done.answer.error}};
  RETURN_IF_ERROR(Emit({.process = Process::Client(process_),
                        .type = TypeOf(outcome),
                        .f = "read",
                        .key = key,
                        .value = outcome == Outcome::kOk ? Nullable(done.answer.value) : Json(),
                        .extra = std::move(extra)},
                       done.completed));
  Completed(outcome);
  return done;
}

common::Result<LeaseCandidate::Done<bool>> LeaseCandidate::Write(const std::string& key,
                                                                 const std::string& value) {
  Done<bool> done;
  done.invoked = Now();
  RETURN_IF_ERROR(
      Emit({.process = Process::Client(process_), .f = "write", .key = key, .value = value},
           done.invoked));
  done.answer = client_.Write(key, value);
  done.completed = Now();
  const Outcome outcome = done.answer.outcome;
  Json extra = done.answer.error.empty() ? Json() : Json{{"error", done.answer.error}};
  RETURN_IF_ERROR(Emit({.process = Process::Client(process_),
                        .type = TypeOf(outcome),
                        .f = "write",
                        .key = key,
                        .value = value,
                        .extra = std::move(extra)},
                       done.completed));
  Completed(outcome);
  return done;
}

std::string LeaseCandidate::NextValue() {
  return std::to_string(token_) + ":" + std::to_string(options_.candidate) + ":" +
         std::to_string(++counter_);
}

Status LeaseCandidate::Step() { return holding_ ? Lead() : Observe(); }

// The leader's work first, on the belief the last round left; then the renew loop's check.
Status LeaseCandidate::Lead() {
  RETURN_IF_ERROR(Work());
  if (!holding_) return Status::Ok();
  return Renew();
}

Status LeaseCandidate::Work() {
  const std::string value = std::to_string(token_) + ":" + std::to_string(options_.candidate) +
                            ":" + std::to_string(++writes_);
  if (!options_.fencing) {
    ASSIGN_OR_RETURN(Done<bool> done, Write(kFencedKey, value));
    last_believed_mono_ = std::max(last_believed_mono_, done.invoked.mono_ns);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(Done<CasResult> done, Cas(kFencedKey, fence_value_, value));
  last_believed_mono_ = std::max(last_believed_mono_, done.invoked.mono_ns);
  if (Succeeded(done.answer)) {
    fence_value_ = value;
    return Status::Ok();
  }
  if (done.answer.outcome != Outcome::kOk) return Status::Ok();  // try again next round
  // The compare failed: someone wrote the protected key since. A larger token there means a
  // newer leader: this one is fenced out.
  ASSIGN_OR_RETURN(Done<std::optional<std::string>> seen, Read(kFencedKey));
  if (seen.answer.outcome != Outcome::kOk) return Status::Ok();
  if (seen.answer.value && TokenOf(*seen.answer.value).value_or(0) > token_) {
    return EndTenure(seen.completed);
  }
  fence_value_ = seen.answer.value;
  return Status::Ok();
}

Status LeaseCandidate::Renew() {
  const Stamp now = Now();
  const int64_t deadline_wall = last_renew_invoke_wall_ + options_.renew_deadline_ns;
  if (now.wall_ns > deadline_wall) return EndTenure(now);
  last_believed_mono_ = std::max(last_believed_mono_, now.mono_ns);
  const std::string next = NextValue();
  ASSIGN_OR_RETURN(Done<CasResult> done, Cas(kLeaseKey, my_value_, next));
  if (Succeeded(done.answer)) {
    if (done.completed.wall_ns > deadline_wall) return EndTenure(done.completed);
    last_renew_invoke_wall_ = done.invoked.wall_ns;
    my_value_ = next;
    last_believed_mono_ = std::max(last_believed_mono_, done.completed.mono_ns);
  } else if (done.answer.outcome == Outcome::kOk) {
    return EndTenure(done.completed);  // the compare failed: someone else holds the lease
  }
  return Status::Ok();  // fail or info: believe on until the renew deadline
}

Status LeaseCandidate::Observe() {
  ASSIGN_OR_RETURN(Done<std::optional<std::string>> done, Read(kLeaseKey));
  if (done.answer.outcome != Outcome::kOk) return Status::Ok();
  if (!observed_valid_ || done.answer.value != observed_) {
    observed_ = done.answer.value;
    observed_since_wall_ = done.completed.wall_ns;
    observed_valid_ = true;
  }
  if (observed_.has_value() && done.completed.wall_ns - observed_since_wall_ < options_.lease_ns) {
    return Status::Ok();
  }
  return Acquire();
}

Status LeaseCandidate::Acquire() {
  token_ = (observed_ ? TokenOf(*observed_).value_or(0) : 0) + 1;
  const std::string next = NextValue();
  ASSIGN_OR_RETURN(Done<CasResult> done, Cas(kLeaseKey, observed_, next));
  if (!Succeeded(done.answer)) return Status::Ok();
  const int64_t deadline_wall = done.invoked.wall_ns + options_.renew_deadline_ns;
  if (done.completed.wall_ns > deadline_wall) return Status::Ok();  // too late to count
  my_value_ = next;
  last_renew_invoke_wall_ = done.invoked.wall_ns;
  Stamp start = done.completed;
  if (options_.fencing) {
    ASSIGN_OR_RETURN(const bool raised, RaiseFence());
    start = Now();
    if (!raised || start.wall_ns > deadline_wall) return Status::Ok();
  }
  holding_ = true;
  tenure_start_mono_ = start.mono_ns;
  last_believed_mono_ = start.mono_ns;
  return Status::Ok();
}

common::Result<bool> LeaseCandidate::RaiseFence() {
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    ASSIGN_OR_RETURN(Done<std::optional<std::string>> seen, Read(kFencedKey));
    if (seen.answer.outcome != Outcome::kOk) continue;
    if (seen.answer.value && TokenOf(*seen.answer.value).value_or(0) > token_) return false;
    const std::string mine = std::to_string(token_) + ":" + std::to_string(options_.candidate) +
                             ":" + std::to_string(++writes_);
    ASSIGN_OR_RETURN(Done<CasResult> done, Cas(kFencedKey, seen.answer.value, mine));
    if (Succeeded(done.answer)) {
      fence_value_ = mine;
      return true;
    }
  }
  return false;
}

// The belief ended when it was noticed, or earlier at the renew deadline (projected from the
// wall clock onto the monotonic one), but never before the candidate's last act as leader.
Status LeaseCandidate::EndTenure(Stamp noticed) {
  const int64_t deadline_wall = last_renew_invoke_wall_ + options_.renew_deadline_ns;
  const int64_t projected = noticed.mono_ns - (noticed.wall_ns - deadline_wall);
  const int64_t end =
      std::max({last_believed_mono_, std::min(noticed.mono_ns, projected), tenure_start_mono_});
  holding_ = false;
  observed_valid_ = false;
  return Emit({.process = Process::Named(checker::kLeaseProcess),
               .type = EventType::kInfo,
               .f = "tenure",
               .value = {{"candidate", options_.candidate},
                         {"start_ns", tenure_start_mono_},
                         {"end_ns", end},
                         {"token", token_}}},
              noticed);
}

Status LeaseCandidate::Finish() {
  if (!holding_) return Status::Ok();
  return EndTenure(Now());
}

}  // namespace workloads

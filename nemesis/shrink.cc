#include "nemesis/shrink.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace nemesis {

std::string_view ShrinkStepName(ShrinkStep step) {
  switch (step) {
    case ShrinkStep::kFaults:
      return "faults";
    case ShrinkStep::kNoFaults:
      return "no faults";
    case ShrinkStep::kHolds:
      return "holds";
    case ShrinkStep::kShift:
      return "shift";
    case ShrinkStep::kLength:
      return "length";
  }
  return "?";
}

milliseconds ScheduleEnd(const Schedule& schedule) {
  milliseconds end{0};
  for (const ScheduleEntry& entry : schedule) end = std::max(end, entry.at + entry.duration);
  return end;
}

namespace {

// The entries [begin, end) of `schedule` (keep) or every entry but those (drop).
Schedule Slice(const Schedule& schedule, size_t begin, size_t end, bool keep) {
  Schedule out;
  for (size_t i = 0; i < schedule.size(); ++i) {
    if ((i >= begin && i < end) == keep) out.push_back(schedule[i]);
  }
  return out;
}

class Shrinker {
 public:
  Shrinker(const ShrinkOracle& oracle, const ShrinkOptions& options)
      : oracle_(oracle), options_(options) {}

  ShrinkResult Run(ShrinkCandidate current) {
    current = Faults(std::move(current));
    current = Holds(std::move(current));
    current = Shift(std::move(current));
    current = Length(std::move(current));
    return {.smallest = std::move(current),
            .tried = static_cast<int>(seen_.size()),
            .failed = failed_,
            .complete = !stopped_};
  }

 private:
  // Asks the oracle once per distinct candidate; false once it has stopped.
  bool Fails(const ShrinkCandidate& candidate, ShrinkStep step) {
    if (stopped_) return false;
    const std::string key = ScheduleToJson(candidate.schedule).dump() + "|" +
                            std::to_string(candidate.time_limit.count());
    if (auto found = seen_.find(key); found != seen_.end()) return found->second;
    const TrialOutcome outcome = oracle_(candidate, step);
    if (outcome == TrialOutcome::kStopped) {
      stopped_ = true;
      return false;
    }
    const bool fails = outcome == TrialOutcome::kFails;
    seen_.emplace(key, fails);
    failed_ += fails ? 1 : 0;
    return fails;
  }

  // ddmin: with the entries in n chunks, a chunk alone that fails becomes the schedule (n back
  // to 2); else the schedule without a chunk that fails does (n - 1); else n doubles, up to one
  // entry per chunk. The result is 1-minimal: dropping any one entry makes it pass.
  ShrinkCandidate Faults(ShrinkCandidate current) {
    size_t n = 2;
    while (current.schedule.size() >= 2 && !stopped_) {
      const size_t size = current.schedule.size();
      n = std::min(n, size);
      bool reduced = false;
      for (int keep = 1; keep >= 0 && !reduced; --keep) {
        if (keep == 0 && n == 2) break;  // with two chunks, dropping one is keeping the other
        for (size_t chunk = 0; chunk < n && !reduced; ++chunk) {
          ShrinkCandidate candidate = current;
          candidate.schedule =
              Slice(current.schedule, chunk * size / n, (chunk + 1) * size / n, keep == 1);
          if (!Fails(candidate, ShrinkStep::kFaults)) continue;
          current = std::move(candidate);
          n = keep == 1 ? 2 : std::max<size_t>(n - 1, 2);
          reduced = true;
        }
      }
      if (reduced) continue;
      if (n >= size) break;
      n = std::min(2 * n, size);
    }
    if (current.schedule.size() == 1) {
      ShrinkCandidate none = current;
      none.schedule.clear();
      if (Fails(none, ShrinkStep::kNoFaults)) return none;
    }
    return current;
  }

  ShrinkCandidate Holds(ShrinkCandidate current) {
    for (size_t i = 0; i < current.schedule.size(); ++i) {
      while (current.schedule[i].duration / 2 >= options_.min_hold) {
        ShrinkCandidate candidate = current;
        candidate.schedule[i].duration = current.schedule[i].duration / 2;
        if (!Fails(candidate, ShrinkStep::kHolds)) break;
        current = std::move(candidate);
      }
    }
    return current;
  }

  ShrinkCandidate Shift(ShrinkCandidate current) {
    if (current.schedule.empty()) return current;
    milliseconds first = current.schedule.front().at;
    for (const ScheduleEntry& entry : current.schedule) first = std::min(first, entry.at);
    if (first <= options_.lead) return current;
    ShrinkCandidate candidate = current;
    for (ScheduleEntry& entry : candidate.schedule) entry.at -= first - options_.lead;
    candidate.time_limit =
        std::max(current.time_limit - (first - options_.lead), ScheduleEnd(candidate.schedule));
    return Fails(candidate, ShrinkStep::kShift) ? candidate : current;
  }

  ShrinkCandidate Length(ShrinkCandidate current) {
    const milliseconds shorter =
        std::max(ScheduleEnd(current.schedule) + options_.tail, options_.lead + options_.tail);
    if (shorter >= current.time_limit) return current;
    ShrinkCandidate candidate = current;
    candidate.time_limit = shorter;
    return Fails(candidate, ShrinkStep::kLength) ? candidate : current;
  }

  const ShrinkOracle& oracle_;
  const ShrinkOptions options_;
  std::map<std::string, bool> seen_;
  int failed_ = 0;
  bool stopped_ = false;
};

}  // namespace

ShrinkResult ShrinkSchedule(const ShrinkCandidate& failing, const ShrinkOracle& oracle,
                            const ShrinkOptions& options) {
  return Shrinker(oracle, options).Run(failing);
}

}  // namespace nemesis

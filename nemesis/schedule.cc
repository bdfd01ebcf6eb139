#include "nemesis/schedule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/duration.h"
#include "nemesis/schedule_options.h"

namespace nemesis {
namespace {

using schedule_internal::DurationField;
using schedule_internal::ParseOption;

using Json = nlohmann::json;
using common::Status;

Status EntryError(size_t index, const Json& entry, const std::string& message) {
  std::string name;
  if (entry.is_object() && entry.contains("fault") && entry["fault"].is_string()) {
    name = " (" + entry["fault"].get<std::string>() + ")";
  }
  return Status::InvalidArgument("schedule entry " + std::to_string(index + 1) + name + ": " +
                                 message);
}

common::Result<ScheduleEntry> ParseEntry(const Json& entry) {
  if (!entry.is_object()) return Status::InvalidArgument("an entry must be a JSON object");
  for (const char* key : {"at", "fault", "duration"}) {
    if (!entry.contains(key))
      return Status::InvalidArgument(std::string("\"") + key + "\" is missing");
  }
  if (!entry["fault"].is_string()) return Status::InvalidArgument("\"fault\" must be a name");
  ScheduleEntry parsed;
  ASSIGN_OR_RETURN(parsed.fault.kind, ParseFaultKind(entry["fault"].get<std::string>()));
  ASSIGN_OR_RETURN(parsed.at, DurationField(entry["at"], "at"));
  ASSIGN_OR_RETURN(parsed.duration, DurationField(entry["duration"], "duration"));
  for (const auto& [key, value] : entry.items()) {
    if (key == "at" || key == "fault" || key == "duration") continue;
    RETURN_IF_ERROR(ParseOption(key, value, parsed.fault));
  }
  const Fault& fault = parsed.fault;
  if (fault.offset_s && fault.kind != FaultKind::kClock &&
      fault.kind != FaultKind::kClockCandidate) {
    return Status::InvalidArgument("\"offset\" applies only to clock and clock-candidate");
  }
  if (fault.kind == FaultKind::kDiskSlow && fault.delay_ms) {  // "delay": the fsync's, here
    parsed.fault.fsync_delay = milliseconds(std::llround(*fault.delay_ms));
    parsed.fault.delay_ms.reset();
  }
  if (entry.contains("op") && fault.kind != FaultKind::kDiskError) {
    return Status::InvalidArgument("\"op\" applies only to disk-error");
  }
  if (fault.target && !TakesTargets(fault.kind)) {
    return Status::InvalidArgument("a target name does not apply to " +
                                   std::string(FaultName(fault.kind)));
  }
  if (fault.cut && !TakesCut(fault.kind)) {
    return Status::InvalidArgument("\"cut\" applies only to partitions, link and shaping");
  }
  if ((fault.delay_ms || fault.jitter_ms || fault.rate_kbit) && !IsShapingKind(fault.kind)) {
    return Status::InvalidArgument(
        "\"delay\", \"jitter\" and \"rate_kbit\" apply only to delay, reorder, duplicate "
        "and bandwidth (and \"delay\" to disk-slow)");
  }
  if (fault.rate && fault.kind != FaultKind::kClockRate) {
    return Status::InvalidArgument("\"rate\" applies only to clock-rate");
  }
  if (fault.correlation && fault.kind != FaultKind::kLoss) {
    return Status::InvalidArgument("\"correlation\" applies only to loss");
  }
  return parsed;
}

Json FaultFields(const Fault& fault) {
  Json out = {{"fault", std::string(FaultName(fault.kind))}};
  if (!fault.nodes.empty()) {
    out["targets"] = fault.nodes;
  } else if (fault.target) {
    out["targets"] = std::string(TargetName(*fault.target));
  }
  if (fault.cut) {
    Json links = Json::array();
    for (const Link& link : *fault.cut) links.push_back({link.from, link.to});
    out["cut"] = std::move(links);
  }
  if (fault.kind == FaultKind::kLink && fault.one_way) out["one_way"] = true;
  if (fault.kind == FaultKind::kLoss || fault.kind == FaultKind::kDuplicate)
    out["probability"] = fault.probability;
  if (fault.one_way && IsShapingKind(fault.kind)) out["one_way"] = true;
  if (fault.delay_ms) out["delay"] = FormatDuration(milliseconds(std::llround(*fault.delay_ms)));
  if (fault.jitter_ms) out["jitter"] = FormatDuration(milliseconds(std::llround(*fault.jitter_ms)));
  if (fault.correlation) out["correlation"] = *fault.correlation;
  if (fault.rate_kbit) out["rate_kbit"] = *fault.rate_kbit;
  const bool is_clock = fault.kind == FaultKind::kClock || fault.kind == FaultKind::kClockCandidate;
  if (is_clock && fault.offset_s) out["offset"] = *fault.offset_s;
  if (fault.rate) out["rate"] = *fault.rate;
  if (fault.kind == FaultKind::kDiskError) out["op"] = std::string(DiskOpName(fault.disk_op));
  if (fault.kind == FaultKind::kDiskSlow) out["delay"] = FormatDuration(fault.fsync_delay);
  return out;
}

// A fault of `kind` with a random target where the kind takes one.
Fault RandomFault(FaultKind kind, int nodes, common::Rng& rng) {
  Fault fault{.kind = kind};
  if (kind == FaultKind::kKill || kind == FaultKind::kPause || kind == FaultKind::kClock ||
      kind == FaultKind::kClockRate || IsDiskFault(kind) || IsMembershipFault(kind)) {
    std::vector<Target> targets{Target::kOne, Target::kLeader};
    if ((nodes - 1) / 2 >= 1) targets.push_back(Target::kMinority);
    fault.target = targets[rng.Uniform(targets.size())];
  }
  if (IsCandidateFault(kind)) fault.target = rng.Chance(1, 2) ? Target::kOne : Target::kLeader;
  if (kind == FaultKind::kLink) fault.one_way = rng.Chance(1, 2);
  if (IsShapingKind(kind)) {
    const std::array<Target, 3> targets{Target::kAll, Target::kOne, Target::kLeader};
    fault.target = targets[rng.Uniform(targets.size())];
  }
  return fault;
}

// A choice by weight; with every weight 1 the same draw as picking uniformly from the kinds, so
// unbiased schedules stay what they were for a seed.
const FaultChoice& PickChoice(const std::vector<FaultChoice>& choices, uint64_t total,
                              common::Rng& rng) {
  uint64_t draw = rng.Uniform(total);
  for (const FaultChoice& choice : choices) {
    const auto weight = static_cast<uint64_t>(choice.weight);
    if (draw < weight) return choice;
    draw -= weight;
  }
  return choices.back();
}

}  // namespace

common::Result<milliseconds> ParseDuration(std::string_view text) {
  ASSIGN_OR_RETURN(const double seconds, common::ParseSeconds(text));
  return milliseconds(std::llround(seconds * 1000));
}

std::string FormatDuration(milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + "s";
  return std::to_string(duration.count()) + "ms";
}

common::Result<std::vector<FaultKind>> ParseFaultList(std::string_view text) {
  std::vector<FaultKind> kinds;
  if (!text.empty() && text.back() == ',') {
    return Status::InvalidArgument("--nemesis: an empty fault name");
  }
  std::istringstream in{std::string(text)};
  for (std::string name; std::getline(in, name, ',');) {
    if (name.empty()) return Status::InvalidArgument("--nemesis: an empty fault name");
    auto kind = ParseFaultKind(name);
    if (!kind.ok()) return kind.status().WithContext("--nemesis");
    kinds.push_back(*kind);
  }
  if (kinds.empty()) return Status::InvalidArgument("--nemesis: no fault named");
  return kinds;
}

common::Result<Schedule> ParseSchedule(std::string_view json_text) {
  const Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::InvalidArgument("schedule: not valid JSON");
  if (!root.is_array()) return Status::InvalidArgument("schedule: must be a JSON array of entries");
  Schedule schedule;
  for (size_t i = 0; i < root.size(); ++i) {
    auto entry = ParseEntry(root[i]);
    if (!entry.ok()) return EntryError(i, root[i], entry.status().message());
    schedule.push_back(std::move(entry).value());
  }
  return schedule;
}

common::Result<Schedule> LoadSchedule(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path.string() + ": cannot open the schedule file");
  std::stringstream text;
  text << in.rdbuf();
  auto schedule = ParseSchedule(text.str());
  if (!schedule.ok()) return schedule.status().WithContext(path.string());
  return schedule;
}

Json ScheduleToJson(const Schedule& schedule) {
  Json entries = Json::array();
  for (const ScheduleEntry& entry : schedule) {
    Json out = {{"at", FormatDuration(entry.at)}};
    out.update(FaultFields(entry.fault));
    out["duration"] = FormatDuration(entry.duration);
    entries.push_back(std::move(out));
  }
  return entries;
}

std::string ScheduleFileText(const Schedule& schedule) {
  std::string text = "[";
  for (const Json& entry : ScheduleToJson(schedule)) {
    text += (text.size() == 1 ? "" : ",\n ") + entry.dump();
  }
  return text + "]\n";
}

common::Result<Schedule> RandomSchedule(const RandomScheduleOptions& options) {
  if (options.interval.count() <= 0) {
    return Status::InvalidArgument("--nemesis-interval must be positive");
  }
  std::vector<FaultChoice> choices;
  for (FaultKind kind : options.faults) choices.push_back({.kind = kind});
  if (!options.choices.empty()) choices = options.choices;
  std::erase_if(choices, [&](const FaultChoice& c) { return !Applicable(c.kind, options.nodes); });
  uint64_t total = 0;
  for (const FaultChoice& choice : choices) {
    if (choice.weight < 1) return Status::InvalidArgument("--nemesis: a weight below 1");
    if (choice.target.has_value() && !TakesTargets(choice.kind)) {
      return Status::InvalidArgument("--nemesis: " + std::string(FaultName(choice.kind)) +
                                     " takes no target");
    }
    total += static_cast<uint64_t>(choice.weight);
  }
  if (choices.empty()) {
    return Status::InvalidArgument("--nemesis: none of the faults can run on " +
                                   std::to_string(options.nodes) + " nodes");
  }
  common::Rng rng(options.seed);
  Schedule schedule;
  for (milliseconds at = options.interval; at + options.interval <= options.time_limit;
       at += 2 * options.interval) {
    const FaultChoice& choice = PickChoice(choices, total, rng);
    Fault fault = RandomFault(choice.kind, options.nodes, rng);
    if (choice.target.has_value()) fault.target = choice.target;
    schedule.push_back({.at = at, .fault = std::move(fault), .duration = options.interval});
  }
  return schedule;
}
ScheduleRunner::ScheduleRunner(Nemesis& nemesis, Schedule schedule,
                               std::chrono::steady_clock::time_point start, ErrorFn on_error)
    : nemesis_(nemesis),
      schedule_(std::move(schedule)),
      start_(start),
      on_error_(std::move(on_error)),
      ids_(schedule_.size(), 0),
      executed_index_(schedule_.size(), -1),
      thread_([this] { Loop(); }) {}

ScheduleRunner::~ScheduleRunner() { Stop(); }

void ScheduleRunner::Stop() {
  {
    common::MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  const auto elapsed =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start_);
  Report(nemesis_.HealAll());
  common::MutexLock lock(mutex_);
  for (size_t i = 0; i < schedule_.size(); ++i) {
    if (ids_[i] == 0) continue;  // never started, or already ended
    ScheduleEntry& cut_short = executed_[static_cast<size_t>(executed_index_[i])];
    cut_short.duration = std::max(milliseconds(0), elapsed - cut_short.at);
    ids_[i] = 0;
  }
}

bool ScheduleRunner::WaitFinished(std::chrono::steady_clock::time_point deadline) {
  common::MutexLock lock(mutex_);
  return changed_.WaitUntil(lock, deadline, [this]() REQUIRES(mutex_) { return finished_; });
}

Schedule ScheduleRunner::executed() const {
  common::MutexLock lock(mutex_);
  return executed_;
}

void ScheduleRunner::Loop() {
  std::vector<Event> events;
  for (size_t i = 0; i < schedule_.size(); ++i) {
    events.push_back({.at = schedule_[i].at, .is_start = true, .entry = i});
    events.push_back(
        {.at = schedule_[i].at + schedule_[i].duration, .is_start = false, .entry = i});
  }
  // By time; at equal times ends go first so a fault ending as the next begins frees its nodes.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.at != b.at ? a.at < b.at : (!a.is_start && b.is_start);
  });
  for (const Event& event : events) {
    {
      common::MutexLock lock(mutex_);
      if (changed_.WaitUntil(lock, start_ + event.at,
                             [this]() REQUIRES(mutex_) { return stopping_; })) {
        return;
      }
    }
    Fire(event);
  }
  common::MutexLock lock(mutex_);
  finished_ = true;
  changed_.NotifyAll();
}

void ScheduleRunner::Fire(const Event& event) {
  const ScheduleEntry& entry = schedule_[event.entry];
  if (!event.is_start) {
    int id = 0;
    {
      common::MutexLock lock(mutex_);
      std::swap(id, ids_[event.entry]);
    }
    if (id != 0) Report(nemesis_.End(id));
    return;
  }
  auto id = nemesis_.Start(entry.fault);
  if (!id.ok()) {
    Report(id.status().WithContext("schedule entry " + std::to_string(event.entry + 1) + " at " +
                                   FormatDuration(entry.at)));
    return;
  }
  std::optional<Fault> applied = nemesis_.Applied(*id);
  common::MutexLock lock(mutex_);
  ids_[event.entry] = *id;
  executed_index_[event.entry] = static_cast<long>(executed_.size());
  executed_.push_back(
      {.at = entry.at, .fault = applied.value_or(entry.fault), .duration = entry.duration});
}

void ScheduleRunner::Report(const common::Status& status) {
  if (!status.ok() && on_error_) on_error_(status);
}

}  // namespace nemesis

#include "checker/fault_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

constexpr int64_t kSampleMarginNs = 100'000'000;  // a sample's state was read this much earlier
constexpr double kClockToleranceMs = 1000;
constexpr size_t kListedFaults = 3;  // faults the summary names; the rest are in details

struct Outcome {
  const char* status = "";
  std::string reason;
};

// True when `fault` is in force at event `index` (between its effect and its healing).
bool IsInForceAt(const Fault& fault, int64_t index) {
  return !fault.IsFailed() && fault.EffectIndex() < index &&
         index < fault.InForceUntilIndex().value_or(Operation::kNever);
}

bool Targets(const Fault& fault, int64_t node) {
  return std::find(fault.targets.begin(), fault.targets.end(), node) != fault.targets.end();
}

// The clock offset `node` should show in sample `s`: the steps of the clock faults in force plus
// what the clock-rate faults in force have drifted since they took effect.
double ExpectedOffsetMs(const std::vector<Fault>& faults, int64_t node, const StatusSample& s) {
  double expected_ms = 0;
  for (const Fault& fault : faults) {
    if (!IsInForceAt(fault, s.index) || !Targets(fault, node)) continue;
    if (fault.name == "clock") expected_ms += fault.offset_s * 1000;
    if (fault.name == "clock-rate") {
      expected_ms += (fault.rate - 1) * static_cast<double>(s.time_ns - fault.InForceNs()) / 1e6;
    }
  }
  return expected_ms;
}

// What a clock running at `rate` drifts while libfaketime keeps its last read of the offset: that
// cache lasts a second of the node's own clock, 1 / rate real seconds, in which the offset moves
// by (rate - 1) / rate s.
double RateLagMs(double rate) { return std::abs(rate - 1) / rate * 1000; }

// How far a sample's offset may be from the expected one: a second (libfaketime reads the offset
// file once a second), plus each rate's lag.
double ToleranceMs(const std::vector<Fault>& faults, int64_t node, int64_t index) {
  double tolerance_ms = kClockToleranceMs;
  for (const Fault& fault : faults) {
    if (fault.name == "clock-rate" && IsInForceAt(fault, index) && Targets(fault, node)) {
      tolerance_ms += RateLagMs(fault.rate);
    }
  }
  return tolerance_ms;
}

// True when a sample of `node` shows the clock offset while `fault` is surely in force.
bool ShowsOffset(const std::vector<StatusSample>& samples, const std::vector<Fault>& faults,
                 const Fault& fault, int64_t node) {
  const int64_t from_ns = fault.applied_ns.value_or(fault.start_ns) + kSampleMarginNs;
  for (const StatusSample& s : samples) {
    if (s.node != node || !s.clock_offset_ms.has_value() || s.time_ns < from_ns) continue;
    if (!IsInForceAt(fault, s.index)) continue;
    const double expected_ms = ExpectedOffsetMs(faults, node, s);
    const double tolerance_ms = ToleranceMs(faults, node, s.index);
    // A drift shows once it is larger than the tolerance: before, a clock that does not drift
    // would pass too.
    const double drift_ms =
        fault.name == "clock-rate"
            ? (fault.rate - 1) * static_cast<double>(s.time_ns - fault.InForceNs()) / 1e6
            : tolerance_ms * 2;
    if (std::abs(drift_ms) <= tolerance_ms) continue;
    if (std::abs(*s.clock_offset_ms - expected_ms) <= tolerance_ms) return true;
  }
  return false;
}

Outcome ClockOutcome(const std::vector<StatusSample>& samples, const std::vector<Fault>& faults,
                     const Fault& fault) {
  if (fault.targets.empty()) return {"unverified", "a clock fault without targets"};
  std::string unseen;
  for (int64_t node : fault.targets) {
    if (ShowsOffset(samples, faults, fault, node)) continue;
    unseen += (unseen.empty() ? "" : ",") + std::to_string(node);
  }
  if (unseen.empty()) return {"verified", ""};
  if (fault.name == "clock-rate") {
    return {"unverified", "no status sample of node " + unseen +
                              " showed its clock drifting at rate " + Fixed(fault.rate, 3) +
                              " while the fault was in force (a drift shows once it exceeds " +
                              Fixed((kClockToleranceMs + RateLagMs(fault.rate)) / 1000, 1) + " s)"};
  }
  return {"unverified", "no status sample of node " + unseen + " showed the offset of " +
                            Fixed(fault.offset_s, 3) + " s while the fault was in force"};
}

// The reason a verification failed: its own, else the first failed probe.
std::string VerifyFailure(const Fault& fault) {
  if (!fault.verify_reason.empty()) return fault.verify_reason;
  if (fault.verify_probes.is_array()) {
    for (const Json& probe : fault.verify_probes) {
      if (!probe.is_object() || probe.value("ok", true)) continue;
      return "probe failed: " + probe.dump();
    }
  }
  return "verification failed";
}

Outcome FaultOutcome(const std::vector<StatusSample>& samples, const std::vector<Fault>& faults,
                     const Fault& fault, bool is_old_history) {
  if (!fault.error.empty()) return {"failed", fault.error};
  if (fault.verified == false) return {"failed", VerifyFailure(fault)};
  if (fault.verified == true) return {"verified", ""};
  const bool is_applied = fault.applied_index.has_value() || is_old_history;
  if (!is_applied) {
    return {"not-applied", fault.end_index.has_value()
                               ? "no applied event: it never got in force"
                               : "no applied event and no end: the history was cut"};
  }
  if (fault.name == "clock" || fault.name == "clock-rate") {
    return ClockOutcome(samples, faults, fault);
  }
  if (is_old_history) {
    return {"unverified",
            "the history has no applied or verified events (recorded before "
            "faults were verified)"};
  }
  return {"unverified", "applied, but no verified event"};
}

// True for a history from before the applied, verified and healing phases existed.
bool IsOldHistory(const std::vector<Fault>& faults) {
  for (const Fault& fault : faults) {
    if (fault.applied_index || fault.verified || fault.healing_index || !fault.error.empty()) {
      return false;
    }
  }
  return true;
}

std::string ListText(const Json& entries) {
  std::string text;
  size_t listed = 0;
  for (const Json& entry : entries) {
    if (entry["status"] == "verified") continue;
    if (listed == kListedFaults) {
      text += "; and more (details.faults)";
      break;
    }
    text += (listed++ > 0 ? "; " : "") + std::string("fault ") + entry["id"].dump() + " (" +
            entry["fault"].get<std::string>() + " at " + Fixed(entry["start_s"].get<double>(), 1) +
            " s): " + entry["status"].get<std::string>() + ": " +
            entry["reason"].get<std::string>();
  }
  return text;
}

}  // namespace

RunCheckResult CheckFaults(const RunHistory& run) {
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  const bool is_old_history = IsOldHistory(run.faults);
  const int64_t origin_ns = run.origin_ns;
  Json details = {{"planned", run.faults.size()},
                  {"applied", 0},
                  {"verified", 0},
                  {"failed", 0},
                  {"unverified", 0},
                  {"not_applied", 0},
                  {"faults", Json::array()}};
  for (const Fault& fault : run.faults) {
    const Outcome outcome = FaultOutcome(run.samples, run.faults, fault, is_old_history);
    const bool is_applied =
        fault.applied_index.has_value() || (is_old_history && fault.error.empty());
    if (is_applied) details["applied"] = details["applied"].get<int64_t>() + 1;
    std::string counter =
        outcome.status == std::string("not-applied") ? "not_applied" : outcome.status;
    details[counter] = details[counter].get<int64_t>() + 1;
    details["faults"].push_back({{"id", fault.id},
                                 {"fault", fault.name},
                                 {"start_s", Seconds(fault.start_ns - origin_ns)},
                                 {"targets", fault.targets},
                                 {"status", outcome.status},
                                 {"reason", outcome.reason}});
  }
  const auto planned = run.faults.size();
  const auto verified = details["verified"].get<size_t>();
  if (planned == 0) return {Verdict::kValid, "no faults planned", std::move(details)};
  if (verified == planned) {
    return {Verdict::kValid,
            std::to_string(planned) + " fault" + (planned == 1 ? "" : "s") +
                " planned, all applied and verified",
            std::move(details)};
  }
  const std::string list = ListText(details["faults"]);
  std::string summary = details["applied"] == 0
                            ? std::to_string(planned) + " fault" + (planned == 1 ? "" : "s") +
                                  " planned, none applied: " + list
                            : std::to_string(planned - verified) + " of " +
                                  std::to_string(planned) + " faults did not take effect: " + list;
  return UnknownRunCheck(std::move(summary), std::move(details));
}

}  // namespace checker

#include "checker/liveness_check.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

// The final heal: the last end of a fault that was in force.
struct FinalHeal {
  int64_t index = -1;
  int64_t ns = 0;
};

// The final heal, nothing when no fault was in force, or an error naming a fault that never
// ended.
Result<std::optional<FinalHeal>> FindFinalHeal(const RunHistory& run) {
  std::optional<FinalHeal> heal;
  for (const Fault& fault : run.faults) {
    if (fault.IsFailed()) continue;
    if (!fault.end_index.has_value()) {
      return Status::InvalidArgument("fault " + std::to_string(fault.id) + " (" + fault.name +
                                     ", " + run.LineWhere(fault.line) +
                                     ") never ended: the cluster was never healed");
    }
    if (!heal.has_value() || *fault.end_index > heal->index) {
      heal = FinalHeal{.index = *fault.end_index, .ns = *fault.end_ns};
    }
  }
  return heal;
}

}  // namespace

RunCheckResult CheckLiveness(const RunHistory& run, const LivenessOptions& options) {
  if (!run.operations_status.ok()) return UnknownRunCheck(run.operations_status.message());
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  const int64_t origin_ns = run.origin_ns;
  const int64_t end_ns = std::max(origin_ns, run.end_ns);
  const auto ok_ops = std::count_if(run.operations.begin(), run.operations.end(),
                                    [](const Operation& op) { return !op.is_unknown; });
  Json details = {{"ok_ops", ok_ops},
                  {"final_heal_s", nullptr},
                  {"served_after_heal_s", nullptr},
                  {"bound_s", options.max_recovery_s}};
  if (ok_ops == 0) return {Verdict::kInvalid, "no operation was acknowledged", std::move(details)};
  auto heal = FindFinalHeal(run);
  if (!heal.ok()) return UnknownRunCheck(heal.status().message(), std::move(details));
  if (!heal->has_value()) {
    return {Verdict::kValid, std::to_string(ok_ops) + " operations acknowledged; no fault to heal",
            std::move(details)};
  }
  const FinalHeal& final_heal = **heal;
  const std::string at = Fixed(Seconds(final_heal.ns - origin_ns), 1) + " s";
  details["final_heal_s"] = Seconds(final_heal.ns - origin_ns);
  std::optional<int64_t> served_ns;
  for (const Operation& op : run.operations) {
    if (op.is_unknown || op.call <= final_heal.index) continue;
    served_ns = std::min(served_ns.value_or(op.ret_time_ns), op.ret_time_ns);
  }
  const std::string bound = Fixed(options.max_recovery_s, 1) + " s";
  if (served_ns.has_value()) {
    const double after_s = Seconds(*served_ns - final_heal.ns);
    details["served_after_heal_s"] = after_s;
    if (after_s <= options.max_recovery_s) {
      return {Verdict::kValid, "served " + Fixed(after_s, 3) + " s after the final heal at " + at,
              std::move(details)};
    }
    return {Verdict::kInvalid,
            "the cluster did not serve within " + bound + " after the final heal at " + at +
                " (first acknowledged operation after " + Fixed(after_s, 3) + " s)",
            std::move(details)};
  }
  const double remaining_s = Seconds(end_ns - final_heal.ns);
  if (remaining_s > options.max_recovery_s) {
    return {Verdict::kInvalid,
            "the cluster did not serve within " + bound + " after the final heal at " + at +
                " (no operation acknowledged in the " + Fixed(remaining_s, 3) +
                " s the history continued)",
            std::move(details)};
  }
  return UnknownRunCheck("the history ended " + Fixed(remaining_s, 3) +
                             " s after the final heal at " + at +
                             ", before any operation was acknowledged after it",
                         std::move(details));
}

}  // namespace checker

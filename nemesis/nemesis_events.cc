// What the nemesis tells about its faults: the events it records (nemesis.h lists the phases
// and their fields) and the exact form of an active fault, for replay.
#include <nlohmann/json.hpp>

#include "nemesis/nemesis.h"

namespace nemesis {
namespace {

nlohmann::json CutJson(const Cut& cut) {
  nlohmann::json links = nlohmann::json::array();
  for (const Link& link : cut) links.push_back({link.from, link.to});
  return links;
}

nlohmann::json ShapeJson(const Shape& shape) {
  nlohmann::json out = nlohmann::json::object();
  if (shape.delay_ms > 0) out["delay_ms"] = shape.delay_ms;
  if (shape.jitter_ms > 0) out["jitter_ms"] = shape.jitter_ms;
  if (shape.loss > 0) out["loss"] = shape.loss;
  if (shape.loss_correlation > 0) out["correlation"] = shape.loss_correlation;
  if (shape.duplicate > 0) out["duplicate"] = shape.duplicate;
  if (shape.rate_kbit > 0) out["rate_kbit"] = shape.rate_kbit;
  return out;
}

}  // namespace

std::optional<Fault> Nemesis::Applied(int id) const {
  common::MutexLock lock(mutex_);
  auto found = active_.find(id);
  if (found == active_.end()) return std::nullopt;
  const Active& active = found->second;
  Fault exact{.kind = active.plan.kind,
              .one_way = active.fault.one_way,
              .probability = active.fault.probability,
              .disk_op = active.fault.disk_op,
              .fsync_delay = active.fault.fsync_delay};
  if (active.plan.kind == FaultKind::kClock || active.plan.kind == FaultKind::kClockCandidate) {
    exact.offset_s = active.plan.offset_s;
  }
  if (active.plan.kind == FaultKind::kClockRate) exact.rate = active.plan.rate;
  if (IsShaped(active.plan)) {
    const Shape& shape = active.plan.shape;
    exact.delay_ms = shape.delay_ms;
    exact.jitter_ms = shape.jitter_ms;
    if (shape.loss_correlation > 0) exact.correlation = shape.loss_correlation;
    if (shape.rate_kbit > 0) exact.rate_kbit = shape.rate_kbit;
    if (shape.duplicate > 0) exact.probability = shape.duplicate;
    exact.cut = active.plan.cut;
  } else if (TakesTargets(active.plan.kind)) {
    exact.nodes = active.plan.targets;
  } else {
    exact.cut = active.plan.cut;
  }
  return exact;
}

void Nemesis::Record(const Active& active, int id, std::string_view phase,
                     const nlohmann::json& extra) {
  if (!record_) return;
  nlohmann::json value = {{"phase", std::string(phase)}, {"id", id}};
  if (phase == "start" || phase == "applied") {
    value["targets"] = active.plan.targets;
    if (IsShaped(active.plan)) {  // "links", not "cut": shaped links still carry packets
      value["links"] = CutJson(active.plan.cut);
      value["shape"] = ShapeJson(active.plan.shape);
    } else if (active.plan.kind == FaultKind::kLoss) {
      value["loss"] = active.plan.probability;
    } else if (active.plan.kind == FaultKind::kClock ||
               active.plan.kind == FaultKind::kClockCandidate) {
      value["offset_s"] = active.plan.offset_s;
    } else if (active.plan.kind == FaultKind::kClockRate) {
      value["rate"] = active.plan.rate;
    } else if (active.plan.kind == FaultKind::kDiskError) {
      value["op"] = DiskOpName(active.plan.disk_op);
    } else if (active.plan.kind == FaultKind::kDiskSlow) {
      value["fsync_delay_ms"] = active.plan.fsync_delay.count();
    } else if (IsNetworkFault(active.plan.kind)) {
      value["cut"] = CutJson(active.plan.cut);
    }
  }
  if (IsMembershipFault(active.plan.kind) && phase != "start") {
    // [[node, id], ...]: the member ids the targets had, and those they were added back as.
    nlohmann::json removed = nlohmann::json::array(), added = nlohmann::json::array();
    for (const auto& [node, member] : active.old_ids) removed.push_back({node, member});
    for (const auto& [node, member] : active.new_ids) added.push_back({node, member});
    value["removed_members"] = removed;
    value["added_members"] = added;
  }
  if (extra.is_object()) value.update(extra);
  record_(std::string(FaultName(active.plan.kind)), std::move(value));
}

}  // namespace nemesis

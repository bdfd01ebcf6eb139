#include "orchestrator/run/netq/packet_schedule.h"

#include <algorithm>
#include <cmath>

namespace netq {

Decision PacketSchedule::Decide(int64_t arrival_ns, size_t bytes) {
  Decision decision;
  // Correlated loss: the chance of a drop leans toward what happened to the previous packet by
  // the correlation; with correlation c the stationary rate is still shape.loss.
  const double c = shape_.loss_correlation;
  const double p_drop = c * (last_dropped_ ? 1.0 : 0.0) + (1 - c) * shape_.loss;
  decision.drop = shape_.loss > 0 && rng_.Unit() < p_drop;
  last_dropped_ = decision.drop;
  if (decision.drop) return decision;
  decision.duplicate = shape_.duplicate > 0 && rng_.Unit() < shape_.duplicate;
  double delay_ms = shape_.delay_ms;
  if (shape_.jitter_ms > 0) delay_ms += (rng_.Unit() * 2 - 1) * shape_.jitter_ms;
  int64_t release = arrival_ns + static_cast<int64_t>(std::llround(std::max(0.0, delay_ms) * 1e6));
  if (shape_.rate_kbit > 0) {
    const double copies = decision.duplicate ? 2 : 1;
    const auto transmit_ns = static_cast<int64_t>(
        std::llround(static_cast<double>(bytes) * 8 * copies / shape_.rate_kbit * 1e6));
    link_free_ns_ = std::max(release, link_free_ns_) + transmit_ns;
    release = link_free_ns_;
  }
  decision.release_ns = release;
  return decision;
}

}  // namespace netq

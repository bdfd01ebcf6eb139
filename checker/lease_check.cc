#include "checker/lease_check.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "checker/json_util.h"
#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Ms;

struct Tenure {
  int64_t candidate = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// The lease events of a history: its config, the tenures (sorted by start) and the window.
struct LeaseHistory {
  Json config;  // the lease-config event's value
  std::vector<Tenure> tenures;
  int64_t window_start = 0;
  int64_t window_end = 0;
};

// The history's vocabulary for the lease: events of the named process kLeaseProcess.
bool IsElectionEvent(const Event& event) {
  return !event.process.is_client() && event.process.name == kLeaseProcess;
}

Result<Tenure> ParseTenure(const std::string& where, const Json& value) {
  auto candidate = IntField(value, "candidate");
  auto start = IntField(value, "start_ns");
  auto end = IntField(value, "end_ns");
  if (!candidate || !start || !end) {
    return Status::InvalidArgument(
        where + R"(: tenure needs integer "candidate", "start_ns" and "end_ns")");
  }
  if (*start < 0) {
    return Status::InvalidArgument(where + ": tenure starts at a negative time " +
                                   std::to_string(*start));
  }
  if (*end < *start) {
    return Status::InvalidArgument(where + ": tenure ends (" + std::to_string(*end) +
                                   ") before it starts (" + std::to_string(*start) + ")");
  }
  return Tenure{*candidate, *start, *end};
}

// Records a lease-config event; an error for a second one or a malformed one.
Status ParseConfig(const std::string& where, const Event& event, LeaseHistory& out) {
  if (!out.config.is_null())
    return Status::InvalidArgument(where + ": a second lease-config event");
  for (const char* field : {"lease_ms", "renew_deadline_ms"}) {
    if (!IntField(event.value, field).has_value()) {
      return Status::InvalidArgument(where + ": lease-config without an integer \"" + field + "\"");
    }
  }
  out.config = event.value;
  out.window_start = event.time_ns;
  return Status::Ok();
}

Result<LeaseHistory> ReadLeaseHistory(const History& history) {
  LeaseHistory out;
  for (const Event& event : history.events) {
    const bool election = IsElectionEvent(event);
    if (election || event.process.is_client()) {
      out.window_end = std::max(out.window_end, event.time_ns);
    }
    if (!election) continue;
    const std::string where = EventWhere(history, event);
    if (event.f == "lease-config") {
      RETURN_IF_ERROR(ParseConfig(where, event, out));
    } else if (event.f == "tenure") {
      ASSIGN_OR_RETURN(Tenure tenure, ParseTenure(where, event.value));
      out.tenures.push_back(tenure);
    }
  }
  if (out.config.is_null()) {
    return Status::InvalidArgument(
        "no lease-config event in " +
        (history.source.empty() ? std::string("the history") : history.source) +
        ": not an election history");
  }
  // Tenures may start before the window (they cannot, but a hand-written history may say so).
  for (const Tenure& t : out.tenures) out.window_start = std::min(out.window_start, t.start_ns);
  for (const Tenure& t : out.tenures) out.window_end = std::max(out.window_end, t.end_ns);
  std::sort(out.tenures.begin(), out.tenures.end(), [](const Tenure& a, const Tenure& b) {
    return a.start_ns != b.start_ns ? a.start_ns < b.start_ns : a.end_ns < b.end_ns;
  });
  return out;
}

// Overlaps between different candidates, and the smallest handover gap.
struct Safety {
  int64_t overlaps = 0;
  std::string first_overlap;
  int64_t max_overlap_ns = 0;
  std::optional<int64_t> margin_ns;
};

std::string OverlapText(const LeaseHistory& lease, const Tenure& a, const Tenure& b,
                        int64_t overlap_ns) {
  auto seconds = [&lease](int64_t ns) {
    return Fixed(static_cast<double>(ns - lease.window_start) / 1e9, 3);
  };
  return "candidates " + std::to_string(a.candidate) + " and " + std::to_string(b.candidate) +
         " both held the lease for " + Fixed(Ms(overlap_ns), 3) + " ms (candidate " +
         std::to_string(a.candidate) + ": " + seconds(a.start_ns) + "-" + seconds(a.end_ns) +
         " s, candidate " + std::to_string(b.candidate) + ": " + seconds(b.start_ns) + "-" +
         seconds(b.end_ns) + " s)";
}

Safety MeasureSafety(const LeaseHistory& lease) {
  Safety safety;
  const std::vector<Tenure>& tenures = lease.tenures;
  for (size_t i = 0; i < tenures.size(); ++i) {
    const Tenure& a = tenures[i];
    for (size_t j = i + 1; j < tenures.size() && tenures[j].start_ns < a.end_ns; ++j) {
      const Tenure& b = tenures[j];
      if (b.candidate == a.candidate) continue;
      const int64_t overlap = std::min(a.end_ns, b.end_ns) - b.start_ns;
      ++safety.overlaps;
      safety.max_overlap_ns = std::max(safety.max_overlap_ns, overlap);
      if (safety.first_overlap.empty()) safety.first_overlap = OverlapText(lease, a, b, overlap);
    }
    for (const Tenure& b : tenures) {
      if (b.candidate == a.candidate || b.start_ns < a.end_ns) continue;
      const int64_t gap = b.start_ns - a.end_ns;
      if (!safety.margin_ns.has_value() || gap < *safety.margin_ns) safety.margin_ns = gap;
    }
  }
  return safety;
}

// The union of tenures within the window, and the longest hole.
struct Availability {
  int64_t covered_ns = 0;
  int64_t longest_hole_ns = 0;
  int64_t hole_start = 0;
  int64_t hole_end = 0;
};

Availability MeasureAvailability(const LeaseHistory& lease) {
  Availability a{.hole_start = lease.window_start, .hole_end = lease.window_start};
  int64_t cursor = lease.window_start;  // the end of the union so far
  auto hole = [&a](int64_t from, int64_t to) {
    if (to > from && to - from > a.longest_hole_ns) {
      a.longest_hole_ns = to - from;
      a.hole_start = from;
      a.hole_end = to;
    }
  };
  for (const Tenure& t : lease.tenures) {
    hole(cursor, t.start_ns);
    const int64_t from = std::max(cursor, t.start_ns);
    if (t.end_ns > from) a.covered_ns += t.end_ns - from;
    cursor = std::max(cursor, t.end_ns);
  }
  hole(cursor, lease.window_end);
  return a;
}

std::string ValidSummary(const Json& details, const Safety& safety, const Availability& a) {
  const auto tenures = details["tenures"].get<size_t>();
  const double window_s = details["window_s"].get<double>();
  return "no overlapping tenures among " + std::to_string(tenures) +
         " tenures; smallest handover gap " +
         (safety.margin_ns.has_value() ? Fixed(Ms(*safety.margin_ns), 1) + " ms"
                                       : std::string("n/a (no handover)")) +
         " (lease " + details["config"]["lease_ms"].dump() + " ms, renew deadline " +
         details["config"]["renew_deadline_ms"].dump() + " ms); lease held " +
         Fixed(details["availability"].get<double>() * 100, 1) + "% of " + Fixed(window_s, 1) +
         " s, longest without holder " + Fixed(Ms(a.longest_hole_ns), 0) + " ms";
}

}  // namespace

RunCheckResult CheckLease(const RunHistory& run) {
  auto lease = ReadLeaseHistory(run.history);
  if (!lease.ok()) return UnknownRunCheck(lease.status().message());
  const Safety safety = MeasureSafety(*lease);
  const Availability a = MeasureAvailability(*lease);
  const int64_t window_ns = lease->window_end - lease->window_start;
  const double availability =
      window_ns > 0 ? static_cast<double>(a.covered_ns) / static_cast<double>(window_ns) : 0.0;
  const int64_t lease_ms = lease->config.at("lease_ms").get<int64_t>();
  const int64_t renew_deadline_ms = lease->config.at("renew_deadline_ms").get<int64_t>();
  auto from_start_s = [&](int64_t ns) {
    return static_cast<double>(ns - lease->window_start) / 1e9;
  };
  Json details = {
      {"config", lease->config},
      {"configured_margin_ms", lease_ms - renew_deadline_ms},
      {"tenures", lease->tenures.size()},
      {"overlaps", safety.overlaps},
      {"max_overlap_ms", Ms(safety.max_overlap_ns)},
      {"safety_margin_ms", safety.margin_ns ? Json(Ms(*safety.margin_ns)) : Json(nullptr)},
      {"window_s", static_cast<double>(window_ns) / 1e9},
      {"availability", availability},
      {"longest_without_holder_ms", Ms(a.longest_hole_ns)},
      {"longest_without_holder_start_s", from_start_s(a.hole_start)},
      {"longest_without_holder_end_s", from_start_s(a.hole_end)}};
  // With fencing, two leaders' beliefs may overlap (a frozen leader wakes believing): the
  // database refuses the old one's writes, which the fencing check proves.
  const bool fencing = lease->config.value("fencing", false);
  details["fencing"] = fencing;
  if (!safety.first_overlap.empty() && fencing) {
    return {Verdict::kValid,
            std::to_string(safety.overlaps) +
                " overlapping tenures, harmless under fencing (see the fencing check); first: " +
                safety.first_overlap,
            std::move(details)};
  }
  if (!safety.first_overlap.empty()) {
    return {Verdict::kInvalid, safety.first_overlap, std::move(details)};
  }
  std::string summary = ValidSummary(details, safety, a);
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

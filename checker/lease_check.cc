#include "checker/lease_check.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;

struct Tenure {
  int64_t candidate = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

std::optional<int64_t> IntField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

bool IsElectionEvent(const Event& event) {
  return !event.process.is_client() && event.process.name == "election";
}

}  // namespace

RunCheckResult CheckLease(const History& history) {
  std::optional<Json> config;
  int64_t window_start = 0;
  int64_t window_end = 0;
  std::vector<Tenure> tenures;
  for (const Event& event : history.events) {
    const bool election = IsElectionEvent(event);
    if (election || event.process.is_client()) window_end = std::max(window_end, event.time_ns);
    if (!election) continue;
    const std::string where = EventWhere(history, event);
    if (event.f == "lease-config") {
      if (config.has_value()) return UnknownRunCheck(where + ": a second lease-config event");
      for (const char* field : {"lease_ms", "renew_deadline_ms"}) {
        if (!IntField(event.value, field).has_value()) {
          return UnknownRunCheck(where + ": lease-config without an integer \"" + field + "\"");
        }
      }
      config = event.value;
      window_start = event.time_ns;
    } else if (event.f == "tenure") {
      auto candidate = IntField(event.value, "candidate");
      auto start = IntField(event.value, "start_ns");
      auto end = IntField(event.value, "end_ns");
      if (!candidate || !start || !end) {
        return UnknownRunCheck(where +
                               ": tenure needs integer \"candidate\", \"start_ns\" and \"end_ns\"");
      }
      if (*start < 0) {
        return UnknownRunCheck(where + ": tenure starts at a negative time " +
                               std::to_string(*start));
      }
      if (*end < *start) {
        return UnknownRunCheck(where + ": tenure ends (" + std::to_string(*end) +
                               ") before it starts (" + std::to_string(*start) + ")");
      }
      tenures.push_back({*candidate, *start, *end});
    }
  }
  if (!config.has_value()) {
    return UnknownRunCheck("no lease-config event in " +
                           (history.source.empty() ? std::string("the history") : history.source) +
                           ": not an election history");
  }
  // Tenures may start before the window (they cannot, but a hand-written history may say so).
  for (const Tenure& t : tenures) window_start = std::min(window_start, t.start_ns);
  for (const Tenure& t : tenures) window_end = std::max(window_end, t.end_ns);
  auto seconds = [window_start](int64_t ns) {
    return Fixed(static_cast<double>(ns - window_start) / 1e9, 3);
  };

  std::sort(tenures.begin(), tenures.end(), [](const Tenure& a, const Tenure& b) {
    return a.start_ns != b.start_ns ? a.start_ns < b.start_ns : a.end_ns < b.end_ns;
  });

  // Overlaps between different candidates, and the smallest handover gap.
  int64_t overlaps = 0;
  std::string first_overlap;
  int64_t max_overlap_ns = 0;
  std::optional<int64_t> margin_ns;
  for (size_t i = 0; i < tenures.size(); ++i) {
    const Tenure& a = tenures[i];
    for (size_t j = i + 1; j < tenures.size() && tenures[j].start_ns < a.end_ns; ++j) {
      const Tenure& b = tenures[j];
      if (b.candidate == a.candidate) continue;
      const int64_t overlap = std::min(a.end_ns, b.end_ns) - b.start_ns;
      ++overlaps;
      max_overlap_ns = std::max(max_overlap_ns, overlap);
      if (first_overlap.empty()) {
        first_overlap = "candidates " + std::to_string(a.candidate) + " and " +
                        std::to_string(b.candidate) + " both held the lease for " +
                        Fixed(Ms(overlap), 3) + " ms (candidate " + std::to_string(a.candidate) +
                        ": " + seconds(a.start_ns) + "-" + seconds(a.end_ns) + " s, candidate " +
                        std::to_string(b.candidate) + ": " + seconds(b.start_ns) + "-" +
                        seconds(b.end_ns) + " s)";
      }
    }
    for (const Tenure& b : tenures) {
      if (b.candidate == a.candidate || b.start_ns < a.end_ns) continue;
      const int64_t gap = b.start_ns - a.end_ns;
      if (!margin_ns.has_value() || gap < *margin_ns) margin_ns = gap;
    }
  }

  // Availability: the union of tenures within the window, and the longest hole.
  int64_t covered_ns = 0;
  int64_t longest_hole_ns = 0;
  int64_t hole_start = window_start;
  int64_t hole_end = window_start;
  int64_t cursor = window_start;  // the end of the union so far
  for (const Tenure& t : tenures) {
    if (t.start_ns > cursor && t.start_ns - cursor > longest_hole_ns) {
      longest_hole_ns = t.start_ns - cursor;
      hole_start = cursor;
      hole_end = t.start_ns;
    }
    const int64_t from = std::max(cursor, t.start_ns);
    if (t.end_ns > from) covered_ns += t.end_ns - from;
    cursor = std::max(cursor, t.end_ns);
  }
  if (window_end > cursor && window_end - cursor > longest_hole_ns) {
    longest_hole_ns = window_end - cursor;
    hole_start = cursor;
    hole_end = window_end;
  }
  const int64_t window_ns = window_end - window_start;
  const double availability =
      window_ns > 0 ? static_cast<double>(covered_ns) / static_cast<double>(window_ns) : 0.0;

  const int64_t lease_ms = config->at("lease_ms").get<int64_t>();
  const int64_t renew_deadline_ms = config->at("renew_deadline_ms").get<int64_t>();
  Json details = {
      {"config", *config},
      {"configured_margin_ms", lease_ms - renew_deadline_ms},
      {"tenures", tenures.size()},
      {"overlaps", overlaps},
      {"max_overlap_ms", Ms(max_overlap_ns)},
      {"safety_margin_ms", margin_ns.has_value() ? Json(Ms(*margin_ns)) : Json(nullptr)},
      {"window_s", static_cast<double>(window_ns) / 1e9},
      {"availability", availability},
      {"longest_without_holder_ms", Ms(longest_hole_ns)},
      {"longest_without_holder_start_s", static_cast<double>(hole_start - window_start) / 1e9},
      {"longest_without_holder_end_s", static_cast<double>(hole_end - window_start) / 1e9}};
  if (!first_overlap.empty()) return {Verdict::kInvalid, first_overlap, std::move(details)};

  std::string summary = "no overlapping tenures among " + std::to_string(tenures.size()) +
                        " tenures; smallest handover gap " +
                        (margin_ns.has_value() ? Fixed(Ms(*margin_ns), 1) + " ms"
                                               : std::string("n/a (no handover)")) +
                        " (lease " + std::to_string(lease_ms) + " ms, renew deadline " +
                        std::to_string(renew_deadline_ms) + " ms); lease held " +
                        Fixed(availability * 100, 1) + "% of " +
                        Fixed(static_cast<double>(window_ns) / 1e9, 1) +
                        " s, longest without holder " + Fixed(Ms(longest_hole_ns), 0) + " ms";
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

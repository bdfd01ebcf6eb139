#include "orchestrator/report/timeline_data.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/run_history.h"
#include "checker/text_util.h"
#include "orchestrator/report/html.h"
#include "orchestrator/report/time_axis.h"

namespace orchestrator::report {

using checker::EventType;
using checker::Json;

namespace {

constexpr size_t kMaxTenures = 10000;  // drawn; the lease check reads them all

constexpr size_t kTextBytes = 48;
constexpr int kThroughputBins = 200;

enum Kind { kOk = 0, kFail = 1, kInfo = 2 };

// A client operation as drawn: fail ones included (the checker's pairing drops them).
struct DisplayOp {
  size_t lane = 0;
  double start = 0;
  std::optional<double> end;  // absent: never completed
  Kind kind = kInfo;
  size_t f = 0;  // index into the fs table
  std::string text;
  std::optional<double> latency_ms;
};

struct Ops {
  std::vector<DisplayOp> list;
  std::vector<std::string> lanes;
  std::vector<std::string> fs;
};

// The first `kTextBytes` bytes of `text`, cut at a character boundary.
std::string Shorten(std::string text) {
  if (text.size() <= kTextBytes) return text;
  size_t cut = kTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string OpText(const checker::Event& invoke, const checker::Event* done) {
  std::string text = invoke.key.is_null() ? "" : Dump(invoke.key) + " ";
  if (!invoke.value.is_null()) text += Dump(invoke.value);
  if (done != nullptr && done->type == EventType::kOk && !done->value.is_null()) {
    text += " → " + Dump(done->value);
  }
  return Shorten(ValidUtf8(text));
}

size_t Intern(std::vector<std::string>& table, std::map<std::string, size_t>& index,
              const std::string& name) {
  auto [it, inserted] = index.emplace(name, table.size());
  if (inserted) table.push_back(name);
  return it->second;
}

// Pairs each invoke with the next completion of its process; a second invoke while one is open
// leaves the first unknown, as an invoke that never completes is.
Ops PairForDisplay(const checker::History& history, const TimeAxis& axis, size_t max_lanes) {
  Ops ops;
  std::map<int64_t, size_t> lane_of;  // process -> rank
  for (const checker::Event& e : history.events) {
    if (e.process.is_client()) lane_of.emplace(e.process.id, 0);
  }
  for (auto& [process, rank] : lane_of) {
    rank = ops.lanes.size();
    ops.lanes.push_back(std::to_string(process));
  }
  std::map<std::string, size_t> f_index;
  std::map<int64_t, const checker::Event*> open;
  auto close = [&](const checker::Event& invoke, const checker::Event* done) {
    DisplayOp op{.lane = lane_of[invoke.process.id] % max_lanes,
                 .start = axis.At(invoke),
                 .f = Intern(ops.fs, f_index, ValidUtf8(invoke.f)),
                 .text = OpText(invoke, done)};
    if (done != nullptr && done->type != EventType::kInfo) {
      op.end = axis.At(*done);
      op.kind = done->type == EventType::kOk ? kOk : kFail;
      if (axis.is_timed())
        op.latency_ms = std::round(static_cast<double>(done->time_ns - invoke.time_ns) / 1e4) / 100;
    } else if (done != nullptr) {
      op.end = axis.At(*done);  // info: it ended for the client, its effect is unknown
    }
    ops.list.push_back(std::move(op));
  };
  for (const checker::Event& e : history.events) {
    if (!e.process.is_client()) continue;
    auto it = open.find(e.process.id);
    if (e.type == EventType::kInvoke) {
      if (it != open.end()) close(*it->second, nullptr);
      open[e.process.id] = &e;
    } else if (it != open.end()) {
      close(*it->second, &e);
      open.erase(it);
    }
  }
  for (const auto& [process, invoke] : open) close(*invoke, nullptr);
  std::stable_sort(ops.list.begin(), ops.list.end(),
                   [](const DisplayOp& a, const DisplayOp& b) { return a.start < b.start; });
  return ops;
}

// "delay 100 ms, jitter 10 ms": a shaping fault's shape, for the fault's tooltip.
std::string ShapeText(const Json& shape) {
  static const std::array<std::pair<const char*, const char*>, 6> kParts{{
      {"delay_ms", "delay %g ms"},
      {"jitter_ms", "jitter %g ms"},
      {"loss", "loss %g"},
      {"correlation", "correlation %g"},
      {"duplicate", "duplicate %g"},
      {"rate_kbit", "rate %g kbit/s"},
  }};
  std::string text;
  for (const auto& [key, format] : kParts) {
    auto it = shape.find(key);
    if (it == shape.end() || !it->is_number()) continue;
    char part[64];
    std::snprintf(part, sizeof part, format, it->get<double>());
    text += (text.empty() ? "" : ", ") + std::string(part);
  }
  return text;
}

Json FaultsJson(const checker::RunHistory& run, const TimeAxis& axis) {
  Json faults = Json::array();
  for (const checker::Fault& f : run.faults) {
    const double start =
        axis.is_timed() ? axis.FromNs(f.start_ns) : static_cast<double>(f.start_index);
    Json end = nullptr;
    if (f.end_ns.has_value())
      end = axis.is_timed() ? axis.FromNs(*f.end_ns) : static_cast<double>(*f.end_index);
    Json fault = {{"id", f.id},
                  {"name", ValidUtf8(f.name)},
                  {"targets", f.targets},
                  {"start", start},
                  {"end", end}};
    if (f.shape.is_object()) fault["shape"] = ShapeText(f.shape);
    faults.push_back(std::move(fault));
  }
  return faults;
}

// The election workload's tenures (checker/lease_check.h), each marked when it overlaps another
// candidate's: the lease split brain drawn as two bars at once.
Json TenuresJson(const checker::History& history, const TimeAxis& axis) {
  struct Tenure {
    int64_t candidate, start_ns, end_ns;
    Json token;
  };
  std::vector<Tenure> tenures;
  for (const checker::Event& e : history.events) {
    if (e.process.is_client() || e.process.name != "election" || e.f != "tenure") continue;
    if (!e.value.is_object()) continue;
    const Json& v = e.value;
    if (!v.value("candidate", Json()).is_number_integer() ||
        !v.value("start_ns", Json()).is_number_integer() ||
        !v.value("end_ns", Json()).is_number_integer() || tenures.size() >= kMaxTenures) {
      continue;
    }
    tenures.push_back({v["candidate"].get<int64_t>(), v["start_ns"].get<int64_t>(),
                       v["end_ns"].get<int64_t>(), v.value("token", Json())});
  }
  Json out = Json::array();
  for (const Tenure& t : tenures) {
    const bool overlaps = std::any_of(tenures.begin(), tenures.end(), [&t](const Tenure& o) {
      return o.candidate != t.candidate && o.start_ns < t.end_ns && t.start_ns < o.end_ns;
    });
    out.push_back({{"candidate", t.candidate},
                   {"token", t.token},
                   {"start", axis.FromNs(t.start_ns)},
                   {"end", axis.FromNs(t.end_ns)},
                   {"overlap", overlaps}});
  }
  return out;
}

int RoleCode(const checker::StatusSample& s) {
  if (!s.is_answered) return 3;
  if (s.role == "follower") return 0;
  if (s.role == "candidate" || s.role == "pre-candidate") return 1;
  if (s.role == "leader") return 2;
  return 4;
}

Json NodesJson(const checker::RunHistory& run, const TimeAxis& axis, double t1) {
  Json nodes = Json::array();
  std::map<int64_t, Json> segments;  // node -> [[start,end,role,term],...]
  for (const checker::StatusSample& s : run.samples) {
    const double t = axis.is_timed() ? axis.FromNs(s.time_ns) : static_cast<double>(s.index);
    Json& seg = segments[s.node];
    const int role = RoleCode(s);
    const int64_t term = s.is_answered ? s.term : 0;
    if (!seg.empty()) {
      Json& last = seg.back();
      last[1] = t;
      if (last[2] == role && last[3] == term) continue;
    }
    seg.push_back({t, t, role, term});
  }
  for (auto& [node, seg] : segments) {
    if (!seg.empty()) seg.back()[1] = t1;
    nodes.push_back({{"node", node}, {"seg", std::move(seg)}});
  }
  return nodes;
}

Json DetailedOps(const Ops& ops) {
  Json list = Json::array();
  for (const DisplayOp& op : ops.list) {
    list.push_back(
        {op.lane, op.start, op.end.has_value() ? Json(*op.end) : Json(-1), op.kind, op.f, op.text});
  }
  return {{"mode", "detailed"}, {"list", std::move(list)}};
}

Json BinnedOps(const Ops& ops, double t1, int max_bins) {
  const double width = NiceBinWidth(t1, max_bins);
  std::map<std::pair<size_t, int64_t>, std::array<int64_t, 3>> cells;
  for (const DisplayOp& op : ops.list) {
    const auto bin = static_cast<int64_t>(std::floor(op.start / width));
    ++cells[{op.lane, bin}][op.kind];
  }
  Json list = Json::array();
  for (const auto& [where, n] : cells)
    list.push_back({where.first, where.second, n[0], n[1], n[2]});
  return {{"mode", "binned"}, {"width", width}, {"cells", std::move(list)}};
}

Json LatencyPoints(const Ops& ops, size_t max_points, Json& notes) {
  std::vector<const DisplayOp*> timed;
  for (const DisplayOp& op : ops.list) {
    if (op.latency_ms.has_value()) timed.push_back(&op);
  }
  std::vector<const DisplayOp*> kept = timed;
  if (timed.size() > max_points) {
    // Every k-th point, plus the slowest ones: outliers are what a person looks for.
    const size_t slowest = max_points / 10;
    const size_t stride = (timed.size() + (max_points - slowest) - 1) / (max_points - slowest);
    kept.clear();
    for (size_t i = 0; i < timed.size(); i += stride) kept.push_back(timed[i]);
    std::vector<const DisplayOp*> by_latency = timed;
    std::partial_sort(by_latency.begin(), by_latency.begin() + static_cast<std::ptrdiff_t>(slowest),
                      by_latency.end(),
                      [](auto* a, auto* b) { return *a->latency_ms > *b->latency_ms; });
    kept.insert(kept.end(), by_latency.begin(),
                by_latency.begin() + static_cast<std::ptrdiff_t>(slowest));
    notes.push_back("latency: " + std::to_string(kept.size()) + " of " +
                    std::to_string(timed.size()) + " points drawn (every " +
                    std::to_string(stride) +
                    "th and the slowest); the quantile lines use all of them");
  }
  Json points = Json::array();
  for (const DisplayOp* op : kept) points.push_back({op->start, *op->latency_ms, op->kind});
  return points;
}

Json LatencyJson(const Ops& ops, double t1, size_t max_points, Json& notes) {
  const double width = NiceBinWidth(t1, kThroughputBins / 2);
  std::map<int64_t, std::vector<double>> bins;
  for (const DisplayOp& op : ops.list) {
    if (op.kind == kOk && op.latency_ms.has_value()) {
      bins[static_cast<int64_t>(std::floor(op.start / width))].push_back(*op.latency_ms);
    }
  }
  Json quantiles = Json::array();
  for (auto& [bin, values] : bins) {
    std::sort(values.begin(), values.end());
    quantiles.push_back(
        {(static_cast<double>(bin) + 0.5) * width, checker::text::Percentile(values, 50),
         checker::text::Percentile(values, 90), checker::text::Percentile(values, 99)});
  }
  return {{"points", LatencyPoints(ops, max_points, notes)},
          {"quantiles", std::move(quantiles)},
          {"width", width}};
}

Json ThroughputJson(const Ops& ops, double t1, bool is_timed) {
  // Without timestamps a bin of a few events holds one or two completions; coarser bins say more.
  const double width = NiceBinWidth(t1, is_timed ? kThroughputBins : kThroughputBins / 8);
  std::map<int64_t, std::array<int64_t, 3>> bins;
  for (const DisplayOp& op : ops.list) {
    if (op.end.has_value()) ++bins[static_cast<int64_t>(std::floor(*op.end / width))][op.kind];
  }
  Json list = Json::array();
  for (const auto& [bin, n] : bins) {
    list.push_back({static_cast<double>(bin) * width, n[0], n[1], n[2]});
  }
  return {{"width", width}, {"bins", std::move(list)}};
}

}  // namespace

double NiceBinWidth(double span, int max_bins) {
  if (!(span > 0) || max_bins < 1) return 1;
  const double raw = span / max_bins;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (int i = 0; i < 4; ++i) {
    for (double step : {1.0, 2.0, 5.0}) {
      if (step * power >= raw) return step * power;
    }
    power *= 10;
  }
  return raw;
}

Json BuildTimeline(const checker::History& history, const TimelineOptions& options) {
  return BuildTimeline(checker::ReadRunHistory(history), options);
}

Json BuildTimeline(const checker::RunHistory& run, const TimelineOptions& options) {
  const checker::History& history = run.history;
  const TimeAxis axis = TimeAxis::Of(history);
  const double t1 = std::max(axis.end(), axis.is_timed() ? 0.001 : 1.0);
  Json notes = Json::array();
  const size_t lanes = std::max<size_t>(options.max_lanes, 1);
  const Ops ops = PairForDisplay(history, axis, lanes);
  std::array<int64_t, 3> counts{};
  for (const DisplayOp& op : ops.list) ++counts.at(op.kind);
  Json lane_names = ops.lanes;
  if (ops.lanes.size() > lanes) {
    notes.push_back(std::to_string(ops.lanes.size()) + " client processes share " +
                    std::to_string(lanes) + " lanes (process rank modulo " + std::to_string(lanes) +
                    ")");
    lane_names = Json::array();
    for (size_t i = 0; i < lanes; ++i) lane_names.push_back("#" + std::to_string(i));
  }
  Json op_data;
  if (ops.list.size() <= options.max_detailed_ops) {
    op_data = DetailedOps(ops);
  } else {
    op_data = BinnedOps(ops, t1, options.max_bins);
    notes.push_back(std::to_string(ops.list.size()) + " operations: more than " +
                    std::to_string(options.max_detailed_ops) +
                    ", so each process's operations are counted in time bins of " +
                    Dump(op_data["width"]) + " " + axis.unit() + " instead of drawn one by one");
  }
  if (!axis.is_timed()) notes.push_back("the history has no timestamps: the axis is event index");
  // A malformed sample or fault leaves both out: RunHistory reads them together.
  if (!run.status.ok()) notes.push_back("faults and node roles not drawn: " + run.status.message());
  return {{"axis", {{"unit", axis.unit()}, {"t0", 0}, {"t1", t1}}},
          {"faults", run.status.ok() ? FaultsJson(run, axis) : Json::array()},
          {"nodes", run.status.ok() ? NodesJson(run, axis, t1) : Json::array()},
          {"tenures", axis.is_timed() ? TenuresJson(run.history, axis) : Json::array()},
          {"lanes", std::move(lane_names)},
          {"fs", ops.fs},
          {"ops", std::move(op_data)},
          {"latency", axis.is_timed() ? LatencyJson(ops, t1, options.max_latency_points, notes)
                                      : Json(nullptr)},
          {"throughput", ThroughputJson(ops, t1, axis.is_timed())},
          {"counts", {{"ok", counts[0]}, {"fail", counts[1]}, {"info", counts[2]}}},
          {"notes", std::move(notes)}};
}

}  // namespace orchestrator::report

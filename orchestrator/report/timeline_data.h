// The data behind the report's shared time axis, as one JSON object the page's script draws:
// faults, each node's role and term over time, client operations per process, latency and
// throughput. Built from a history alone (no checker verdicts needed), so `splitbrain check
// --html` gets it too. Pure: same history, same JSON.
//
// Size is bounded whatever the history's length (the page must open fast with 100,000+ ops):
// - up to max_detailed_ops operations are embedded one by one ("detailed"); above that they
//   are counted per process in at most max_bins time bins ("binned"), and a note says so;
// - at most max_latency_points latency points (an even stride plus the slowest ones), a note
//   says when sampled; the quantile lines are computed from every operation;
// - at most max_lanes process lanes (beyond: processes share lanes by rank modulo max_lanes);
// - node role segments merge consecutive equal samples.
//
// JSON shape (times on the axis: seconds from the first event, or event indexes):
//   {"axis":{"unit":"s"|"event","t0":0,"t1":15.2},
//    "faults":[{"id":1,"name":"kill","targets":[3],"start":4.0,"end":8.0|null}],
//    "nodes":[{"node":1,"seg":[[start,end,role,term],...]}]   role 0 follower 1 candidate
//                                                              2 leader 3 no answer 4 other
//    "tenures":[{"candidate":1,"token":2,"start":s,"end":e,"overlap":bool}]   lease tenures of
//                                                              the election workload (timed)
//    "lanes":["0","1",...], "fs":["read","write",...],
//    "ops":{"mode":"detailed","list":[[lane,start,end|-1,kind,f,text],...]}   kind 0 ok 1 fail
//       or {"mode":"binned","width":w,"cells":[[lane,bin,ok,fail,info],...]}  2 info/unknown
//    "latency":{"points":[[call,ms,kind],...],"quantiles":[[mid,p50,p90,p99],...],"width":w}
//              (null without timestamps),
//    "throughput":{"width":w,"bins":[[start,ok,fail,info],...]},   completions per bin
//    "counts":{"ok":n,"fail":n,"info":n}, "notes":["..."]}
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "checker/history.h"
#include "checker/run_history.h"

namespace orchestrator::report {

struct TimelineOptions {
  size_t max_detailed_ops = 30000;
  int max_bins = 1000;
  size_t max_latency_points = 6000;
  size_t max_lanes = 100;
};

// The faults and node roles come from the RunHistory (checker/run_history.h); the History
// overload reads one.
nlohmann::json BuildTimeline(const checker::RunHistory& run, const TimelineOptions& options = {});
nlohmann::json BuildTimeline(const checker::History& history, const TimelineOptions& options = {});

// A "nice" bin width (1, 2 or 5 times a power of ten) that cuts `span` into at most `max_bins`.
double NiceBinWidth(double span, int max_bins);

}  // namespace orchestrator::report

// ReportPage: the one self-contained HTML page of a report, from what a run or a check found.
// Sections in order: #verdict (each check, its verdict and reason; seed; the command that
// reproduces the run; links), #failover (runs only), #faults and #coverage (which fault hit
// which role in which cluster state; runs only), #timeline with #leaders (runs only),
// #ops, #latency, #throughput on one shared zoomable axis, and #counterexample for an invalid
// linearizability verdict (linked from the verdict). The charts are drawn by the inlined
// script from an inlined JSON block (timeline_data.h); tables and facts are plain HTML, so the
// verdict reads without scripts. Every value from the input is escaped (html.h). Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checker/fault_coverage.h"
#include "checker/history.h"
#include "orchestrator/report/timeline_data.h"

namespace orchestrator::report {

struct CheckRow {
  std::string name;
  std::string verdict;  // valid | invalid | unknown | ...
  std::string summary;
};

struct Link {
  std::string label;
  std::string href;  // relative to the report; escaped when written
};

struct ReportInput {
  std::string title;
  std::string subtitle;
  std::string verdict;  // the combined verdict
  std::vector<CheckRow> checks;
  std::optional<uint64_t> seed;
  std::string command;  // reproduces the run; empty for an external history
  std::vector<Link> links;
  bool is_run = false;      // a cluster run: failover table and node roles
  nlohmann::json failover;  // the failover check's details, or null
  nlohmann::json faults;    // the faults check's details, or null
  std::optional<checker::FaultCoverage> fault_coverage;  // #coverage; absent: no section
  const checker::History* history = nullptr;             // null: no timeline (the run failed early)
  nlohmann::json linearizable;                           // the linearizability result JSON, or null
  checker::PairingOptions pairing;                       // how the checker paired `history`
  std::vector<std::string> notes;                        // shown under the verdict
  TimelineOptions timeline;
};

std::string RenderReportPage(const ReportInput& input);

}  // namespace orchestrator::report

// The "Trends" section of the store index (STORE/index.html, above the run table): one row per
// test with a verdict strip (one cell per night, its counts in a <title> tooltip) and small
// SVG sparklines of failover median, failover p99, recovery after heal and ok/s over the last
// nights, then the regressions of the newest night as sentences. Drawn here as inline SVG, so
// the section needs no script and loads nothing; every name and id is escaped. With fewer than
// two nights it says so instead of drawing charts of one point. Pure, thread-safe.
#pragma once

#include <string>

#include "orchestrator/report/trends.h"

namespace orchestrator::report {

// <section id="trends">...</section>; ids inside: #trends-table (rows data-test="NAME"),
// #regressions (one <li> per regression), .sparkline and .verdict-strip SVGs.
std::string TrendsSectionHtml(const StoreTrends& trends, const TrendOptions& options);

}  // namespace orchestrator::report

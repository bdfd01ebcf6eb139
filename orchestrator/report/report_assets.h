// The style sheet and the script every report page inlines (no file is loaded from anywhere:
// a report opens from file:// with no network). The script reads the page's
// <script type="application/json" id="report-data"> block and draws the charts of the shared
// time axis as SVG; it writes data only through textContent and setAttribute, never as markup.
#pragma once

#include <string_view>

namespace orchestrator::report {

std::string_view ReportCss();
std::string_view ReportScript();
std::string_view IndexCss();

}  // namespace orchestrator::report

// `splitbrain report RUN_DIR`: (re)writes RUN_DIR/report.html and, when the folder is inside a
// store, STORE/index.html. Exit codes (DESIGN.md): 0 written, 3 a page could not be written,
// 254 bad arguments, a missing or unreadable folder, or corrupt run files.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

int RunReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string ReportUsage();

}  // namespace orchestrator

#include "orchestrator/cli/report_command.h"

#include <ostream>

#include "orchestrator/report/report.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

std::string ReportUsage() {
  return "usage: splitbrain report RUN_DIR\n"
         "(Re)writes RUN_DIR/report.html from the run's files, and STORE/index.html when RUN_DIR\n"
         "is a run folder STORE/TEST/TIMESTAMP of a store (STORE/latest works too).\n"
         "Exit code: 0 written, 3 a page could not be written, 254 bad arguments or input.\n";
}

int RunReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0].empty() || args[0].rfind("--", 0) == 0) {
    err << "splitbrain report: " << (args.empty() ? "no RUN_DIR given" : "expected one RUN_DIR")
        << "\n"
        << ReportUsage();
    return kExitBadInput;
  }
  const std::filesystem::path run_dir = args[0];
  const common::Status written = report::WriteRunReport(run_dir);
  if (!written.ok()) {
    err << "splitbrain report: " << written.message() << "\n";
    return ExitCodeOfFailure(written);
  }
  out << "report: " << RunDir(run_dir).report().string() << "\n";
  auto store = StoreOf(run_dir);
  if (!store.ok()) {
    out << "no index written: " << store.status().message() << "\n";
    return kExitValid;
  }
  const common::Status indexed = report::WriteStoreIndex(*store);
  if (!indexed.ok()) {
    err << "splitbrain report: " << indexed.message() << "\n";
    return ExitCodeOfFailure(indexed);
  }
  out << "index: " << StoreIndex(*store).string() << "\n";
  return kExitValid;
}

}  // namespace orchestrator

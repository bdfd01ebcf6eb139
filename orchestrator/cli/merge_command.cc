#include "orchestrator/cli/merge_command.h"

#include <filesystem>
#include <ostream>

#include "orchestrator/report/report.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/merge.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

namespace fs = std::filesystem;

std::string MergeUsage() {
  return "usage: splitbrain merge --into STORE SOURCE_STORE...\n"
         "Copies every run of the SOURCE_STOREs (e.g. the stores of CI shards) into STORE, each\n"
         "run once by its run id (merging again copies nothing twice), then writes STORE/latest,\n"
         "STORE/index.html and STORE/junit.xml (every run of STORE in one JUnit file).\n"
         "One run id with different results in two stores is refused before anything is copied.\n"
         "Exit code: 0 merged, 3 a copy or page could not be written, 254 bad arguments or "
         "input.\n";
}

int RunMergeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  fs::path into;
  std::vector<fs::path> sources;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--into") {
      if (i + 1 == args.size() || args[i + 1].empty()) {
        err << "splitbrain merge: --into needs a store folder\n" << MergeUsage();
        return kExitBadInput;
      }
      into = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      err << "splitbrain merge: unknown flag " << args[i] << "\n" << MergeUsage();
      return kExitBadInput;
    } else {
      sources.emplace_back(args[i]);
    }
  }
  if (into.empty() || sources.empty()) {
    err << "splitbrain merge: "
        << (into.empty() ? "no --into STORE given" : "no source store given") << "\n"
        << MergeUsage();
    return kExitBadInput;
  }
  auto merged = MergeStores(into, sources, [&out](const MergeProgress& p) {
    out << "[" << p.done << "/" << p.total << "] " << p.run.string()
        << (p.copied.empty() ? " (already in the store)" : " -> " + p.copied.string()) << "\n"
        << std::flush;
  });
  if (!merged.ok()) {
    err << "splitbrain merge: " << merged.status().message() << "\n";
    return ExitCodeOfFailure(merged.status());
  }
  for (const common::Status& written :
       {report::WriteStoreIndex(into), report::WriteStoreJunit(into)}) {
    if (!written.ok()) {
      err << "splitbrain merge: " << written.message() << "\n";
      return ExitCodeOfFailure(written);
    }
  }
  out << "merged " << sources.size() << " store(s): " << merged->copied << " run(s) copied, "
      << merged->already_there << " already there; " << into.string() << " holds "
      << merged->runs_in_store << " run(s)\n"
      << "index: " << StoreIndex(into).string() << "\n"
      << "junit: " << StoreJunit(into).string() << "\n";
  return kExitValid;
}

}  // namespace orchestrator

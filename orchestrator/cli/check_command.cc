#include "orchestrator/cli/check_command.h"

#include <array>
#include <iostream>
#include <sstream>

#include "checker/formats.h"
#include "checker/linearizability.h"
#include "common/duration.h"
#include "orchestrator/report/report.h"

namespace orchestrator {

using checker::Json;
using common::Result;
using common::Status;

std::string CheckUsage() {
  return "usage: splitbrain check [--format auto|jsonl|jepsen-edn|porcupine-etcd|porcupine-kv]\n"
         "                        [--model register|cas-register|kv|multi-register|mutex]\n"
         "                        [--initial JSON] [--no-partition] [--time-limit S]\n"
         "                        [--memory-limit MB] [--json] [--html OUT] FILE...\n"
         "Checks each history for linearizability. Exit code, the first that applies: 1 some\n"
         "file invalid (even if another could not be read); 254 bad arguments, or a file could\n"
         "not be read or parsed (named on stderr); 2 some file unknown (a budget ran out);\n"
         "0 every file valid.\n"
         "  --format        the history's format (default auto: detected from its first lines)\n"
         "  --model         the sequential specification (default: cas-register; kv for\n"
         "                  porcupine-kv)\n"
         "  --initial       the initial state as JSON (default: nil, \"\" for porcupine-kv)\n"
         "  --no-partition  check all keys together instead of one key at a time\n"
         "  --time-limit    give up with verdict unknown after this long (e.g. 30s; default: "
         "none)\n"
         "  --memory-limit  give up with verdict unknown past this many MB of search state\n"
         "                  (default: 4096)\n"
         "  --json          print one JSON document instead of the summary\n"
         "  --html          also write OUT, a self-contained HTML report of the (one) FILE\n";
}

namespace {

struct CheckFlags {
  checker::Format format = checker::Format::kAuto;
  std::string model;  // empty: the format's default
  Json initial;
  bool has_initial = false;
  bool partition = true;
  double time_limit_s = 0;
  long long memory_limit_mb = 4096;
  bool json = false;
  std::string html;  // --html OUT: the report's path; empty: none
  std::vector<std::string> files;
};

Status FlagError(const std::string& flag, const Status& status) {
  return Status::InvalidArgument(flag + ": " + status.message());
}

Status ParseFlag(const std::string& flag, const std::string& value, CheckFlags& flags) {
  if (flag == "--format") {
    auto format = checker::ParseFormatName(value);
    if (!format.ok()) return FlagError(flag, format.status());
    flags.format = *format;
  } else if (flag == "--model") {
    auto model = checker::MakeModel(value);
    if (!model.ok()) return FlagError(flag, model.status());
    flags.model = value;
  } else if (flag == "--initial") {
    flags.initial = Json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (flags.initial.is_discarded()) {
      return Status::InvalidArgument(flag + ": \"" + value + "\" is not valid JSON");
    }
    flags.has_initial = true;
  } else if (flag == "--time-limit") {
    auto seconds = common::ParseSeconds(value);
    if (!seconds.ok()) return FlagError(flag, seconds.status());
    flags.time_limit_s = *seconds;
  } else if (flag == "--html") {
    if (value.empty()) return Status::InvalidArgument(flag + " needs a file name");
    flags.html = value;
  } else if (flag == "--memory-limit") {
    auto mb = common::ParseCount(value);
    if (!mb.ok()) return FlagError(flag, mb.status());
    flags.memory_limit_mb = *mb;
  } else {
    return Status::InvalidArgument("unknown flag " + flag);
  }
  return Status::Ok();
}

Result<CheckFlags> ParseFlags(const std::vector<std::string>& args) {
  CheckFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--no-partition") {
      flags.partition = false;
    } else if (arg == "--json") {
      flags.json = true;
    } else if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string flag = arg;
      std::string value;
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        flag = arg.substr(0, eq);
        value = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::InvalidArgument(arg + " needs a value");
      }
      RETURN_IF_ERROR(ParseFlag(flag, value, flags));
    } else {
      flags.files.push_back(arg);
    }
  }
  if (flags.files.empty()) return Status::InvalidArgument("no history file given");
  if (!flags.html.empty() && flags.files.size() != 1) {
    return Status::InvalidArgument("--html draws one history; give one FILE");
  }
  return flags;
}

struct FileOutcome {
  std::string path;
  checker::Format format = checker::Format::kAuto;
  std::string model;
  std::optional<checker::CheckResult> result;
  Status error;
  std::optional<checker::History> history;  // kept for --html
  checker::PairingOptions pairing;
};

FileOutcome CheckFile(const std::string& path, const CheckFlags& flags) {
  FileOutcome outcome{.path = path, .format = flags.format};
  auto text = checker::ReadWholeFile(path);
  if (!text.ok()) return outcome.error = text.status(), outcome;
  if (outcome.format == checker::Format::kAuto) {
    auto detected = checker::DetectFormat(*text, path);
    if (!detected.ok()) return outcome.error = detected.status(), outcome;
    outcome.format = *detected;
  }
  auto history = checker::ParseHistory(*text, outcome.format, path);
  if (!history.ok()) return outcome.error = history.status(), outcome;
  bool porcupine = outcome.format == checker::Format::kPorcupineEtcd ||
                   outcome.format == checker::Format::kPorcupineKv;
  outcome.pairing = {.allow_reinvoke = porcupine};
  auto ops = checker::PairOperations(*history, outcome.pairing);
  if (!ops.ok()) return outcome.error = ops.status(), outcome;
  outcome.model =
      flags.model.empty() ? std::string(checker::DefaultModelFor(outcome.format)) : flags.model;
  auto model = checker::ParseModelKind(outcome.model);
  if (!model.ok()) return outcome.error = model.status(), outcome;
  auto result = checker::CheckLinearizability(
      *ops, {.model = *model,
             .initial = flags.has_initial ? flags.initial : history->initial_state,
             .nil_read_is_unknown = history->nil_read_is_unknown,
             .partition = flags.partition,
             .time_limit_s = flags.time_limit_s,
             .memory_limit_mb = flags.memory_limit_mb});
  if (!result.ok()) return outcome.error = result.status().WithContext(path), outcome;
  outcome.result = std::move(*result);
  if (!flags.html.empty()) outcome.history = std::move(*history);
  return outcome;
}

void PrintOps(std::ostream& out, const char* title, const std::vector<checker::OpView>& ops) {
  constexpr size_t kShown = 12;
  out << "  " << title << " (" << ops.size() << " ops):\n";
  size_t first = ops.size() > kShown ? ops.size() - kShown : 0;
  if (first > 0) out << "    ... " << first << " earlier ops\n";
  for (size_t i = first; i < ops.size(); ++i) {
    out << "    op " << ops[i].id << "  process " << ops[i].process << "  " << ops[i].description
        << "\n";
  }
}

void PrintHuman(std::ostream& out, const FileOutcome& o) {
  const checker::CheckResult& r = *o.result;
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.1f ms", r.elapsed_s * 1000);
  out << o.path << ": " << checker::VerdictName(r.verdict) << "  (" << FormatName(o.format)
      << ", model " << o.model << ", " << r.operations << " ops, " << r.partitions
      << (r.partitions == 1 ? " partition, " : " partitions, ") << r.states_explored << " states, "
      << elapsed << ")\n";
  out << "  " << r.reason << "\n";
  if (!r.counterexample) return;
  const checker::Counterexample& cx = *r.counterexample;
  PrintOps(out, "longest linearization", cx.longest_linearization);
  out << "  state then: " << cx.state_before_failure.dump() << "\n";
  out << "  could not place: op " << cx.failed_op.id << "  process " << cx.failed_op.process << "  "
      << cx.failed_op.description << "\n";
  if (!cx.window.empty()) PrintOps(out, "smallest failing window", cx.window);
}

// The error's message, starting with the file's name unless it already names it.
std::string ErrorText(const FileOutcome& o) {
  const std::string& message = o.error.message();
  return message.find(o.path) == std::string::npos ? o.path + ": " + message : message;
}

Json ToJson(const FileOutcome& o) {
  Json j = {{"file", o.path}};
  if (!o.error.ok()) {
    j["verdict"] = "error";
    j["error"] = ErrorText(o);
    return j;
  }
  j["format"] = FormatName(o.format);
  j["model"] = o.model;
  j.update(o.result->ToJson());
  return j;
}

// Invalid wins: one history proven wrong is the answer whatever else happened. Then a file that
// could not be checked (its verdict might have been invalid), then unknown, then valid.
int ExitCodeOf(const std::vector<FileOutcome>& outcomes) {
  bool invalid = false;
  bool unknown = false;
  bool error = false;
  for (const FileOutcome& o : outcomes) {
    error = error || !o.error.ok();
    if (o.result) {
      invalid = invalid || o.result->verdict == checker::Verdict::kInvalid;
      unknown = unknown || o.result->verdict == checker::Verdict::kUnknown;
    }
  }
  if (invalid) return kExitInvalid;
  if (error) return kExitBadInput;
  return unknown ? kExitUnknown : kExitValid;
}

}  // namespace

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto flags = ParseFlags(args);
  if (!flags.ok()) {
    err << "splitbrain check: " << flags.status().message() << "\n" << CheckUsage();
    return kExitBadInput;
  }
  std::vector<FileOutcome> outcomes;
  for (const std::string& path : flags->files) {
    outcomes.push_back(CheckFile(path, *flags));
    const FileOutcome& o = outcomes.back();
    if (!o.error.ok()) err << "splitbrain check: " << ErrorText(o) << "\n";
    if (!flags->json && o.result) PrintHuman(out, o);
  }
  int code = ExitCodeOf(outcomes);
  std::vector<std::string> unchecked;
  for (const FileOutcome& o : outcomes) {
    if (!o.error.ok()) unchecked.push_back(o.path);
  }
  if (!unchecked.empty() && code == kExitInvalid) {
    err << "splitbrain check: exit code 1 (invalid) although " << unchecked.size() << " of "
        << outcomes.size() << " files could not be checked:";
    for (const std::string& path : unchecked) err << " " << path;
    err << "\n";
  }
  if (!flags->html.empty() && outcomes.front().result) {
    const FileOutcome& o = outcomes.front();
    Status written =
        report::WriteHistoryReport(flags->html, {.source = o.path,
                                                 .format = std::string(FormatName(o.format)),
                                                 .model = o.model,
                                                 .history = &*o.history,
                                                 .result = o.result->ToJson(),
                                                 .pairing = o.pairing});
    if (!written.ok()) {
      err << "splitbrain check: --html: " << written.message() << "\n";
      code = kExitBadInput;
    }
  }
  if (flags->json) {
    Json files = Json::array();
    for (const FileOutcome& o : outcomes) files.push_back(ToJson(o));
    const std::array<const char*, 3> verdicts = {"valid", "invalid", "unknown"};
    Json doc = {{"verdict", code <= kExitUnknown ? verdicts.at(code) : "error"},
                {"exit_code", code},
                {"files", files}};
    out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  }
  return code;
}

}  // namespace orchestrator

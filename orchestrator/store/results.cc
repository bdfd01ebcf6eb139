#include "orchestrator/store/results.h"

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {

using common::Result;
using common::Status;
using Json = nlohmann::json;

namespace {

constexpr std::string_view kRunFailedName = "run-failed";

Status Wrong(const std::string& key, const std::string& expected, const Json& got) {
  return Status::InvalidArgument(key + ": expected " + expected + ", got " +
                                 got.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// A key of `object`: absent (and not required) gives nullptr.
Result<const Json*> Find(const Json& object, const std::string& key, bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(key + ": missing");
    return static_cast<const Json*>(nullptr);
  }
  return &*it;
}

Status ReadString(const Json& object, const std::string& key, bool required, std::string& out) {
  ASSIGN_OR_RETURN(const Json* v, Find(object, key, required));
  if (v == nullptr) return Status::Ok();
  if (!v->is_string()) return Wrong(key, "a string", *v);
  out = v->get<std::string>();
  return Status::Ok();
}

Status ReadNumber(const Json& object, const std::string& key, double& out) {
  ASSIGN_OR_RETURN(const Json* v, Find(object, key, false));
  if (v == nullptr) return Status::Ok();
  if (!v->is_number()) return Wrong(key, "a number", *v);
  out = v->get<double>();
  return Status::Ok();
}

Status ReadInt(const Json& object, const std::string& key, bool required, int64_t& out) {
  ASSIGN_OR_RETURN(const Json* v, Find(object, key, required));
  if (v == nullptr) return Status::Ok();
  if (!v->is_number_integer()) return Wrong(key, "a whole number", *v);
  out = v->get<int64_t>();
  return Status::Ok();
}

Result<checker::Verdict> ParseCheckVerdict(const std::string& key, const std::string& text) {
  for (checker::Verdict v :
       {checker::Verdict::kValid, checker::Verdict::kInvalid, checker::Verdict::kUnknown}) {
    if (checker::VerdictName(v) == text) return v;
  }
  return Status::InvalidArgument(key + ": \"" + text + "\" is not valid, invalid or unknown");
}

Result<RunVerdict> ParseRunVerdict(const std::string& text) {
  for (RunVerdict v :
       {RunVerdict::kValid, RunVerdict::kInvalid, RunVerdict::kUnknown, RunVerdict::kRunFailed}) {
    if (RunVerdictName(v) == text) return v;
  }
  return Status::InvalidArgument("verdict: \"" + text +
                                 "\" is not valid, invalid, unknown or run-failed");
}

Result<std::vector<CheckResult>> ReadChecks(const Json& object) {
  std::vector<CheckResult> checks;
  ASSIGN_OR_RETURN(const Json* v, Find(object, "checks", false));
  if (v == nullptr) return checks;
  if (!v->is_object()) return Wrong("checks", "an object", *v);
  for (const auto& [name, check] : v->items()) {
    const std::string key = "checks." + name;
    if (!check.is_object()) return Wrong(key, "an object", check);
    CheckResult result{.name = name};
    std::string verdict;
    RETURN_IF_ERROR(ReadString(check, "verdict", true, verdict).WithContext(key));
    ASSIGN_OR_RETURN(result.verdict, ParseCheckVerdict(key + ".verdict", verdict));
    RETURN_IF_ERROR(ReadString(check, "summary", false, result.summary).WithContext(key));
    if (auto d = check.find("details"); d != check.end()) result.details = *d;
    checks.push_back(std::move(result));
  }
  return checks;
}

Status ReadCounts(const Json& object, RunResults& results) {
  if (auto ops = object.find("ops"); ops != object.end()) {
    if (!ops->is_object()) return Wrong("ops", "an object", *ops);
    RETURN_IF_ERROR(ReadInt(*ops, "ok", false, results.ops.ok).WithContext("ops"));
    RETURN_IF_ERROR(ReadInt(*ops, "fail", false, results.ops.fail).WithContext("ops"));
    RETURN_IF_ERROR(ReadInt(*ops, "info", false, results.ops.info).WithContext("ops"));
  }
  auto faults = object.find("faults");
  if (faults == object.end() || faults->is_null()) return Status::Ok();
  if (!faults->is_object()) return Wrong("faults", "an object", *faults);
  FaultCounts counts;
  RETURN_IF_ERROR(ReadInt(*faults, "planned", false, counts.planned).WithContext("faults"));
  RETURN_IF_ERROR(ReadInt(*faults, "applied", false, counts.applied).WithContext("faults"));
  RETURN_IF_ERROR(ReadInt(*faults, "verified", false, counts.verified).WithContext("faults"));
  RETURN_IF_ERROR(ReadInt(*faults, "failed", false, counts.failed).WithContext("faults"));
  RETURN_IF_ERROR(ReadInt(*faults, "unverified", false, counts.unverified).WithContext("faults"));
  results.faults = counts;
  return Status::Ok();
}

Status ReadEarlyStop(const Json& json, RunResults& results) {
  auto stop = json.find("stopped_early");
  if (stop == json.end() || stop->is_null()) return Status::Ok();
  if (!stop->is_object()) return Wrong("stopped_early", "an object", *stop);
  EarlyStop early;
  RETURN_IF_ERROR(ReadString(*stop, "check", true, early.check).WithContext("stopped_early"));
  RETURN_IF_ERROR(ReadString(*stop, "key", false, early.key).WithContext("stopped_early"));
  RETURN_IF_ERROR(ReadNumber(*stop, "at_s", early.at_s).WithContext("stopped_early"));
  RETURN_IF_ERROR(ReadString(*stop, "reason", false, early.reason).WithContext("stopped_early"));
  results.stopped_early = std::move(early);
  return Status::Ok();
}

}  // namespace

std::string_view RunVerdictName(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::kValid:
      return "valid";
    case RunVerdict::kInvalid:
      return "invalid";
    case RunVerdict::kUnknown:
      return "unknown";
    case RunVerdict::kRunFailed:
      return kRunFailedName;
  }
  return kRunFailedName;
}

RunVerdict RunVerdictOf(checker::Verdict verdict) {
  switch (verdict) {
    case checker::Verdict::kValid:
      return RunVerdict::kValid;
    case checker::Verdict::kInvalid:
      return RunVerdict::kInvalid;
    case checker::Verdict::kUnknown:
      return RunVerdict::kUnknown;
  }
  return RunVerdict::kUnknown;
}

const CheckResult* RunResults::Check(std::string_view check_name) const {
  for (const CheckResult& check : checks) {
    if (check.name == check_name) return &check;
  }
  return nullptr;
}

const Json& RunResults::Details(std::string_view check_name) const {
  static const Json kNull;
  const CheckResult* check = Check(check_name);
  return check == nullptr ? kNull : check->details;
}

Json RunResults::ToJson() const {
  Json j = {{"schema_version", schema_version},
            {"run_id", run_id},
            {"name", name},
            {"verdict", RunVerdictName(verdict)},
            {"exit_code", exit_code}};
  if (verdict == RunVerdict::kRunFailed) {
    j["phase"] = phase;
    j["error"] = error;
  }
  if (!backend.empty()) j["backend"] = backend;
  if (!db.empty()) j["db"] = db;
  if (!db_file.empty()) j["db_file"] = db_file;
  if (!db_sha256.empty()) j["db_sha256"] = db_sha256;
  j["tls"] = tls;
  if (verdict == RunVerdict::kRunFailed && checks.empty()) return j;
  j["workload_s"] = workload_s;
  j["elapsed_s"] = elapsed_s;
  j["ops"] = {{"ok", ops.ok}, {"fail", ops.fail}, {"info", ops.info}};
  if (faults.has_value()) {
    j["faults"] = {{"planned", faults->planned},
                   {"applied", faults->applied},
                   {"verified", faults->verified},
                   {"failed", faults->failed},
                   {"unverified", faults->unverified}};
  }
  if (fault_coverage.has_value()) j["fault_coverage"] = fault_coverage->ToJson();
  if (stopped_early.has_value()) {
    j["stopped_early"] = {{"check", stopped_early->check},
                          {"key", stopped_early->key},
                          {"at_s", stopped_early->at_s},
                          {"reason", stopped_early->reason}};
  }
  Json checks_json = Json::object();
  for (const CheckResult& check : checks) {
    checks_json[check.name] = {{"verdict", checker::VerdictName(check.verdict)},
                               {"summary", check.summary},
                               {"details", check.details}};
  }
  j["checks"] = std::move(checks_json);
  return j;
}

Result<RunResults> RunResults::FromJson(const Json& json) {
  if (!json.is_object()) return Wrong("results", "a JSON object", json);
  RunResults r;
  int64_t version = 0;
  RETURN_IF_ERROR(ReadInt(json, "schema_version", false, version));
  if (version > kResultsSchemaVersion) {
    return Status::InvalidArgument("schema_version " + std::to_string(version) +
                                   " is newer than this splitbrain reads (" +
                                   std::to_string(kResultsSchemaVersion) + ")");
  }
  r.schema_version = static_cast<int>(version);
  std::string verdict;
  RETURN_IF_ERROR(ReadString(json, "verdict", true, verdict));
  ASSIGN_OR_RETURN(r.verdict, ParseRunVerdict(verdict));
  RETURN_IF_ERROR(ReadString(json, "run_id", false, r.run_id));
  RETURN_IF_ERROR(ReadString(json, "name", false, r.name));
  RETURN_IF_ERROR(ReadString(json, "backend", false, r.backend));
  RETURN_IF_ERROR(ReadString(json, "db", false, r.db));
  RETURN_IF_ERROR(ReadString(json, "db_file", false, r.db_file));
  RETURN_IF_ERROR(ReadString(json, "db_sha256", false, r.db_sha256));
  if (auto tls = json.find("tls"); tls != json.end() && !tls->is_null()) {
    if (!tls->is_boolean()) return Wrong("tls", "a boolean", *tls);
    r.tls = tls->get<bool>();
  }
  RETURN_IF_ERROR(ReadString(json, "phase", false, r.phase));
  RETURN_IF_ERROR(ReadString(json, "error", false, r.error));
  int64_t exit_code = 0;
  RETURN_IF_ERROR(ReadInt(json, "exit_code", false, exit_code));
  r.exit_code = static_cast<int>(exit_code);
  RETURN_IF_ERROR(ReadNumber(json, "workload_s", r.workload_s));
  RETURN_IF_ERROR(ReadNumber(json, "elapsed_s", r.elapsed_s));
  RETURN_IF_ERROR(ReadCounts(json, r));
  ASSIGN_OR_RETURN(r.checks, ReadChecks(json));
  if (auto coverage = json.find("fault_coverage"); coverage != json.end() && !coverage->is_null()) {
    ASSIGN_OR_RETURN(r.fault_coverage, checker::FaultCoverage::FromJson(*coverage));
  }
  RETURN_IF_ERROR(ReadEarlyStop(json, r));
  return r;
}

Result<RunResults> ReadRunResults(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(const Json json, ReadJsonFile(path));
  auto results = RunResults::FromJson(json);
  if (!results.ok()) return results.status().WithContext(path.string());
  return results;
}

}  // namespace orchestrator

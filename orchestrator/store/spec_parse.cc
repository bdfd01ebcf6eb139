// The keys of a spec: flags and spec files share them. ApplySpecJson, ParseRunSpec (RunUsage,
// the help text: spec_usage.cc).
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/duration.h"
#include "orchestrator/store/spec.h"

namespace orchestrator {

using common::Result;
using common::Status;
using Json = nlohmann::json;
using workloads::WorkloadKind;
using workloads::WorkloadKindName;

namespace {

constexpr std::array kKeys = {"spec",
                              "name",
                              "db",
                              "backend",
                              "nodes",
                              "workload",
                              "concurrency",
                              "rate",
                              "time-limit",
                              "nemesis",
                              "nemesis-interval",
                              "schedule",
                              "db-bug",
                              "max-failover",
                              "max-recovery",
                              "check-time-limit",
                              "seed",
                              "store",
                              "junit",
                              "refdb-bin",
                              "etcd-bin",
                              "fencing",
                              "stop-on-invalid",
                              "tls",
                              "night"};

// After "nemesis" was read into spec.nemesis: "none" clears it, "auto" (alone) lets the store's
// fault coverage choose the faults (orchestrator/run/auto_nemesis.h).
Status ReadNemesisMode(RunSpec& spec) {
  spec.nemesis_auto = false;
  if (spec.nemesis == std::vector<std::string>{"none"}) {
    spec.nemesis.clear();
    return Status::Ok();
  }
  if (std::find(spec.nemesis.begin(), spec.nemesis.end(), "auto") == spec.nemesis.end()) {
    return Status::Ok();
  }
  if (spec.nemesis.size() != 1) {
    std::string given;
    for (const std::string& name : spec.nemesis) given += (given.empty() ? "" : ",") + name;
    return Status::InvalidArgument(
        "nemesis: auto chooses the faults itself from the store's coverage and cannot be mixed "
        "with fault names (given: " +
        given + ")");
  }
  spec.nemesis.clear();
  spec.nemesis_auto = true;
  return Status::Ok();
}

bool IsKey(const std::string& key) {
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

// Values arrive as JSON: numbers and strings from files, strings from flags.
Result<std::string> AsString(const std::string& key, const Json& v) {
  if (!v.is_string()) return Status::InvalidArgument(key + ": expected a string, got " + v.dump());
  return v.get<std::string>();
}

Result<double> AsSeconds(const std::string& key, const Json& v) {
  if (v.is_number()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d < 0) {
      return Status::InvalidArgument(key + ": " + v.dump() + " is not a non-negative duration");
    }
    return d;
  }
  if (!v.is_string())
    return Status::InvalidArgument(key + ": expected a duration, got " + v.dump());
  auto s = common::ParseSeconds(v.get<std::string>());
  if (!s.ok()) return s.status().WithContext(key);
  return *s;
}

Result<long long> AsCount(const std::string& key, const Json& v) {
  if (v.is_number_unsigned()) return static_cast<long long>(v.get<uint64_t>());
  if (v.is_number_integer()) {
    long long n = v.get<long long>();
    if (n < 0) return Status::InvalidArgument(key + ": " + v.dump() + " is negative");
    return n;
  }
  if (!v.is_string()) return Status::InvalidArgument(key + ": expected a number, got " + v.dump());
  auto n = common::ParseCount(v.get<std::string>());
  if (!n.ok()) return n.status().WithContext(key);
  return *n;
}

Result<double> AsNumber(const std::string& key, const Json& v) {
  if (v.is_number()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d >= 0) return d;
  } else if (v.is_string()) {
    const std::string s = v.get<std::string>();
    std::istringstream in(s);
    double d = 0;
    if (in >> d && in.eof() && std::isfinite(d) && d >= 0) return d;
  }
  return Status::InvalidArgument(key + ": " + v.dump() + " is not a non-negative number");
}

// "a,b" or ["a","b"] (a repeated flag appends).
Result<std::vector<std::string>> AsList(const std::string& key, const Json& v) {
  std::vector<std::string> out;
  auto add_csv = [&](const std::string& s) {
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) out.push_back(item);
    }
  };
  if (v.is_string()) {
    add_csv(v.get<std::string>());
  } else if (v.is_array()) {
    for (const Json& item : v) {
      if (!item.is_string()) {
        return Status::InvalidArgument(key + ": expected strings, got " + item.dump());
      }
      add_csv(item.get<std::string>());
    }
  } else {
    return Status::InvalidArgument(key + ": expected a string or a list, got " + v.dump());
  }
  return out;
}

// The enumerator whose name is `text`, among `all`; InvalidArgument listing the names otherwise.
template <typename Enum, size_t N, typename NameOf>
Result<Enum> ParseEnum(const std::string& key, const std::string& text,
                       const std::array<Enum, N>& all, NameOf name_of) {
  std::string list;
  for (Enum e : all) {
    if (name_of(e) == text) return e;
    list += (list.empty() ? "" : ", ") + std::string(name_of(e));
  }
  return Status::InvalidArgument(key + ": \"" + text + "\" is not one of " + list);
}

constexpr std::array kDbKinds = {DbKind::kRefdb, DbKind::kEtcd};
constexpr std::array kBackendKinds = {BackendKind::kAuto, BackendKind::kDocker,
                                      BackendKind::kNetns};
constexpr std::array kWorkloadKinds = {WorkloadKind::kRegister, WorkloadKind::kSet,
                                       WorkloadKind::kElection};

// A switch ("fencing", "stop-on-invalid"): true / false in a file, on / off (or true / false)
// as a flag.
Status ApplySwitch(const std::string& key, const Json& v, bool& out) {
  if (v.is_boolean()) {
    out = v.get<bool>();
    return Status::Ok();
  }
  const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text == "on" || text == "true") {
    out = true;
  } else if (text == "off" || text == "false") {
    out = false;
  } else {
    return Status::InvalidArgument(key + ": \"" + text + "\" is not on or off");
  }
  return Status::Ok();
}

// A flag that may stand alone (`--stop-on-invalid` is `--stop-on-invalid on`).
bool IsBareFlag(const std::string& flag) { return flag == "stop-on-invalid" || flag == "tls"; }
bool IsSwitchWord(const std::string& word) {
  return word == "on" || word == "off" || word == "true" || word == "false";
}

// "night": the nightly invocation a run belongs to (the store index groups trends by it).
Status ApplyNight(const Json& v, RunSpec& spec) {
  ASSIGN_OR_RETURN(std::string night, AsString("night", v));
  RETURN_IF_ERROR(CheckNightId(night));
  spec.night = std::move(night);
  return Status::Ok();
}

// "check-time-limit": the linearizability check's budget, positive.
Status ApplyCheckTimeLimit(const Json& v, RunSpec& spec) {
  ASSIGN_OR_RETURN(spec.check_time_limit_s, AsSeconds("check-time-limit", v));
  if (spec.check_time_limit_s <= 0) {
    return Status::InvalidArgument("check-time-limit: must be positive");
  }
  return Status::Ok();
}

// The field of a switch key, or null.
bool* SwitchOf(const std::string& key, RunSpec& spec) {
  if (key == "fencing") return &spec.fencing;
  if (key == "stop-on-invalid") return &spec.stop_on_invalid;
  if (key == "tls") return &spec.tls;
  return nullptr;
}

Status ApplyKey(const std::string& key, const Json& v, RunSpec& spec) {
  if (bool* field = SwitchOf(key, spec)) return ApplySwitch(key, v, *field);
  if (key == "check-time-limit") return ApplyCheckTimeLimit(v, spec);
  if (key == "night") return ApplyNight(v, spec);
  if (key == "name") {
    ASSIGN_OR_RETURN(spec.name, AsString(key, v));
    if (spec.name.empty() || spec.name.find('/') != std::string::npos || spec.name[0] == '.') {
      return Status::InvalidArgument("name: \"" + spec.name +
                                     "\" must be a non-empty file name (no '/', no leading '.')");
    }
  } else if (key == "db") {
    ASSIGN_OR_RETURN(std::string db, AsString(key, v));
    if (db.empty()) return Status::InvalidArgument("db: must not be empty");
    Result<DbKind> builtin = ParseEnum(key, db, kDbKinds, DbName);
    spec.db = builtin.ok() ? *builtin : DbKind::kDefinition;
    spec.db_definition = builtin.ok() ? "" : db;
  } else if (key == "backend") {
    ASSIGN_OR_RETURN(std::string backend, AsString(key, v));
    ASSIGN_OR_RETURN(spec.backend, ParseEnum(key, backend, kBackendKinds, BackendName));
  } else if (key == "nodes") {
    ASSIGN_OR_RETURN(long long n, AsCount(key, v));
    if (n < 1 || n > 9) return Status::InvalidArgument("nodes: " + v.dump() + " is not in 1..9");
    spec.nodes = static_cast<int>(n);
  } else if (key == "workload") {
    ASSIGN_OR_RETURN(std::string workload, AsString(key, v));
    ASSIGN_OR_RETURN(spec.workload, ParseEnum(key, workload, kWorkloadKinds, WorkloadKindName));
  } else if (key == "concurrency") {
    ASSIGN_OR_RETURN(long long n, AsCount(key, v));
    if (n < 1 || n > 1000) {
      return Status::InvalidArgument("concurrency: " + v.dump() + " is not in 1..1000");
    }
    spec.concurrency = static_cast<int>(n);
  } else if (key == "rate") {
    ASSIGN_OR_RETURN(spec.rate, AsNumber(key, v));
  } else if (key == "time-limit") {
    ASSIGN_OR_RETURN(spec.time_limit_s, AsSeconds(key, v));
    if (spec.time_limit_s <= 0) return Status::InvalidArgument("time-limit: must be positive");
  } else if (key == "nemesis") {
    ASSIGN_OR_RETURN(spec.nemesis, AsList(key, v));
    RETURN_IF_ERROR(ReadNemesisMode(spec));
  } else if (key == "nemesis-interval") {
    ASSIGN_OR_RETURN(spec.nemesis_interval_s, AsSeconds(key, v));
  } else if (key == "schedule") {
    ASSIGN_OR_RETURN(spec.schedule, AsString(key, v));
  } else if (key == "db-bug") {
    ASSIGN_OR_RETURN(std::vector<std::string> bugs, AsList(key, v));
    // Which names the database accepts is its adapter's to say (run/plan.cc checks them).
    spec.db_bugs.insert(spec.db_bugs.end(), bugs.begin(), bugs.end());
  } else if (key == "max-failover") {
    ASSIGN_OR_RETURN(spec.max_failover_s, AsSeconds(key, v));
  } else if (key == "max-recovery") {
    ASSIGN_OR_RETURN(spec.max_recovery_s, AsSeconds(key, v));
  } else if (key == "seed") {
    ASSIGN_OR_RETURN(long long n, AsCount(key, v));
    spec.seed = static_cast<uint64_t>(n);
  } else if (key == "store") {
    ASSIGN_OR_RETURN(spec.store, AsString(key, v));
    if (spec.store.empty()) return Status::InvalidArgument("store: must not be empty");
  } else if (key == "junit") {
    ASSIGN_OR_RETURN(spec.junit, AsString(key, v));
  } else if (key == "refdb-bin") {
    ASSIGN_OR_RETURN(spec.refdb_bin, AsString(key, v));
  } else if (key == "etcd-bin") {
    ASSIGN_OR_RETURN(spec.etcd_bin, AsString(key, v));
    if (spec.etcd_bin.empty()) return Status::InvalidArgument("etcd-bin: must not be empty");
  } else {
    return Status::InvalidArgument("unknown key \"" + key + "\"");
  }
  return Status::Ok();
}

Result<Json> ReadSpecFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("--spec: cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  Json object = Json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Status::InvalidArgument(path + ": not valid JSON");
  if (!object.is_object()) return Status::InvalidArgument(path + ": expected a JSON object");
  return object;
}

}  // namespace

Status ApplySpecJson(const Json& object, RunSpec& spec) {
  if (!object.is_object()) return Status::InvalidArgument("a spec must be a JSON object");
  for (const auto& [key, value] : object.items()) {
    if (key == "spec" || key == "run-id" || key == "backend-used" || key == "db-file" ||
        key == "db-sha256" || key == "night" || key == "replay-schedule") {
      continue;  // recorded by a run; a night only from --night, so a replayed spec.json
                 // does not join the night it came from
    }
    if (!IsKey(key)) return Status::InvalidArgument("unknown key \"" + key + "\"");
    if (key == "db-bug") spec.db_bugs.clear();
    if (value.is_null()) continue;
    RETURN_IF_ERROR(ApplyKey(key, value, spec));
  }
  return Status::Ok();
}

Result<RunSpec> ParseRunSpec(const std::vector<std::string>& args) {
  // Pass 1: split into (flag, value) pairs; find --spec.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string spec_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() <= 2) {
      return Status::InvalidArgument("unexpected argument \"" + arg + "\" (flags start with --)");
    }
    std::string flag = arg.substr(2);
    std::string value;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (IsBareFlag(flag) && (i + 1 == args.size() || !IsSwitchWord(args[i + 1]))) {
      value = "on";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument(arg + " needs a value");
    }
    if (!IsKey(flag)) return Status::InvalidArgument("unknown flag --" + flag);
    if (flag == "spec") {
      spec_file = value;
    } else {
      flags.emplace_back(flag, value);
    }
  }
  RunSpec spec;
  if (!spec_file.empty()) {
    ASSIGN_OR_RETURN(Json object, ReadSpecFile(spec_file));
    Status applied = ApplySpecJson(object, spec);
    if (!applied.ok()) return applied.WithContext(spec_file);
  }
  bool bugs_from_flags = false;
  for (const auto& [flag, value] : flags) {
    if (flag == "db-bug" && !bugs_from_flags) {
      spec.db_bugs.clear();  // flags replace the file's list, repeated flags add up
      bugs_from_flags = true;
    }
    Status applied = ApplyKey(flag, Json(value), spec);
    if (!applied.ok()) return Status::InvalidArgument("--" + applied.message());
  }
  if (spec.nemesis_auto && !spec.schedule.empty()) {
    return Status::InvalidArgument(
        "--nemesis auto draws a schedule and --schedule gives one: choose one of them");
  }
  if (spec.name.empty()) {
    spec.name = spec.DbLabel() + "-" + std::string(WorkloadKindName(spec.workload));
  }
  return spec;
}

}  // namespace orchestrator

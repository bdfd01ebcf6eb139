#include "orchestrator/store/spec.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {

using common::Result;
using common::Status;
using Json = nlohmann::json;

std::string_view DbName(DbKind db) {
  switch (db) {
    case DbKind::kRefdb:
      return "refdb";
    case DbKind::kEtcd:
      return "etcd";
    case DbKind::kDefinition:
      return "definition";
  }
  return "refdb";
}

std::string RunSpec::DbLabel() const {
  if (db != DbKind::kDefinition) return std::string(DbName(db));
  const std::filesystem::path path(db_definition);
  if (path.filename() == "db.json" && path.has_parent_path()) {
    return path.parent_path().filename().string();
  }
  return path.has_extension() ? path.stem().string() : path.filename().string();
}

std::string_view BackendName(BackendKind backend) {
  switch (backend) {
    case BackendKind::kAuto:
      return "auto";
    case BackendKind::kDocker:
      return "docker";
    case BackendKind::kNetns:
      return "netns";
  }
  return "auto";
}

Json RunSpec::ToJson() const {
  Json j = {{"name", name},
            {"db", db == DbKind::kDefinition ? db_definition : std::string(DbName(db))},
            {"backend", BackendName(backend)},
            {"nodes", nodes},
            {"workload", workloads::WorkloadKindName(workload)},
            {"concurrency", concurrency},
            {"rate", rate},
            {"time-limit", time_limit_s},
            {"nemesis", nemesis_auto ? std::vector<std::string>{"auto"} : nemesis},
            {"nemesis-interval", nemesis_interval_s},
            {"schedule", schedule},
            {"db-bug", db_bugs},
            {"max-failover", max_failover_s},
            {"max-recovery", max_recovery_s},
            {"check-time-limit", check_time_limit_s},
            {"store", store},
            {"junit", junit},
            {"refdb-bin", refdb_bin},
            {"etcd-bin", etcd_bin},
            {"fencing", fencing},
            {"stop-on-invalid", stop_on_invalid},
            {"tls", tls}};
  j["seed"] = seed.has_value() ? Json(*seed) : Json(nullptr);
  if (!run_id.empty()) j["run-id"] = run_id;
  if (!backend_used.empty()) j["backend-used"] = backend_used;
  if (!db_file.empty()) j["db-file"] = db_file;
  if (!db_sha256.empty()) j["db-sha256"] = db_sha256;
  if (!night.empty()) j["night"] = night;
  if (!replay_schedule.empty()) j["replay-schedule"] = replay_schedule;
  return j;
}

Result<RunSpec> RunSpec::FromJson(const Json& json) {
  RunSpec spec;
  RETURN_IF_ERROR(ApplySpecJson(json, spec));
  for (const auto& [key, field] :
       {std::pair{"run-id", &spec.run_id}, std::pair{"backend-used", &spec.backend_used},
        std::pair{"db-file", &spec.db_file}, std::pair{"db-sha256", &spec.db_sha256},
        std::pair{"night", &spec.night}, std::pair{"replay-schedule", &spec.replay_schedule}}) {
    auto it = json.find(key);
    if (it == json.end() || it->is_null()) continue;
    if (!it->is_string()) {
      return Status::InvalidArgument(std::string(key) + ": expected a string, got " + it->dump());
    }
    *field = it->get<std::string>();
  }
  if (!spec.night.empty()) RETURN_IF_ERROR(CheckNightId(spec.night));
  return spec;
}

Status CheckNightId(std::string_view night) {
  if (night.empty() || night.size() > 64) {
    return Status::InvalidArgument("night: \"" + std::string(night.substr(0, 80)) +
                                   "\" must have 1 to 64 characters");
  }
  for (const char c : night) {
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
                         c == ':' || c == '-';
    if (!allowed) {
      return Status::InvalidArgument("night: \"" + std::string(night) +
                                     "\" may only hold letters, digits and . _ : -");
    }
  }
  return Status::Ok();
}

Result<RunSpec> ReadRunSpec(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(const Json json, ReadJsonFile(path));
  auto spec = RunSpec::FromJson(json);
  if (!spec.ok()) return spec.status().WithContext(path.string());
  return spec;
}

std::string PlainNumber(double value) {
  char text[32];
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%g", value);
  }
  return text;
}

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

}  // namespace

std::vector<std::string> RunSpec::ReproduceArgv() const {
  std::vector<std::string> argv = {"splitbrain", "run"};
  auto add = [&argv](const std::string& flag, const std::string& value) {
    if (value.empty()) return;
    argv.push_back(flag);
    argv.push_back(value);
  };
  add("--name", name);
  add("--db", db == DbKind::kDefinition ? db_definition : std::string(DbName(db)));
  add("--backend", backend_used.empty() ? std::string(BackendName(backend)) : backend_used);
  add("--nodes", std::to_string(nodes));
  add("--workload", std::string(workloads::WorkloadKindName(workload)));
  add("--concurrency", std::to_string(concurrency));
  if (rate > 0) add("--rate", PlainNumber(rate));
  add("--time-limit", PlainNumber(time_limit_s) + "s");
  if (nemesis_auto && !replay_schedule.empty()) {
    add("--schedule", replay_schedule);
  } else {
    // No faults is `--nemesis none`: left out, the default mix would be replayed.
    const bool no_faults = !nemesis_auto && nemesis.empty() && schedule.empty();
    add("--nemesis", nemesis_auto ? std::string("auto") : no_faults ? "none" : Join(nemesis));
    if (!nemesis.empty() || nemesis_auto) {
      add("--nemesis-interval", PlainNumber(nemesis_interval_s) + "s");
    }
    add("--schedule", schedule);
  }
  for (const std::string& bug : db_bugs) add("--db-bug", bug);
  add("--max-failover", PlainNumber(max_failover_s) + "s");
  add("--max-recovery", PlainNumber(max_recovery_s) + "s");
  // Only when set: it changes what the verdict may cost, not what the run does.
  if (check_time_limit_s != kDefaultCheckTimeLimitS) {
    add("--check-time-limit", PlainNumber(check_time_limit_s) + "s");
  }
  if (seed.has_value()) add("--seed", std::to_string(*seed));
  add("--store", store);
  add("--refdb-bin", refdb_bin);
  if (fencing) add("--fencing", "on");
  if (stop_on_invalid) argv.emplace_back("--stop-on-invalid");
  if (tls) argv.emplace_back("--tls");
  return argv;
}

}  // namespace orchestrator

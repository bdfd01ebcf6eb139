#include "workloads/defined_db.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "workloads/line_client.h"
#include "workloads/probe.h"

namespace workloads {

namespace fs = std::filesystem;
using common::MutexLock;
using common::Result;
using common::Status;

std::string HostOf(const std::string& endpoint) {
  const size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  const bool hex = text.starts_with("0x") || text.starts_with("0X");
  const char* begin = text.data() + (hex ? 2 : 0);
  const char* end = text.data() + text.size();
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, value, hex ? 16 : 10);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return value;
}

DefinedDb::DefinedDb(DefinedDbOptions options) : options_(std::move(options)) {}
DefinedDb::~DefinedDb() = default;

DbTraits DefinedDb::traits() const {
  const DbDefinition& d = options_.definition;
  return DbTraits{.status_term_is_current = d.status.term_is_current,
                  .has_terms = d.status.term_field.has_value(),
                  .reads_linearizable = d.guarantees.read == ReadGuarantee::kLinearizable,
                  .reports_applied = false};
}

std::vector<fs::path> DefinedDb::Binaries() const {
  std::vector<fs::path> out;
  if (options_.definition.processes.size() > 1) out.push_back(options_.procs_binary);
  for (const NodeProgram& program : options_.definition.processes) {
    const fs::path path = std::get<TemplateText>(program.argv.front()).text;
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  }
  return out;
}

TemplateContext DefinedDb::Context(const NodeEnv& env) const {
  return TemplateContext{.id = env.id,
                         .ip = env.ip,
                         .ips = env.peer_ips,
                         .data_dir = env.data_dir,
                         .client_port = options_.definition.client_port,
                         .dir = options_.definition.file.parent_path()};
}

std::vector<std::string> DefinedDb::NodeArgv(const NodeEnv& env) const {
  const TemplateContext context = Context(env);
  const auto& processes = options_.definition.processes;
  if (processes.size() == 1) return RenderArgv(processes.front().argv, context);
  // splitbrain-procs NAME -- ARGV... --- NAME -- ARGV...
  std::vector<std::string> argv = {options_.procs_binary.string()};
  for (size_t i = 0; i < processes.size(); ++i) {
    if (i > 0) argv.emplace_back("---");
    argv.push_back(processes[i].name);
    argv.emplace_back("--");
    for (std::string& arg : RenderArgv(processes[i].argv, context)) argv.push_back(std::move(arg));
  }
  return argv;
}

std::vector<NodeFile> DefinedDb::NodeFiles(const NodeEnv& env) const {
  std::vector<NodeFile> out;
  for (const ConfigFile& file : options_.definition.files) {
    out.push_back({.path = file.path, .contents = RenderLines(file.lines, Context(env))});
  }
  return out;
}

void DefinedDb::Attach(const ClusterInfo& cluster) {
  MutexLock lock(mu_);
  cluster_ = cluster;
  member_ids_.clear();
  claims_.clear();
}

Status DefinedDb::Ready(const NodeEnv& env, std::chrono::milliseconds deadline) const {
  if (!options_.definition.ready.has_value()) return Status::Ok();
  Result<std::string> answer = RunProbe(*options_.definition.ready, Context(env), deadline);
  return answer.ok() ? Status::Ok() : answer.status();
}

std::optional<DbSource> DefinedDb::source() const {
  return DbSource{.name = options_.definition.name,
                  .file = options_.definition.file,
                  .sha256 = options_.definition.sha256};
}

Result<std::unique_ptr<DbClient>> DefinedDb::Connect(const ClientOptions& options) const {
  TemplateContext context{.client_port = options_.definition.client_port,
                          .dir = options_.definition.file.parent_path()};
  for (const std::string& endpoint : options.endpoints) context.ips.push_back(HostOf(endpoint));
  fs::path log;
  std::vector<std::string> env;
  {
    MutexLock lock(mu_);
    if (!cluster_.log_dir.empty()) log = cluster_.log_dir / "clients.log";
    // `splitbrain cleanup` finds a dead run's clients by it (orchestrator/run/client_processes.h).
    if (!cluster_.run_id.empty())
      env.push_back(std::string(kRunIdVariable) + "=" + cluster_.run_id);
  }
  return std::unique_ptr<DbClient>(std::make_unique<LineClient>(
      LineClientOptions{.argv = RenderArgv(options_.definition.client_argv, context),
                        .env = std::move(env),
                        .log_path = log,
                        .deadline = options.call_deadline}));
}

int DefinedDb::NodeOfIp(const std::string& ip) const {
  MutexLock lock(mu_);
  for (size_t i = 0; i < cluster_.ips.size(); ++i) {
    if (cluster_.ips[i] == ip) return static_cast<int>(i) + 1;
  }
  return 0;
}

int DefinedDb::LeaderOf(const std::map<std::string, std::string>& fields, int self) const {
  const StatusMapping& s = options_.definition.status;
  if (!s.leader_field) return 0;
  const auto it = fields.find(*s.leader_field);
  if (it == fields.end() || it->second.empty()) return 0;
  switch (s.leader_naming) {
    case LeaderNaming::kNode: {
      const std::optional<uint64_t> n = ParseUnsigned(it->second);
      MutexLock lock(mu_);
      return n && *n >= 1 && *n <= cluster_.ips.size() ? static_cast<int>(*n) : 0;
    }
    case LeaderNaming::kAddress:
      return NodeOfIp(HostOf(it->second));
    case LeaderNaming::kMemberId: {
      MutexLock lock(mu_);
      if (const auto own = fields.find(*s.node_id_field); own != fields.end() && self > 0) {
        member_ids_[own->second] = self;
      }
      const auto known = member_ids_.find(it->second);
      return known == member_ids_.end() ? 0 : known->second;
    }
  }
  return 0;
}

Result<NodeStatus> DefinedDb::Status(const std::string& endpoint,
                                     std::chrono::milliseconds deadline) const {
  const StatusMapping& s = options_.definition.status;
  const int self = NodeOfIp(HostOf(endpoint));
  TemplateContext context = Context(NodeEnv{.id = self, .ip = HostOf(endpoint)});
  {
    MutexLock lock(mu_);
    context.ips = cluster_.ips;
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::map<std::string, std::string> fields;
  for (const Probe& probe : s.probes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    ASSIGN_OR_RETURN(std::string answer,
                     RunProbe(probe, context, std::max(left, std::chrono::milliseconds(1))));
    ASSIGN_OR_RETURN(auto parsed, ProbeFields(probe.format, answer));
    fields.merge(parsed);
  }
  NodeStatus status{.node_id = static_cast<uint64_t>(self)};
  status.leader_id = static_cast<uint64_t>(LeaderOf(fields, self));
  if (s.role_from_leader) {
    status.role =
        status.leader_id == static_cast<uint64_t>(self) && self > 0 ? "leader" : "follower";
  } else {
    const auto it = fields.find(s.role_field);
    if (it == fields.end()) return Status::Unavailable("status: no field \"" + s.role_field + "\"");
    const auto role = s.role_values.find(it->second);
    if (role == s.role_values.end()) {
      return Status::Unavailable("status: " + s.role_field + " \"" + it->second +
                                 "\" is not in role.values");
    }
    status.role = role->second;
  }
  if (status.role == "leader") status.leader_id = static_cast<uint64_t>(self);
  if (s.term_field) {
    const auto it = fields.find(*s.term_field);
    const std::optional<uint64_t> term =
        it == fields.end() ? std::nullopt : ParseUnsigned(it->second);
    if (!term) return Status::Unavailable("status: no integer field \"" + *s.term_field + "\"");
    status.term = *term >> s.term_shift;
  }
  if (s.settle_ms > 0) {
    MutexLock lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (status.role != "leader") {
      claims_.erase(self);
    } else {
      const auto since = claims_.try_emplace(self, now).first->second;
      if (now - since < std::chrono::milliseconds(s.settle_ms)) status.role = "follower";
    }
  }
  return status;
}

}  // namespace workloads

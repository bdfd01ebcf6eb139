// The status and probe parts of a definition.
#include <set>
#include <string>
#include <string_view>

#include "workloads/db_definition.h"
#include "workloads/db_definition_internal.h"

namespace workloads::definition_internal {

using common::Result;
using common::Status;

namespace {

Status ParseRole(const Json& j, StatusMapping& out) {
  RETURN_IF_ERROR(OnlyKeys(j, "status.role", {"field", "values", "self_if_leader", "settle_ms"}));
  if (j.contains("settle_ms")) {
    if (!j["settle_ms"].is_number_integer() || j["settle_ms"].get<int64_t>() < 0 ||
        j["settle_ms"].get<int64_t>() > 60000) {
      return Bad("status.role.settle_ms", "must be an integer from 0 to 60000");
    }
    out.settle_ms = j["settle_ms"].get<int>();
  }
  if (j.contains("self_if_leader")) {
    if (!j["self_if_leader"].is_boolean())
      return Bad("status.role.self_if_leader", "must be true or false");
    out.role_from_leader = j["self_if_leader"].get<bool>();
  }
  if (out.role_from_leader) {
    if (j.contains("field") || j.contains("values")) {
      return Bad("status.role", "self_if_leader takes no field or values");
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(const Json* field, Member(j, "field", "status.role", true));
  ASSIGN_OR_RETURN(out.role_field, String(*field, "status.role.field"));
  ASSIGN_OR_RETURN(const Json* values, Member(j, "values", "status.role", true));
  if (!values->is_object() || values->empty()) {
    return Bad("status.role.values", "must be a non-empty object");
  }
  for (const auto& [text, role] : values->items()) {
    const std::string f = "status.role.values." + text;
    ASSIGN_OR_RETURN(std::string r, String(role, f));
    if (r != "leader" && r != "follower" && r != "candidate") {
      return Bad(f, R"(must be "leader", "follower" or "candidate", not ")" + r + "\"");
    }
    out.role_values[text] = r;
  }
  return Status::Ok();
}

Status ParseTermAndLeader(const Json& j, StatusMapping& out) {
  if (const auto it = j.find("term"); it != j.end()) {
    RETURN_IF_ERROR(OnlyKeys(*it, "status.term", {"field", "shift_right", "current"}));
    ASSIGN_OR_RETURN(const Json* field, Member(*it, "field", "status.term", true));
    ASSIGN_OR_RETURN(out.term_field, String(*field, "status.term.field"));
    if (it->contains("shift_right")) {
      const Json& s = (*it)["shift_right"];
      if (!s.is_number_integer() || s.get<int64_t>() < 0 || s.get<int64_t>() > 63) {
        return Bad("status.term.shift_right", "must be an integer from 0 to 63");
      }
      out.term_shift = s.get<int>();
    }
    if (it->contains("current")) {
      if (!(*it)["current"].is_boolean())
        return Bad("status.term.current", "must be true or false");
      out.term_is_current = (*it)["current"].get<bool>();
    }
  }
  if (const auto it = j.find("leader"); it != j.end()) {
    RETURN_IF_ERROR(OnlyKeys(*it, "status.leader", {"field", "names"}));
    ASSIGN_OR_RETURN(const Json* field, Member(*it, "field", "status.leader", true));
    ASSIGN_OR_RETURN(out.leader_field, String(*field, "status.leader.field"));
    ASSIGN_OR_RETURN(const Json* names, Member(*it, "names", "status.leader", true));
    ASSIGN_OR_RETURN(std::string n, String(*names, "status.leader.names"));
    if (n == "node") {
      out.leader_naming = LeaderNaming::kNode;
    } else if (n == "address") {
      out.leader_naming = LeaderNaming::kAddress;
    } else if (n == "member_id") {
      out.leader_naming = LeaderNaming::kMemberId;
    } else {
      return Bad("status.leader.names",
                 R"(must be "node", "address" or "member_id", not ")" + n + "\"");
    }
  }
  if (const auto it = j.find("node_id"); it != j.end()) {
    RETURN_IF_ERROR(OnlyKeys(*it, "status.node_id", {"field"}));
    ASSIGN_OR_RETURN(const Json* field, Member(*it, "field", "status.node_id", true));
    ASSIGN_OR_RETURN(out.node_id_field, String(*field, "status.node_id.field"));
  }
  if (out.leader_naming == LeaderNaming::kMemberId && !out.node_id_field) {
    return Bad("status.node_id", "is required when status.leader.names is \"member_id\"");
  }
  if (out.role_from_leader && !out.leader_field) {
    return Bad("status.leader", "is required with status.role.self_if_leader");
  }
  return Status::Ok();
}

}  // namespace

Result<Probe> ParseProbe(const Json& j, const std::string& field, bool with_format) {
  std::set<std::string> keys = {"tcp", "http", "command"};
  if (with_format) keys.insert("format");
  RETURN_IF_ERROR(OnlyKeys(j, field, keys));
  Probe probe;
  int kinds = 0;
  if (const auto it = j.find("tcp"); it != j.end()) {
    ++kinds;
    const std::string f = field + ".tcp";
    RETURN_IF_ERROR(OnlyKeys(*it, f, {"port", "send", "expect"}));
    TcpProbe tcp;
    ASSIGN_OR_RETURN(const Json* port, Member(*it, "port", f, true));
    ASSIGN_OR_RETURN(tcp.port, Port(*port, f + ".port"));
    if (it->contains("send")) {
      ASSIGN_OR_RETURN(tcp.send, String((*it)["send"], f + ".send"));
    }
    if (it->contains("expect")) {
      ASSIGN_OR_RETURN(tcp.expect, String((*it)["expect"], f + ".expect"));
    }
    probe.how = tcp;
  }
  if (const auto it = j.find("http"); it != j.end()) {
    ++kinds;
    const std::string f = field + ".http";
    RETURN_IF_ERROR(OnlyKeys(*it, f, {"port", "path", "method", "body"}));
    HttpProbe http;
    ASSIGN_OR_RETURN(const Json* port, Member(*it, "port", f, true));
    ASSIGN_OR_RETURN(http.port, Port(*port, f + ".port"));
    if (it->contains("path")) {
      ASSIGN_OR_RETURN(http.path, String((*it)["path"], f + ".path"));
    }
    if (http.path.empty() || http.path[0] != '/') return Bad(f + ".path", "must start with /");
    if (it->contains("method")) {
      ASSIGN_OR_RETURN(http.method, String((*it)["method"], f + ".method"));
    }
    if (http.method != "GET" && http.method != "POST") {
      return Bad(f + ".method", "must be GET or POST, not \"" + http.method + "\"");
    }
    if (it->contains("body")) {
      ASSIGN_OR_RETURN(http.body, String((*it)["body"], f + ".body"));
    }
    probe.how = http;
  }
  if (const auto it = j.find("command"); it != j.end()) {
    ++kinds;
    ASSIGN_OR_RETURN(Template argv, ParseTemplate(*it, field + ".command", true));
    probe.how = CommandProbe{std::move(argv)};
  }
  if (kinds != 1) return Bad(field, "needs exactly one of tcp, http, command");
  if (with_format) {
    ASSIGN_OR_RETURN(const Json* format, Member(j, "format", field, true));
    ASSIGN_OR_RETURN(std::string name, String(*format, field + ".format"));
    if (name == "json") {
      probe.format = ProbeFormat::kJson;
    } else if (name == "keyvalue") {
      probe.format = ProbeFormat::kKeyValue;
    } else {
      return Bad(field + ".format", R"(must be "json" or "keyvalue", not ")" + name + "\"");
    }
  }
  return probe;
}

Result<StatusMapping> ParseStatus(const Json& j) {
  RETURN_IF_ERROR(OnlyKeys(j, "status", {"probes", "role", "term", "leader", "node_id"}));
  StatusMapping out;
  ASSIGN_OR_RETURN(const Json* probes, Member(j, "probes", "status", true));
  if (!probes->is_array() || probes->empty())
    return Bad("status.probes", "must be a non-empty array");
  for (size_t i = 0; i < probes->size(); ++i) {
    ASSIGN_OR_RETURN(Probe p,
                     ParseProbe((*probes)[i], "status.probes[" + std::to_string(i) + "]", true));
    out.probes.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(const Json* role, Member(j, "role", "status", true));
  RETURN_IF_ERROR(ParseRole(*role, out));
  RETURN_IF_ERROR(ParseTermAndLeader(j, out));
  return out;
}

}  // namespace workloads::definition_internal

#include "workloads/db_definition.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "workloads/db_definition_internal.h"

namespace workloads {

namespace fs = std::filesystem;
using common::Result;
using common::Status;
namespace definition_internal {

// Errors carry the field's path; the file is added by LoadDbDefinition.
Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

Result<std::string> String(const Json& j, const std::string& field) {
  if (!j.is_string()) return Bad(field, "must be a string");
  return j.get<std::string>();
}

Result<const Json*> Member(const Json& object, const std::string& key, const std::string& field,
                           bool required) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (required) return Bad(field.empty() ? key : field + "." + key, "is required");
    return nullptr;
  }
  return &*it;
}

Status OnlyKeys(const Json& object, const std::string& field,
                const std::set<std::string>& allowed) {
  if (!object.is_object())
    return Bad(field.empty() ? "the definition" : field, "must be an object");
  for (const auto& [key, value] : object.items()) {
    if (allowed.contains(key)) continue;
    std::string path = field;
    if (!path.empty()) path += ".";
    path += key;
    return Bad(path, "unknown field");
  }
  return Status::Ok();
}

Result<uint16_t> Port(const Json& j, const std::string& field) {
  if (!j.is_number_integer() || j.get<int64_t>() < 1 || j.get<int64_t>() > 65535) {
    return Bad(field, "must be a port number (1-65535)");
  }
  return static_cast<uint16_t>(j.get<int64_t>());
}

}  // namespace definition_internal

namespace {

using namespace definition_internal;  // NOLINT(google-build-using-namespace)

Result<DbGuarantees> ParseGuarantees(const Json& j) {
  RETURN_IF_ERROR(OnlyKeys(j, "guarantees", {"write", "cas", "read", "leaders"}));
  DbGuarantees out;
  for (const char* key : {"write", "cas"}) {
    if (!j.contains(key)) continue;
    ASSIGN_OR_RETURN(std::string v, String(j[key], std::string("guarantees.") + key));
    if (v != "linearizable") {
      return Bad(std::string("guarantees.") + key,
                 R"(only "linearizable" is checked today, not ")" + v + "\"");
    }
  }
  if (j.contains("read")) {
    ASSIGN_OR_RETURN(std::string v, String(j["read"], "guarantees.read"));
    if (v == "sequential") {
      out.read = ReadGuarantee::kSequential;
    } else if (v != "linearizable") {
      return Bad("guarantees.read", R"(must be "linearizable" or "sequential", not ")" + v + "\"");
    }
  }
  if (j.contains("leaders")) {
    ASSIGN_OR_RETURN(std::string v, String(j["leaders"], "guarantees.leaders"));
    if (v == "one_at_a_time") {
      out.leaders = LeaderGuarantee::kOneAtATime;
    } else if (v != "one_per_term") {
      return Bad("guarantees.leaders",
                 R"(must be "one_per_term" or "one_at_a_time", not ")" + v + "\"");
    }
  }
  return out;
}

Status ParseProcesses(const Json& j, DbDefinition& out) {
  if (!j.is_array() || j.empty()) return Bad("processes", "must be a non-empty array");
  std::set<std::string> names;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string f = "processes[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(OnlyKeys(j[i], f, {"name", "argv"}));
    NodeProgram program;
    ASSIGN_OR_RETURN(const Json* name, Member(j[i], "name", f, true));
    ASSIGN_OR_RETURN(program.name, String(*name, f + ".name"));
    if (!names.insert(program.name).second)
      return Bad(f + ".name", "\"" + program.name + "\" twice");
    ASSIGN_OR_RETURN(const Json* argv, Member(j[i], "argv", f, true));
    ASSIGN_OR_RETURN(program.argv, ParseTemplate(*argv, f + ".argv", true));
    out.processes.push_back(std::move(program));
  }
  return Status::Ok();
}

Status ParseFiles(const Json& j, DbDefinition& out) {
  if (!j.is_array()) return Bad("files", "must be an array");
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string f = "files[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(OnlyKeys(j[i], f, {"path", "lines"}));
    ConfigFile file;
    ASSIGN_OR_RETURN(const Json* path, Member(j[i], "path", f, true));
    ASSIGN_OR_RETURN(file.path, String(*path, f + ".path"));
    const fs::path p(file.path);
    if (file.path.empty() || p.is_absolute() ||
        std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; })) {
      return Bad(f + ".path", "must be a relative path inside the data dir");
    }
    ASSIGN_OR_RETURN(const Json* lines, Member(j[i], "lines", f, true));
    ASSIGN_OR_RETURN(file.lines, ParseTemplate(*lines, f + ".lines", false));
    out.files.push_back(std::move(file));
  }
  return Status::Ok();
}

Status ParseDocker(const Json& j, DbDefinition& out) {
  RETURN_IF_ERROR(OnlyKeys(j, "docker", {"files", "image"}));
  if (j.contains("image")) {
    ASSIGN_OR_RETURN(out.docker_image, String(j["image"], "docker.image"));
  }
  if (j.contains("files")) {
    if (!j["files"].is_array()) return Bad("docker.files", "must be an array of absolute paths");
    for (size_t i = 0; i < j["files"].size(); ++i) {
      const std::string f = "docker.files[" + std::to_string(i) + "]";
      ASSIGN_OR_RETURN(std::string path, String(j["files"][i], f));
      if (!fs::path(path).is_absolute()) return Bad(f, "must be an absolute path");
      out.docker_files.emplace_back(path);
    }
  }
  return Status::Ok();
}

Status ParseTop(const Json& j, DbDefinition& out) {
  RETURN_IF_ERROR(OnlyKeys(j, "",
                           {"name", "description", "install", "client_port", "processes", "files",
                            "ready", "status", "client", "guarantees", "docker"}));
  ASSIGN_OR_RETURN(const Json* name, Member(j, "name", "", true));
  ASSIGN_OR_RETURN(out.name, String(*name, "name"));
  if (out.name.empty() ||
      out.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return Bad("name", "must be lowercase letters, digits and '-', not \"" + out.name + "\"");
  }
  if (j.contains("description")) {
    ASSIGN_OR_RETURN(out.description, String(j["description"], "description"));
  }
  ASSIGN_OR_RETURN(const Json* install, Member(j, "install", "", true));
  RETURN_IF_ERROR(OnlyKeys(*install, "install", {"debian"}));
  ASSIGN_OR_RETURN(const Json* debian, Member(*install, "debian", "install", true));
  if (!debian->is_array()) return Bad("install.debian", "must be an array of package names");
  for (size_t i = 0; i < debian->size(); ++i) {
    ASSIGN_OR_RETURN(std::string package,
                     String((*debian)[i], "install.debian[" + std::to_string(i) + "]"));
    out.debian_packages.push_back(std::move(package));
  }
  ASSIGN_OR_RETURN(const Json* port, Member(j, "client_port", "", true));
  ASSIGN_OR_RETURN(out.client_port, Port(*port, "client_port"));
  ASSIGN_OR_RETURN(const Json* processes, Member(j, "processes", "", true));
  RETURN_IF_ERROR(ParseProcesses(*processes, out));
  if (j.contains("files")) RETURN_IF_ERROR(ParseFiles(j["files"], out));
  if (j.contains("ready")) {
    Json ready = j["ready"];
    if (ready.is_object() && ready.contains("timeout_s")) {
      if (!ready["timeout_s"].is_number_integer() || ready["timeout_s"].get<int64_t>() < 1 ||
          ready["timeout_s"].get<int64_t>() > 3600) {
        return Bad("ready.timeout_s", "must be an integer from 1 to 3600");
      }
      out.ready_timeout_s = ready["timeout_s"].get<int>();
      ready.erase("timeout_s");
    }
    ASSIGN_OR_RETURN(out.ready, ParseProbe(ready, "ready", false));
  }
  ASSIGN_OR_RETURN(const Json* status, Member(j, "status", "", true));
  ASSIGN_OR_RETURN(out.status, ParseStatus(*status));
  ASSIGN_OR_RETURN(const Json* client, Member(j, "client", "", true));
  RETURN_IF_ERROR(OnlyKeys(*client, "client", {"argv"}));
  ASSIGN_OR_RETURN(const Json* argv, Member(*client, "argv", "client", true));
  ASSIGN_OR_RETURN(out.client_argv, ParseTemplate(*argv, "client.argv", true));
  if (j.contains("guarantees")) {
    ASSIGN_OR_RETURN(out.guarantees, ParseGuarantees(j["guarantees"]));
  }
  if (j.contains("docker")) RETURN_IF_ERROR(ParseDocker(j["docker"], out));
  return Status::Ok();
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

Result<DbDefinition> LoadDbDefinition(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(file), ec);
  if (!fs::is_regular_file(absolute, ec)) {
    return Status::NotFound("database definition " + file.string() + ": no such file");
  }
  std::ifstream in(absolute, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in && !in.eof())
    return Status::IoError("database definition " + file.string() + ": cannot read");
  const std::string bytes = buffer.str();
  const Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::InvalidArgument(file.string() + ": not valid JSON");
  }
  DbDefinition out;
  if (Status parsed = ParseTop(j, out); !parsed.ok()) {
    return Status::InvalidArgument(file.string() + ": " + parsed.message());
  }
  out.file = absolute;
  out.sha256 = Sha256Hex(bytes);
  return out;
}

fs::path DefinitionPath(const std::string& db, const fs::path& root) {
  if (db.find('/') != std::string::npos || db.ends_with(".json")) return db;
  return root / db / "db.json";
}

}  // namespace workloads

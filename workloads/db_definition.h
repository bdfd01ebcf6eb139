// DbDefinition: a database described by a file (docs/db-definitions.md), parsed and checked
// once, before anything starts. Every error names the file and the field
// ("db.json: status.role.values.master: ..."). Templates (argv, config lines, probes) are kept
// as parsed pieces and rendered per node by Render* below; an unknown placeholder is an error
// at parse time, not at run time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace workloads {

// One element of an argv or of a file's lines: plain text with placeholders, one pattern
// expanded per node ({peer_id}, {peer_ip}), or a line kept on the first node or the others.
struct TemplateText {
  std::string text;
};
struct TemplateEachNode {
  std::string pattern;
  std::string join = ",";  // argv: the expansions joined into one argument
};
struct TemplateIf {
  bool first = true;  // true: node 1 only; false: every node but 1
  std::string text;
};
using TemplatePiece = std::variant<TemplateText, TemplateEachNode, TemplateIf>;
using Template = std::vector<TemplatePiece>;

struct TcpProbe {
  uint16_t port = 0;
  std::string send;
  std::string expect;  // empty: any answer
};
struct HttpProbe {
  uint16_t port = 0;
  std::string path = "/";
  std::string method = "GET";
  std::string body;
};
struct CommandProbe {
  Template argv;
};
enum class ProbeFormat { kNone, kJson, kKeyValue };
struct Probe {
  std::variant<TcpProbe, HttpProbe, CommandProbe> how;
  ProbeFormat format = ProbeFormat::kNone;
};

enum class LeaderNaming { kNode, kAddress, kMemberId };

struct StatusMapping {
  std::vector<Probe> probes;
  std::string role_field;                          // empty with role_from_leader
  std::map<std::string, std::string> role_values;  // text -> leader | follower | candidate
  bool role_from_leader = false;                   // "self_if_leader"
  int settle_ms = 0;
  std::optional<std::string> term_field;  // nullopt: the database has no terms
  int term_shift = 0;
  bool term_is_current = false;
  std::optional<std::string> leader_field;
  LeaderNaming leader_naming = LeaderNaming::kNode;
  std::optional<std::string> node_id_field;  // with kMemberId
};

enum class ReadGuarantee { kLinearizable, kSequential };
enum class LeaderGuarantee { kOnePerTerm, kOneAtATime };

struct DbGuarantees {
  ReadGuarantee read = ReadGuarantee::kLinearizable;
  LeaderGuarantee leaders = LeaderGuarantee::kOnePerTerm;
};

struct NodeProgram {
  std::string name;
  Template argv;  // argv[0] an absolute path (checked when parsed)
};

struct ConfigFile {
  std::string path;  // relative to the data dir
  Template lines;
};

struct DbDefinition {
  std::filesystem::path file;  // absolute
  std::string sha256;          // of the file's bytes, 64 hex digits
  std::string name;
  std::string description;
  std::vector<std::string> debian_packages;
  uint16_t client_port = 0;
  std::vector<NodeProgram> processes;
  std::vector<ConfigFile> files;
  std::optional<Probe> ready;
  int ready_timeout_s = 60;
  StatusMapping status;
  Template client_argv;
  DbGuarantees guarantees;
  std::vector<std::filesystem::path> docker_files;
  std::string docker_image;  // empty: build one
};

// Reads and checks a definition. InvalidArgument naming the file and field for a bad one;
// NotFound / IoError when it cannot be read.
common::Result<DbDefinition> LoadDbDefinition(const std::filesystem::path& file);

// `--db NAME|PATH`: a path (has a '/' or ends in .json) as given; else
// <definitions_root>/NAME/db.json.
std::filesystem::path DefinitionPath(const std::string& db, const std::filesystem::path& root);

// What placeholders stand for on one node (or, for the client, on none: id 0).
struct TemplateContext {
  int id = 0;
  std::string ip;
  std::vector<std::string> ips;  // every node's, index i-1 for node i
  std::string data_dir;
  uint16_t client_port = 0;
  std::filesystem::path dir;  // the definition's folder
};

std::vector<std::string> RenderArgv(const Template& argv, const TemplateContext& context);
std::string RenderLines(const Template& lines, const TemplateContext& context);

}  // namespace workloads

#include "workloads/candidate_args.h"

#include <charconv>

namespace workloads {

using common::Status;

namespace {

common::Result<int64_t> Number(const std::string& flag, const std::string& text, int64_t min) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min) {
    return Status::InvalidArgument(flag + " \"" + text +
                                   "\": want an integer >= " + std::to_string(min));
  }
  return value;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    if (comma > at) parts.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return parts;
}

Status Apply(const std::string& flag, const std::string& value, CandidateArgs& out) {
  if (flag == "--candidate") {
    ASSIGN_OR_RETURN(const int64_t c, Number(flag, value, 1));
    out.candidate = static_cast<int>(c);
  } else if (flag == "--candidates") {
    ASSIGN_OR_RETURN(const int64_t k, Number(flag, value, 1));
    out.candidates = static_cast<int>(k);
  } else if (flag == "--db") {
    ASSIGN_OR_RETURN(out.db, CandidateDbNamed(value));
  } else if (flag == "--definition") {
    out.definition = value;
  } else if (flag == "--endpoints") {
    out.endpoints = Split(value);
  } else if (flag == "--lease-ms") {
    ASSIGN_OR_RETURN(out.lease_ms, Number(flag, value, 1));
  } else if (flag == "--renew-deadline-ms") {
    ASSIGN_OR_RETURN(out.renew_deadline_ms, Number(flag, value, 1));
  } else if (flag == "--retry-ms") {
    ASSIGN_OR_RETURN(out.retry_ms, Number(flag, value, 1));
  } else if (flag == "--call-deadline-ms") {
    ASSIGN_OR_RETURN(out.call_deadline_ms, Number(flag, value, 1));
  } else if (flag == "--log") {
    out.log = value;
  } else {
    return Status::InvalidArgument("unknown flag " + flag);
  }
  return Status::Ok();
}

std::string DbWord(CandidateDb db) {
  switch (db) {
    case CandidateDb::kRefdb:
      return "refdb";
    case CandidateDb::kEtcd:
      return "etcd";
    case CandidateDb::kDefinition:
      return "definition";
  }
  return "refdb";
}

}  // namespace

common::Result<CandidateDb> CandidateDbNamed(const std::string& name) {
  if (name == "refdb") return CandidateDb::kRefdb;
  if (name == "etcd") return CandidateDb::kEtcd;
  if (name == "definition") return CandidateDb::kDefinition;
  return Status::InvalidArgument("--db \"" + name + "\": want refdb, etcd or definition");
}

common::Result<CandidateArgs> ParseCandidateArgs(const std::vector<std::string>& args) {
  CandidateArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--fencing") {
      out.fencing = true;
      continue;
    }
    if (i + 1 >= args.size()) return Status::InvalidArgument(args[i] + " needs a value");
    RETURN_IF_ERROR(Apply(args[i], args[i + 1], out));
    ++i;
  }
  if (out.endpoints.empty()) return Status::InvalidArgument("--endpoints is missing or empty");
  if ((out.db == CandidateDb::kDefinition) != !out.definition.empty()) {
    return Status::InvalidArgument("--definition goes with --db definition, and only with it");
  }
  if (out.candidate > out.candidates) {
    return Status::InvalidArgument("--candidate " + std::to_string(out.candidate) +
                                   " is not in 1..--candidates " + std::to_string(out.candidates));
  }
  if (out.renew_deadline_ms >= out.lease_ms) {
    return Status::InvalidArgument("--renew-deadline-ms must be shorter than --lease-ms");
  }
  return out;
}

std::vector<std::string> CandidateArgv(const CandidateArgs& args) {
  std::string endpoints;
  for (const std::string& e : args.endpoints) endpoints += (endpoints.empty() ? "" : ",") + e;
  std::vector<std::string> argv = {"--candidate",
                                   std::to_string(args.candidate),
                                   "--candidates",
                                   std::to_string(args.candidates),
                                   "--db",
                                   DbWord(args.db),
                                   "--endpoints",
                                   endpoints,
                                   "--lease-ms",
                                   std::to_string(args.lease_ms),
                                   "--renew-deadline-ms",
                                   std::to_string(args.renew_deadline_ms),
                                   "--retry-ms",
                                   std::to_string(args.retry_ms),
                                   "--call-deadline-ms",
                                   std::to_string(args.call_deadline_ms)};
  if (args.db == CandidateDb::kDefinition) {
    argv.emplace_back("--definition");
    argv.push_back(args.definition);
  }
  if (args.fencing) argv.emplace_back("--fencing");
  if (!args.log.empty()) {
    argv.emplace_back("--log");
    argv.push_back(args.log);
  }
  return argv;
}

}  // namespace workloads

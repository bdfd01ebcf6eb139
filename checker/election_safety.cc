#include "checker/election_safety.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "checker/formats.h"

namespace checker {
namespace {

std::optional<int64_t> IntField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<std::string> StringField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Who led each term, with the first place each leader was seen.
class LeaderTable {
 public:
  void SawTerm(int64_t term) { terms_.insert(term); }

  // Records that `node` led `term`; the first conflict found is kept for the summary.
  void SawLeader(int64_t term, int64_t node, const std::string& where) {
    terms_.insert(term);
    auto [it, inserted] = leaders_.try_emplace(term, Sighting{node, where});
    if (inserted || it->second.node == node) return;
    ++conflicts_;
    if (first_conflict_.empty()) {
      first_conflict_ = "term " + std::to_string(term) + " had two leaders: node " +
                        std::to_string(it->second.node) + " (" + it->second.where + ") and node " +
                        std::to_string(node) + " (" + where + ")";
    }
  }

  bool ok() const { return conflicts_ == 0; }
  const std::string& first_conflict() const { return first_conflict_; }

  void Fill(Json& details) const {
    details["terms_seen"] = terms_.size();
    details["terms_with_leader"] = leaders_.size();
    int64_t changes = 0;
    std::optional<int64_t> previous;
    Json leaders = Json::object();
    for (const auto& [term, sighting] : leaders_) {
      if (previous.has_value() && *previous != sighting.node) ++changes;
      previous = sighting.node;
      leaders[std::to_string(term)] = sighting.node;
    }
    details["leader_changes"] = changes;
    details["leaders"] = std::move(leaders);
    details["conflicts"] = conflicts_;
  }

 private:
  struct Sighting {
    int64_t node;
    std::string where;
  };
  std::set<int64_t> terms_;
  std::map<int64_t, Sighting> leaders_;
  int64_t conflicts_ = 0;
  std::string first_conflict_;
};

// Reads the status samples into `table`; an error message "FILE:LINE: ..." when one is malformed.
std::optional<std::string> ReadStatusSamples(const History& history, LeaderTable& table,
                                             Json& details) {
  int64_t samples = 0;
  int64_t unanswered = 0;
  for (const Event& event : history.events) {
    if (event.f != "status" || event.process.is_client()) continue;
    const std::string where = EventWhere(history, event);
    const Json& value = event.value;
    auto node = IntField(value, "node");
    if (!node.has_value()) return where + ": status sample without an integer \"node\"";
    ++samples;
    if (value.contains("error")) {
      ++unanswered;
      continue;
    }
    auto term = IntField(value, "term");
    if (!term.has_value()) return where + ": status sample without an integer \"term\"";
    auto role = StringField(value, "role");
    if (!role.has_value()) return where + ": status sample without a string \"role\"";
    table.SawTerm(*term);
    if (*role == "leader") table.SawLeader(*term, *node, where + " status sample");
  }
  details["status_samples"] = samples;
  details["unanswered_samples"] = unanswered;
  return std::nullopt;
}

// Reads one node's events.jsonl into `table`. A missing file is noted in details.
std::optional<std::string> ReadEventLog(const NodeEventLog& log, LeaderTable& table,
                                        Json& details) {
  std::error_code ec;
  if (!std::filesystem::exists(log.path, ec) && !ec) {
    details["missing_logs"].push_back(log.path);
    return std::nullopt;
  }
  auto text = ReadWholeFile(log.path);
  if (!text.ok()) return text.status().message();
  std::string_view rest = *text;
  int64_t line_number = 0;
  int64_t lines = 0;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = log.path + ":" + std::to_string(line_number);
    Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded() || !object.is_object()) return where + ": not a JSON object";
    auto term = IntField(object, "term");
    if (!term.has_value()) return where + ": no integer \"term\"";
    auto role = StringField(object, "role");
    if (!role.has_value()) return where + ": no string \"role\"";
    auto node = IntField(object, "node");
    if (node.has_value() && *node != log.node) {
      return where + ": node " + std::to_string(*node) + " in the event log of node " +
             std::to_string(log.node);
    }
    ++lines;
    table.SawTerm(*term);
    if (*role == "leader") table.SawLeader(*term, log.node, where);
  }
  details["log_lines"] = details.value("log_lines", int64_t{0}) + lines;
  return std::nullopt;
}

}  // namespace

RunCheckResult CheckElectionSafety(const History& history, const std::vector<NodeEventLog>& logs) {
  LeaderTable table;
  Json details = {{"missing_logs", Json::array()}, {"log_lines", 0}};
  if (auto error = ReadStatusSamples(history, table, details)) return UnknownRunCheck(*error);
  for (const NodeEventLog& log : logs) {
    if (auto error = ReadEventLog(log, table, details)) return UnknownRunCheck(*error);
  }
  table.Fill(details);
  if (!table.ok()) return {Verdict::kInvalid, table.first_conflict(), std::move(details)};
  const int64_t terms = details["terms_with_leader"].get<int64_t>();
  if (terms == 0) {
    return UnknownRunCheck("no node reported being leader in any status sample or event log",
                           std::move(details));
  }
  std::string summary =
      "at most one leader in each of " + std::to_string(terms) + " term" + (terms == 1 ? "" : "s") +
      " (" + std::to_string(details["leader_changes"].get<int64_t>()) + " leader changes)";
  return {Verdict::kValid, std::move(summary), std::move(details)};
}

}  // namespace checker

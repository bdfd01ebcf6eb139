#include "checker/election_safety.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "checker/formats.h"

namespace checker {
namespace {

constexpr int64_t kBeginning = std::numeric_limits<int64_t>::min();

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

// "1,2,4"
std::string JoinNumbers(const std::vector<int64_t>& numbers) {
  std::string out;
  for (int64_t number : numbers) out += (out.empty() ? "" : ",") + std::to_string(number);
  return out;
}

std::string JoinStrings(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// "node 3" or "nodes 1,2".
std::string Nodes(const std::vector<int64_t>& nodes) {
  return (nodes.size() == 1 ? "node " : "nodes ") + JoinNumbers(nodes);
}

// The pronoun that agrees with Nodes(nodes).
std::string Their(const std::vector<int64_t>& nodes) { return nodes.size() == 1 ? "its" : "their"; }

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

// One status sample, as the majority check needs it.
struct Sample {
  int64_t time_ns = 0;
  int64_t node = 0;
  bool is_answered = false;
  bool is_leader = false;
  int64_t term = 0;
  std::string where;  // FILE:LINE
};

// When a killed node may have restarted: between its fault's "healing" (the "end" in histories
// without one) and its "end".
struct Restart {
  int64_t node = 0;
  int64_t earliest_ns = 0;
  int64_t latest_ns = 0;
};

// What the history says, parsed once for both properties.
struct Observations {
  LeaderTable table;
  std::vector<Sample> samples;
  std::vector<Restart> restarts;
  int64_t highest_node = 0;  // in samples, fault targets and cuts
  int64_t origin_ns = 0;     // time of the first event
};

// Reads the status samples; an error message "FILE:LINE: ..." when one is malformed.
std::optional<std::string> ReadStatusSamples(const History& history, Observations& out,
                                             Json& details) {
  int64_t unanswered = 0;
  for (const Event& event : history.events) {
    if (event.f != "status" || event.process.is_client()) continue;
    Sample sample{.time_ns = event.time_ns, .where = EventWhere(history, event)};
    const Json& value = event.value;
    auto node = IntField(value, "node");
    if (!node.has_value()) return sample.where + ": status sample without an integer \"node\"";
    sample.node = *node;
    out.highest_node = std::max(out.highest_node, *node);
    if (value.contains("error")) {
      ++unanswered;
      out.samples.push_back(std::move(sample));
      continue;
    }
    auto term = IntField(value, "term");
    if (!term.has_value()) return sample.where + ": status sample without an integer \"term\"";
    auto role = StringField(value, "role");
    if (!role.has_value()) return sample.where + ": status sample without a string \"role\"";
    sample.is_answered = true;
    sample.is_leader = *role == "leader";
    sample.term = *term;
    out.table.SawTerm(*term);
    if (sample.is_leader) out.table.SawLeader(*term, *node, sample.where + " status sample");
    out.samples.push_back(std::move(sample));
  }
  details["status_samples"] = out.samples.size();
  details["unanswered_samples"] = unanswered;
  return std::nullopt;
}

// The node numbers of value[field] (targets), and of each pair of a cut; nullopt when the field
// is present but not a list of integers (or of pairs of integers).
std::optional<std::vector<int64_t>> NodeList(const Json& value, const char* field) {
  std::vector<int64_t> nodes;
  auto it = value.find(field);
  if (it == value.end() || it->is_null()) return nodes;
  if (!it->is_array()) return std::nullopt;
  for (const Json& item : *it) {
    if (item.is_number_integer()) {
      nodes.push_back(item.get<int64_t>());
    } else if (item.is_array()) {
      for (const Json& node : item) {
        if (!node.is_number_integer()) return std::nullopt;
        nodes.push_back(node.get<int64_t>());
      }
    } else {
      return std::nullopt;
    }
  }
  return nodes;
}

// Reads the nemesis faults: the highest node any names, and the restart windows of kills. Other
// checks judge the faults themselves; only a kill whose targets cannot be read is an error here.
std::optional<std::string> ReadKills(const History& history, Observations& out) {
  struct Kill {
    std::vector<int64_t> targets;
    std::optional<int64_t> healing_ns;
    bool has_ended = false;
  };
  std::map<int64_t, Kill> kills;  // by fault id
  for (const Event& event : history.events) {
    if (event.process.name != "nemesis" || !event.value.is_object()) continue;
    auto phase = StringField(event.value, "phase");
    auto id = IntField(event.value, "id");
    if (!phase.has_value() || !id.has_value()) continue;
    if (*phase == "start") {
      auto targets = NodeList(event.value, "targets");
      if (!targets.has_value() && event.f == "kill") {
        return EventWhere(history, event) + ": kill fault without a list of integer \"targets\"";
      }
      for (int64_t node : targets.value_or(std::vector<int64_t>{})) {
        out.highest_node = std::max(out.highest_node, node);
      }
      for (int64_t node : NodeList(event.value, "cut").value_or(std::vector<int64_t>{})) {
        out.highest_node = std::max(out.highest_node, node);
      }
      if (event.f == "kill") kills[*id].targets = *targets;
      continue;
    }
    auto it = kills.find(*id);
    if (it == kills.end() || it->second.has_ended) continue;
    if (*phase == "healing") it->second.healing_ns = event.time_ns;
    if (*phase != "end") continue;
    it->second.has_ended = true;
    for (int64_t node : it->second.targets) {
      out.restarts.push_back({node, it->second.healing_ns.value_or(event.time_ns), event.time_ns});
    }
  }
  return std::nullopt;
}

enum class LogState { kRead, kMissing, kUnreadable, kMalformed };

struct LogOutcome {
  LogState state = LogState::kRead;
  std::string error;  // kUnreadable: the reason; kMalformed: "FILE:LINE: ..."
};

// Reads one node's events.jsonl into `table`, up to its first malformed line.
LogOutcome ReadEventLog(const NodeEventLog& log, LeaderTable& table, Json& details) {
  std::error_code ec;
  if (!std::filesystem::exists(log.path, ec) && !ec) {
    details["missing_logs"].push_back(log.path);
    return {LogState::kMissing, ""};
  }
  auto text = ReadWholeFile(log.path);
  if (!text.ok()) return {LogState::kUnreadable, text.status().message()};
  std::string_view rest = *text;
  int64_t line_number = 0;
  int64_t lines = 0;
  LogOutcome outcome;
  while (!rest.empty() && outcome.state == LogState::kRead) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = log.path + ":" + std::to_string(line_number);
    Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto term = IntField(object, "term");
    auto role = StringField(object, "role");
    auto node = IntField(object, "node");
    if (object.is_discarded() || !object.is_object()) {
      outcome = {LogState::kMalformed, where + ": not a JSON object"};
    } else if (!term.has_value()) {
      outcome = {LogState::kMalformed, where + ": no integer \"term\""};
    } else if (!role.has_value()) {
      outcome = {LogState::kMalformed, where + ": no string \"role\""};
    } else if (node.has_value() && *node != log.node) {
      outcome = {LogState::kMalformed, where + ": node " + std::to_string(*node) +
                                           " in the event log of node " + std::to_string(log.node)};
    } else {
      ++lines;
      table.SawTerm(*term);
      if (*role == "leader") table.SawLeader(*term, log.node, where);
    }
  }
  details["log_lines"] = details.value("log_lines", int64_t{0}) + lines;
  return outcome;
}

// What the event logs showed and why some could not be used.
struct LogsRead {
  std::set<int64_t> seen_nodes;      // whose log was read, at least in part
  std::set<int64_t> reported_nodes;  // whose log problem is in `problems`
  std::vector<std::string> problems;
};

LogsRead ReadEventLogs(const std::vector<NodeEventLog>& logs, bool logs_expected,
                       LeaderTable& table, Json& details) {
  LogsRead out;
  std::vector<int64_t> missing;
  std::vector<std::string> missing_paths;
  for (const NodeEventLog& log : logs) {
    const LogOutcome outcome = ReadEventLog(log, table, details);
    if (outcome.state == LogState::kRead || outcome.state == LogState::kMalformed) {
      out.seen_nodes.insert(log.node);
    }
    if (outcome.state == LogState::kMissing && logs_expected) {
      missing.push_back(log.node);
      missing_paths.push_back(log.path);
    }
    if (outcome.state == LogState::kMissing && !logs_expected) continue;
    if (outcome.state == LogState::kRead) continue;
    out.reported_nodes.insert(log.node);
    if (outcome.state == LogState::kUnreadable) {
      out.problems.push_back("cannot read the events.jsonl of node " + std::to_string(log.node) +
                             " (" + outcome.error + "): cannot see its elections");
    } else if (outcome.state == LogState::kMalformed) {
      out.problems.push_back(outcome.error);
    }
  }
  if (!missing.empty()) {
    out.problems.insert(out.problems.begin(), "no events.jsonl from " + Nodes(missing) + " (" +
                                                  JoinStrings(missing_paths, ", ") +
                                                  "): cannot see " + Their(missing) + " elections");
  }
  return out;
}

// The start of the window in which a voter for sample `lead` may have voted: votes for L in term
// T come after L entered T, so after L's latest earlier sample below T was read.
int64_t ElectionBegan(const std::vector<Sample>& samples, const Sample& lead, int64_t margin_ns) {
  int64_t began = kBeginning;
  for (const Sample& s : samples) {
    if (s.node == lead.node && s.is_answered && s.term < lead.term && s.time_ns <= lead.time_ns) {
      began = std::max(began, s.time_ns - margin_ns);
    }
  }
  return began;
}

bool MayHaveRestarted(const std::vector<Restart>& restarts, int64_t node, int64_t from_ns,
                      int64_t to_ns) {
  return std::any_of(restarts.begin(), restarts.end(), [&](const Restart& r) {
    return r.node == node && r.latest_ns >= from_ns && r.earliest_ns <= to_ns;
  });
}

std::string SecondsText(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ns) / 1e9);
  return text;
}

struct MajorityInput {
  const Observations& seen;
  int64_t nodes = 0;
  int64_t margin_ns = 0;
};

// Nullopt when `lead`'s leader could have had votes from a majority; otherwise why not.
std::optional<std::string> CheckLeadership(const MajorityInput& in, const Sample& lead) {
  const int64_t began = ElectionBegan(in.seen.samples, lead, in.margin_ns);
  std::map<int64_t, const Sample*> proofs;  // node -> its first sample below the term after it
  for (const Sample& s : in.seen.samples) {
    if (!s.is_answered || s.node == lead.node || s.node < 1 || s.node > in.nodes) continue;
    if (proofs.contains(s.node) || s.term >= lead.term) continue;
    if (s.time_ns - in.margin_ns < lead.time_ns) continue;
    if (MayHaveRestarted(in.seen.restarts, s.node, began, s.time_ns)) continue;
    proofs[s.node] = &s;
  }
  const int64_t others = in.nodes - (lead.node <= in.nodes ? 1 : 0);
  const int64_t possible = 1 + others - static_cast<int64_t>(proofs.size());
  if (proofs.empty() || possible * 2 > in.nodes) return std::nullopt;
  std::vector<int64_t> nodes, terms;
  std::vector<std::string> wheres;
  for (const auto& [node, sample] : proofs) {
    nodes.push_back(node);
    terms.push_back(sample->term);
    wheres.push_back(sample->where);
  }
  const bool one_term =
      std::all_of(terms.begin(), terms.end(), [&](int64_t term) { return term == terms.front(); });
  return "node " + std::to_string(lead.node) + " became leader of term " +
         std::to_string(lead.term) + " (sample at " +
         SecondsText(lead.time_ns - in.seen.origin_ns) + " s, " + lead.where + ") but " +
         Nodes(nodes) + (nodes.size() == 1 ? " was" : " were") + " still in term" +
         (one_term ? " " + std::to_string(terms.front()) : "s " + JoinNumbers(terms)) +
         " after it (" + JoinStrings(wheres, ", ") + "): at most " + std::to_string(possible) +
         " of " + std::to_string(in.nodes) + " nodes could have voted for it, not a majority";
}

// Checks the first sample of each (leader, term); the first violation's text, if any.
std::optional<std::string> CheckMajorities(const MajorityInput& in, Json& details) {
  std::set<std::pair<int64_t, int64_t>> checked;  // (leader, term)
  int64_t violations = 0;
  std::optional<std::string> first;
  for (const Sample& s : in.seen.samples) {
    if (!s.is_leader || !checked.insert({s.node, s.term}).second) continue;
    auto violation = CheckLeadership(in, s);
    if (!violation.has_value()) continue;
    ++violations;
    if (!first.has_value()) first = std::move(violation);
  }
  details["leaderships_checked"] = checked.size();
  details["majority_violations"] = violations;
  return first;
}

// Nodes of 1..n that answered no sample and whose log was neither read nor reported.
std::vector<int64_t> SilentNodes(const Observations& seen, const LogsRead& logs, int64_t nodes) {
  std::set<int64_t> answered;
  for (const Sample& s : seen.samples) {
    if (s.is_answered) answered.insert(s.node);
  }
  std::vector<int64_t> silent;
  for (int64_t node = 1; node <= nodes; ++node) {
    if (!answered.contains(node) && !logs.seen_nodes.contains(node) &&
        !logs.reported_nodes.contains(node)) {
      silent.push_back(node);
    }
  }
  return silent;
}

int64_t ClusterSize(const Observations& seen, const std::vector<NodeEventLog>& logs,
                    const ElectionSafetyOptions& options) {
  if (options.nodes > 0) return options.nodes;
  int64_t nodes = seen.highest_node;
  for (const NodeEventLog& log : logs) nodes = std::max<int64_t>(nodes, log.node);
  return nodes;
}

std::string ValidSummary(const Json& details, bool logs_read, bool majority_checked) {
  const int64_t terms = details["terms_with_leader"].get<int64_t>();
  std::string summary =
      "at most one leader in each of " + std::to_string(terms) + " term" + (terms == 1 ? "" : "s") +
      " (" + std::to_string(details["leader_changes"].get<int64_t>()) + " leader changes)";
  if (!logs_read) summary += ", from status samples only";
  if (!majority_checked) return summary + "; majority of votes not checked (status terms may lag)";
  return summary + "; no leader short of a majority (" +
         std::to_string(details["leaderships_checked"].get<int64_t>()) + " checked against " +
         std::to_string(details["nodes"].get<int64_t>()) + " nodes)";
}

}  // namespace

RunCheckResult CheckElectionSafety(const History& history, const std::vector<NodeEventLog>& logs,
                                   const ElectionSafetyOptions& options) {
  Observations seen;
  if (!history.events.empty()) seen.origin_ns = history.events.front().time_ns;
  Json details = {{"missing_logs", Json::array()}, {"log_lines", 0}};
  if (auto error = ReadStatusSamples(history, seen, details)) return UnknownRunCheck(*error);
  if (auto error = ReadKills(history, seen)) return UnknownRunCheck(*error);
  LogsRead read = ReadEventLogs(logs, options.logs_expected, seen.table, details);
  const int64_t nodes = ClusterSize(seen, logs, options);
  details["nodes"] = nodes;

  std::vector<std::string> invalid;
  if (!seen.table.ok()) invalid.push_back(seen.table.first_conflict());
  details["majority_checked"] = options.terms_are_current;
  if (options.terms_are_current) {
    const MajorityInput in{seen, nodes, int64_t{options.sample_margin_ms} * 1'000'000};
    if (auto violation = CheckMajorities(in, details)) invalid.push_back(*violation);
  } else {
    details["leaderships_checked"] = 0;
    details["majority_violations"] = 0;
    details["majority_note"] =
        "not checked: terms_are_current is false (the status term may lag the node's current "
        "term)";
  }
  seen.table.Fill(details);
  if (!invalid.empty()) return {Verdict::kInvalid, JoinStrings(invalid, "; "), std::move(details)};

  const std::vector<int64_t> silent = SilentNodes(seen, read, nodes);
  details["silent_nodes"] = silent;
  std::vector<std::string> problems = std::move(read.problems);
  if (!silent.empty()) {
    problems.push_back(Nodes(silent) + " answered no status sample and left no events.jsonl: " +
                       "cannot see " + Their(silent) + " elections");
  }
  if (details["terms_with_leader"].get<int64_t>() == 0) {
    problems.emplace_back("no node reported being leader in any status sample or event log");
  }
  if (!problems.empty()) return UnknownRunCheck(JoinStrings(problems, "; "), std::move(details));
  const bool logs_read = !read.seen_nodes.empty();
  return {Verdict::kValid, ValidSummary(details, logs_read, options.terms_are_current),
          std::move(details)};
}

}  // namespace checker

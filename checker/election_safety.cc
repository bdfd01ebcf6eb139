#include "checker/election_safety.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Fixed;
using text::Seconds;

constexpr int64_t kBeginning = std::numeric_limits<int64_t>::min();

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

  // Records that `node` led `term`, seen `sightings` times; the first conflict found is kept for
  // the summary.
  void SawLeader(int64_t term, int64_t node, const std::string& where, int64_t sightings = 1) {
    terms_.insert(term);
    auto [it, inserted] = leaders_.try_emplace(term, Sighting{node, where});
    if (inserted || it->second.node == node) return;
    conflicts_ += sightings;
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

// When a killed node may have restarted: between its fault's "healing" (the "end" in histories
// without one) and its "end".
struct Restart {
  int64_t node = 0;
  int64_t earliest_ns = 0;
  int64_t latest_ns = 0;
};

// What the history says, gathered once for both properties.
struct Observations {
  const RunHistory& run;
  LeaderTable table;
  std::vector<Restart> restarts;
  int64_t highest_node = 0;  // in samples, fault targets and cuts, and node logs
};

std::string SampleWhere(const RunHistory& run, const StatusSample& sample) {
  return run.Where(sample.line, sample.index);
}

// The terms and leaders of the status samples.
void ReadSamples(Observations& seen, Json& details) {
  const RunHistory& run = seen.run;
  int64_t unanswered = 0;
  for (const StatusSample& s : run.samples) {
    seen.highest_node = std::max(seen.highest_node, s.node);
    if (s.is_answered) {
      seen.table.SawTerm(s.term);
    } else {
      ++unanswered;
    }
  }
  for (const LeaderTenure& t : run.leader_tenures) {
    const std::string where = SampleWhere(run, run.samples[t.first_sample]) + " status sample";
    seen.table.SawLeader(t.term, t.node, where, t.sample_count);
  }
  details["status_samples"] = run.samples.size();
  details["unanswered_samples"] = unanswered;
}

// The highest node the faults name, and the restart windows of kills.
void ReadFaults(Observations& seen) {
  for (const Fault& fault : seen.run.faults) {
    for (int64_t node : fault.targets) seen.highest_node = std::max(seen.highest_node, node);
    for (auto [from, to] : fault.cut) seen.highest_node = std::max({seen.highest_node, from, to});
    if (!fault.KillsNodes() || !fault.end_ns.has_value()) continue;
    for (int64_t node : fault.targets) {
      seen.restarts.push_back({node, fault.healing_ns.value_or(*fault.end_ns), *fault.end_ns});
    }
  }
}

// What the node logs showed and why some could not be used.
struct LogsRead {
  std::set<int64_t> seen_nodes;      // whose log was read, at least in part
  std::set<int64_t> reported_nodes;  // whose log problem is in `problems`
  std::vector<std::string> problems;
};

// Reads the terms and leaders of every node log in the history, and their problems.
LogsRead ReadNodeLogs(Observations& seen, Json& details) {
  LogsRead out;
  int64_t lines = 0;
  for (const RecordedNodeLog& recorded : seen.run.node_logs) {
    const NodeLog& log = recorded.log;
    const std::string where = seen.run.Where(recorded.line, recorded.index);
    seen.highest_node = std::max<int64_t>(seen.highest_node, log.node);
    for (size_t i = 0; i < log.events.size(); ++i) {
      const NodeEvent& event = log.events[i];
      seen.table.SawTerm(event.term);
      if (event.role == "leader") {
        seen.table.SawLeader(event.term, log.node,
                             "node log event " + std::to_string(i + 1) + " at " + where);
      }
    }
    lines += static_cast<int64_t>(log.events.size());
    if (log.problem.empty() || !log.events.empty()) out.seen_nodes.insert(log.node);
    if (log.problem.empty()) continue;
    out.reported_nodes.insert(log.node);
    out.problems.push_back(log.events.empty()
                               ? "cannot read the node log of node " + std::to_string(log.node) +
                                     " (" + log.problem + "): cannot see its elections"
                               : log.problem);
  }
  details["log_lines"] = lines;
  return out;
}

// With logs expected: the nodes of 1..n without a node log in the history, reported.
void ReportMissingLogs(const RunHistory& run, int64_t nodes, LogsRead& logs, Json& details) {
  std::set<int64_t> logged;
  for (const RecordedNodeLog& recorded : run.node_logs) logged.insert(recorded.log.node);
  std::vector<int64_t> missing;
  for (int64_t node = 1; node <= nodes; ++node) {
    if (!logged.contains(node)) missing.push_back(node);
  }
  details["missing_logs"] = missing;
  if (missing.empty()) return;
  logs.reported_nodes.insert(missing.begin(), missing.end());
  logs.problems.insert(logs.problems.begin(), "no node log from " + Nodes(missing) +
                                                  ": cannot see " + Their(missing) + " elections");
}

// The start of the window in which a voter for sample `lead` may have voted: votes for L in term
// T come after L entered T, so after L's latest earlier sample below T was read.
int64_t ElectionBegan(const std::vector<StatusSample>& samples, const StatusSample& lead,
                      int64_t margin_ns) {
  int64_t began = kBeginning;
  for (const StatusSample& s : samples) {
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

struct MajorityInput {
  const Observations& seen;
  int64_t nodes = 0;
  int64_t margin_ns = 0;
};

// "node 3 became leader of term 5 (...) but nodes 1,2 were still in term 4 after it (...): ...".
std::string MajorityViolation(const MajorityInput& in, const StatusSample& lead,
                              const std::map<int64_t, const StatusSample*>& proofs,
                              int64_t possible) {
  const RunHistory& run = in.seen.run;
  std::vector<int64_t> nodes, terms;
  std::vector<std::string> wheres;
  for (const auto& [node, sample] : proofs) {
    nodes.push_back(node);
    terms.push_back(sample->term);
    wheres.push_back(SampleWhere(run, *sample));
  }
  const bool one_term =
      std::all_of(terms.begin(), terms.end(), [&](int64_t term) { return term == terms.front(); });
  return "node " + std::to_string(lead.node) + " became leader of term " +
         std::to_string(lead.term) + " (sample at " +
         Fixed(Seconds(lead.time_ns - run.origin_ns), 3) + " s, " + SampleWhere(run, lead) +
         ") but " + Nodes(nodes) + (nodes.size() == 1 ? " was" : " were") + " still in term" +
         (one_term ? " " + std::to_string(terms.front()) : "s " + JoinNumbers(terms)) +
         " after it (" + JoinStrings(wheres, ", ") + "): at most " + std::to_string(possible) +
         " of " + std::to_string(in.nodes) + " nodes could have voted for it, not a majority";
}

// Nullopt when `lead`'s leader could have had votes from a majority; otherwise why not.
std::optional<std::string> CheckLeadership(const MajorityInput& in, const StatusSample& lead) {
  const std::vector<StatusSample>& samples = in.seen.run.samples;
  const int64_t began = ElectionBegan(samples, lead, in.margin_ns);
  std::map<int64_t, const StatusSample*> proofs;  // node -> its first sample below the term after
  for (const StatusSample& s : samples) {
    if (!s.is_answered || s.node == lead.node || s.node < 1 || s.node > in.nodes) continue;
    if (proofs.contains(s.node) || s.term >= lead.term) continue;
    if (s.time_ns - in.margin_ns < lead.time_ns) continue;
    if (MayHaveRestarted(in.seen.restarts, s.node, began, s.time_ns)) continue;
    proofs[s.node] = &s;
  }
  const int64_t others = in.nodes - (lead.node <= in.nodes ? 1 : 0);
  const int64_t possible = 1 + others - static_cast<int64_t>(proofs.size());
  if (proofs.empty() || possible * 2 > in.nodes) return std::nullopt;
  return MajorityViolation(in, lead, proofs, possible);
}

// Checks the first sample of each (leader, term); the first violation's text, if any.
std::optional<std::string> CheckMajorities(const MajorityInput& in, Json& details) {
  const RunHistory& run = in.seen.run;
  int64_t violations = 0;
  std::optional<std::string> first;
  for (const LeaderTenure& tenure : run.leader_tenures) {
    auto violation = CheckLeadership(in, run.samples[tenure.first_sample]);
    if (!violation.has_value()) continue;
    ++violations;
    if (!first.has_value()) first = std::move(violation);
  }
  details["leaderships_checked"] = run.leader_tenures.size();
  details["majority_violations"] = violations;
  return first;
}

// Nodes of 1..n that answered no sample and whose log was neither read nor reported.
std::vector<int64_t> SilentNodes(const RunHistory& run, const LogsRead& logs, int64_t nodes) {
  std::set<int64_t> answered;
  for (const StatusSample& s : run.samples) {
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

// The majority-of-votes property, or why it was not checked; the first violation, if any.
std::optional<std::string> CheckVotes(const Observations& seen, int64_t nodes,
                                      const ElectionSafetyOptions& options, Json& details) {
  details["majority_checked"] = options.terms_are_current;
  if (options.terms_are_current) {
    const MajorityInput in{seen, nodes, int64_t{options.sample_margin_ms} * 1'000'000};
    return CheckMajorities(in, details);
  }
  details["leaderships_checked"] = 0;
  details["majority_violations"] = 0;
  details["majority_note"] =
      "not checked: terms_are_current is false (the status term may lag the node's current "
      "term)";
  return std::nullopt;
}

}  // namespace

RunCheckResult CheckElectionSafety(const RunHistory& run, const ElectionSafetyOptions& options) {
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  Observations seen{.run = run};
  Json details = {{"missing_logs", Json::array()}};
  ReadSamples(seen, details);
  ReadFaults(seen);
  LogsRead logs = ReadNodeLogs(seen, details);
  const int64_t nodes = options.nodes > 0 ? options.nodes : seen.highest_node;
  details["nodes"] = nodes;
  if (options.logs_expected) ReportMissingLogs(run, nodes, logs, details);

  std::vector<std::string> invalid;
  if (!seen.table.ok()) invalid.push_back(seen.table.first_conflict());
  if (auto violation = CheckVotes(seen, nodes, options, details)) invalid.push_back(*violation);
  seen.table.Fill(details);
  if (!invalid.empty()) return {Verdict::kInvalid, JoinStrings(invalid, "; "), std::move(details)};

  const std::vector<int64_t> silent = SilentNodes(run, logs, nodes);
  details["silent_nodes"] = silent;
  std::vector<std::string> problems = std::move(logs.problems);
  if (!silent.empty()) {
    problems.push_back(Nodes(silent) + " answered no status sample and left no node log: " +
                       "cannot see " + Their(silent) + " elections");
  }
  if (details["terms_with_leader"].get<int64_t>() == 0) {
    problems.emplace_back("no node reported being leader in any status sample or node log");
  }
  if (!problems.empty()) return UnknownRunCheck(JoinStrings(problems, "; "), std::move(details));
  const bool logs_read = !logs.seen_nodes.empty();
  return {Verdict::kValid, ValidSummary(details, logs_read, options.terms_are_current),
          std::move(details)};
}

}  // namespace checker

#include "checker/convergence_check.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "checker/text_util.h"

namespace checker {
namespace {

using text::Seconds;

// The answered samples convergence compares: each node's latest in the window, by node.
struct ConvergenceWindow {
  std::map<int64_t, const StatusSample*> latest;
  int64_t start_ns = 0;
};

ConvergenceWindow LatestAfterHeal(const std::vector<StatusSample>& samples,
                                  const std::vector<Fault>& faults, int64_t end_ns) {
  int64_t last_end_index = -1;
  for (const Fault& fault : faults) {
    last_end_index = std::max(last_end_index, fault.end_index.value_or(-1));
  }
  ConvergenceWindow window{.start_ns = end_ns - 1'000'000'000};
  for (const StatusSample& s : samples) {
    if (s.index <= last_end_index || s.time_ns < window.start_ns || !s.is_answered) continue;
    window.latest[s.node] = &s;
  }
  return window;
}

std::string NodeValues(const std::map<int64_t, const StatusSample*>& latest) {
  std::string text;
  for (const auto& [node, s] : latest) {
    if (!text.empty()) text += ", ";
    text += "node " + std::to_string(node) + " applied " + std::to_string(*s->applied);
    if (!s->digest.is_null()) text += " digest " + s->digest.dump();
  }
  return text;
}

// "1,2,3"
std::string NodeList(const Json& nodes) {
  std::string text;
  for (const Json& node : nodes) text += (text.empty() ? "" : ",") + node.dump();
  return text;
}

// "3 nodes report applied index 50 and equal digests" for the nodes that answered; with
// `name_nodes`, "nodes 1,2 report ...".
std::string AgreementText(const ConvergenceWindow& window, int64_t applied, bool has_digests,
                          bool name_nodes) {
  const size_t count = window.latest.size();
  std::string who = std::to_string(count) + " node" + (count == 1 ? "" : "s");
  if (name_nodes) {
    Json answered = Json::array();
    for (const auto& [node, sample] : window.latest) answered.push_back(node);
    who = (count == 1 ? "node " : "nodes ") + NodeList(answered);
  }
  return who + (count == 1 ? " reports" : " report") + " applied index " + std::to_string(applied) +
         (has_digests ? " and equal digests" : "");
}

// The faults' error, or nothing when every fault ended (the cluster was healed).
std::optional<std::string> UnhealedFault(const RunHistory& run) {
  for (const Fault& fault : run.faults) {
    if (fault.end_index.has_value()) continue;
    return "fault " + std::to_string(fault.id) + " (" + fault.name + ", " +
           run.LineWhere(fault.line) + ") never ended: the cluster was not healed";
  }
  return std::nullopt;
}

}  // namespace

RunCheckResult CheckConvergence(const RunHistory& run, const ConvergenceOptions& options) {
  if (!run.status.ok()) return UnknownRunCheck(run.status.message());
  if (auto unhealed = UnhealedFault(run)) return UnknownRunCheck(*unhealed);
  const int64_t origin_ns = run.origin_ns;
  const ConvergenceWindow window = LatestAfterHeal(run.samples, run.faults, run.end_ns);
  const int64_t nodes = options.nodes > 0 ? options.nodes : run.nodes;
  Json details = {{"window_start_s", Seconds(window.start_ns - origin_ns)},
                  {"cluster_nodes", nodes},
                  {"nodes", Json::object()},
                  {"not_answering", Json::array()}};
  for (int64_t node = 1; node <= nodes; ++node) {
    if (!window.latest.contains(node)) details["not_answering"].push_back(node);
  }
  if (window.latest.empty()) {
    return UnknownRunCheck(
        "no node answered a status sample in the last second of the history after the last "
        "fault ended",
        std::move(details));
  }
  std::set<int64_t> applied;
  std::set<std::string> digests;
  for (const auto& [node, s] : window.latest) {
    if (!s->applied.has_value()) {
      return UnknownRunCheck(
          run.LineWhere(s->line) + ": status sample without an integer \"applied\"",
          std::move(details));
    }
    applied.insert(*s->applied);
    if (!s->digest.is_null()) digests.insert(s->digest.dump());
    details["nodes"][std::to_string(node)] = {{"applied", *s->applied}, {"digest", s->digest}};
  }
  if (applied.size() > 1 || digests.size() > 1) {
    return {Verdict::kInvalid,
            "replicas differ after the last fault healed: " + NodeValues(window.latest),
            std::move(details)};
  }
  const Json& silent = details["not_answering"];
  const std::string agreement =
      AgreementText(window, *applied.begin(), !digests.empty(), !silent.empty());
  if (!silent.empty()) {
    std::string summary = std::string(silent.size() == 1 ? "node " : "nodes ") + NodeList(silent) +
                          " did not answer a status sample in the last second after heal; " +
                          agreement;
    return UnknownRunCheck(std::move(summary), std::move(details));
  }
  return {Verdict::kValid, agreement + " in the last second after heal", std::move(details)};
}

}  // namespace checker

#include "nemesis/net_rules.h"

#include <charconv>
#include <cstdio>
#include <future>
#include <iostream>
#include <utility>

namespace nemesis {
namespace {

constexpr int kMaxHookCopies = 8;  // bound on removing duplicated hooks

std::string FormatProbability(double p) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), p);
  return ec == std::errc() ? std::string(text, end) : "0";
}

std::vector<std::string> Concat(std::vector<std::string> head,
                                const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::map<int, std::vector<Rule>> ByNode(const std::vector<Rule>& rules) {
  std::map<int, std::vector<Rule>> by_node;
  for (const Rule& rule : rules) by_node[rule.node].push_back(rule);
  return by_node;
}

}  // namespace

std::vector<Rule> CutRules(const Cut& cut, const NodeControl& control) {
  std::vector<Rule> rules;
  for (const Link& link : cut) {
    rules.push_back({.node = link.to, .spec = {"-s", control.NodeIp(link.from), "-j", "DROP"}});
    rules.push_back({.node = link.from, .spec = {"-d", control.NodeIp(link.to), "-j", "DROP"}});
  }
  return rules;
}

common::Result<std::vector<Rule>> LossRules(const std::vector<int>& targets, double probability,
                                            const NodeControl& control) {
  if (!(probability > 0 && probability <= 1)) {
    return common::Status::InvalidArgument("loss: probability " + FormatProbability(probability) +
                                           " is not in (0, 1]");
  }
  std::vector<Rule> rules;
  for (int target : targets) {
    for (int other = 1; other <= control.nodes(); ++other) {
      if (other == target) continue;
      rules.push_back({.node = target,
                       .spec = {"-s", control.NodeIp(other), "-m", "statistic", "--mode", "random",
                                "--probability", FormatProbability(probability), "-j", "DROP"}});
    }
  }
  return rules;
}

std::vector<Rule> ShapeRules(const Cut& cut, int queue, const NodeControl& control) {
  char mark[32];
  std::snprintf(mark, sizeof mark, "0x%x/0x%x", kShapedMark, kShapedMark);
  std::vector<Rule> rules;
  for (const Link& link : cut) {
    rules.push_back(
        {.node = link.from,
         .spec = {"-d", control.NodeIp(link.to), "-m", "mark", "!", "--mark", mark, "-j", "NFQUEUE",
                  "--queue-num", std::to_string(queue), "--queue-bypass"}});
  }
  return rules;
}

std::vector<std::string> IptablesArgv(const std::string& action, const Rule& rule) {
  return Concat({"iptables", "-w", "5", action, kChain}, rule.spec);
}

std::string RestoreInput(const std::string& action, const std::vector<Rule>& rules) {
  std::string text = "*filter\n";
  for (const Rule& rule : rules) {
    text += action + " " + kChain;
    for (const std::string& word : rule.spec) text += " " + word;
    text += "\n";
  }
  return text + "COMMIT\n";
}

NetRules::~NetRules() {
  common::Status healed = HealAll();
  if (!healed.ok()) std::cerr << "nemesis: heal network rules: " << healed.message() << "\n";
}

common::Status NetRules::Iptables(int node, const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(std::string path, control_.NetnsPath(node));
  auto ran = RunChecked(runner_, Concat({"nsenter", "--net=" + path, "iptables", "-w", "5"}, args));
  if (!ran.ok()) return ran.status().WithContext("node " + std::to_string(node));
  return common::Status::Ok();
}

common::Status NetRules::Restore(int node, const std::string& action,
                                 const std::vector<Rule>& rules) {
  for (const Rule& rule : rules) {
    for (const std::string& word : rule.spec) {
      // One rule per line, words split at blanks: a word with a blank would change the rule.
      if (word.empty() || word.find_first_of(" \t\n\"'") != std::string::npos) {
        return common::Status::InvalidArgument(
            "a rule word is empty or holds a blank or quote: \"" + word + "\"");
      }
    }
  }
  ASSIGN_OR_RETURN(std::string path, control_.NetnsPath(node));
  auto ran =
      RunChecked(runner_, {"nsenter", "--net=" + path, "iptables-restore", "--noflush", "-w", "5"},
                 RestoreInput(action, rules));
  if (!ran.ok()) return ran.status().WithContext("node " + std::to_string(node));
  return common::Status::Ok();
}

common::Result<bool> NetRules::Succeeds(int node, const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(std::string path, control_.NetnsPath(node));
  ASSIGN_OR_RETURN(CommandOutput out,
                   runner_.Run(Concat({"nsenter", "--net=" + path, "iptables", "-w", "5"}, args)));
  return out.exit_code == 0;
}

common::Status NetRules::EnsureChain(int node) {
  if (chained_.contains(node)) return common::Status::Ok();
  touched_.insert(node);
  ASSIGN_OR_RETURN(bool exists, Succeeds(node, {"-S", kChain}));
  if (!exists) RETURN_IF_ERROR(Iptables(node, {"-N", kChain}));
  for (const char* hook : {"INPUT", "OUTPUT"}) {
    ASSIGN_OR_RETURN(bool hooked, Succeeds(node, {"-C", hook, "-j", kChain}));
    if (!hooked) RETURN_IF_ERROR(Iptables(node, {"-I", hook, "1", "-j", kChain}));
  }
  chained_.insert(node);
  return common::Status::Ok();
}

common::Status NetRules::RemoveChain(int node) {
  chained_.erase(node);
  ASSIGN_OR_RETURN(bool exists, Succeeds(node, {"-S", kChain}));
  if (!exists) return common::Status::Ok();
  RETURN_IF_ERROR(Iptables(node, {"-F", kChain}));
  for (const char* hook : {"INPUT", "OUTPUT"}) {
    for (int copy = 0; copy < kMaxHookCopies; ++copy) {
      ASSIGN_OR_RETURN(bool hooked, Succeeds(node, {"-C", hook, "-j", kChain}));
      if (!hooked) break;
      RETURN_IF_ERROR(Iptables(node, {"-D", hook, "-j", kChain}));
    }
  }
  return Iptables(node, {"-X", kChain});
}

common::Status NetRules::Prepare(const std::vector<int>& nodes) {
  common::MutexLock lock(mutex_);
  for (int node : nodes) RETURN_IF_ERROR(EnsureChain(node));
  return common::Status::Ok();
}

common::Result<int> NetRules::Apply(const std::vector<Rule>& rules) {
  common::MutexLock lock(mutex_);
  const std::map<int, std::vector<Rule>> by_node = ByNode(rules);
  for (const auto& [node, node_rules] : by_node) RETURN_IF_ERROR(EnsureChain(node));
  // One iptables-restore per node, its rules in together or not at all, and every node's at
  // once: the fault is in force when the slowest node's batch is in, not the sum of them all.
  std::map<int, std::future<common::Status>> batches;
  for (const auto& entry : by_node) {
    const int node = entry.first;
    const std::vector<Rule>& node_rules = entry.second;
    batches.emplace(node, std::async(std::launch::async, [this, node, &node_rules] {
                      return Restore(node, "-A", node_rules);
                    }));
  }
  common::Status first;
  std::vector<int> done;
  for (auto& [node, batch] : batches) {
    common::Status status = batch.get();
    if (status.ok()) {
      done.push_back(node);
    } else if (first.ok()) {
      first = status;
    }
  }
  if (!first.ok()) {
    for (int undo : done) {
      common::Status undone = Restore(undo, "-D", by_node.at(undo));
      if (!undone.ok()) std::cerr << "nemesis: undo rules: " << undone.message() << "\n";
    }
    return first;
  }
  const int id = next_id_++;
  sets_[id] = rules;
  return id;
}

common::Result<std::vector<Rule>> NetRules::Missing(const std::vector<Rule>& rules) {
  common::MutexLock lock(mutex_);
  std::vector<Rule> missing;
  for (const Rule& rule : rules) {
    ASSIGN_OR_RETURN(bool present, Succeeds(rule.node, Concat({"-C", kChain}, rule.spec)));
    if (!present) missing.push_back(rule);
  }
  return missing;
}

common::Status NetRules::Remove(int id) {
  common::MutexLock lock(mutex_);
  auto found = sets_.find(id);
  if (found == sets_.end()) {
    return common::Status::NotFound("network rule set " + std::to_string(id) + " is not active");
  }
  const std::vector<Rule> rules = std::move(found->second);
  sets_.erase(found);
  common::Status first;
  for (const auto& [node, node_rules] : ByNode(rules)) {
    if (!control_.NetnsPath(node).ok()) continue;  // the namespace and its rules are gone
    common::Status status = Restore(node, "-D", node_rules);
    if (first.ok()) first = status;
  }
  return first;
}

common::Status NetRules::Reapply(int node) {
  common::MutexLock lock(mutex_);
  chained_.erase(node);
  const std::vector<Rule> rules = ActiveOn(node);
  if (rules.empty()) return common::Status::Ok();
  RETURN_IF_ERROR(EnsureChain(node));
  RETURN_IF_ERROR(Iptables(node, {"-F", kChain}));
  return Restore(node, "-A", rules);
}

common::Status NetRules::HealAll() {
  common::MutexLock lock(mutex_);
  sets_.clear();
  common::Status first;
  for (auto it = touched_.begin(); it != touched_.end();) {
    const int node = *it;
    common::Status status = control_.NetnsPath(node).ok() ? RemoveChain(node) : common::Status();
    if (status.ok()) {
      it = touched_.erase(it);
    } else {
      ++it;  // kept, so a later HealAll tries again
      if (first.ok()) first = status;
    }
  }
  return first;
}

std::vector<Rule> NetRules::ActiveOn(int node) const {
  std::vector<Rule> rules;
  for (const auto& [id, set] : sets_) {
    for (const Rule& rule : set) {
      if (rule.node == node) rules.push_back(rule);
    }
  }
  return rules;
}

std::vector<Rule> NetRules::active() const {
  common::MutexLock lock(mutex_);
  std::vector<Rule> rules;
  for (const auto& [id, set] : sets_) rules.insert(rules.end(), set.begin(), set.end());
  return rules;
}

}  // namespace nemesis

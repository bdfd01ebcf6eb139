// Test doubles for the nemesis: FakeNodeControl records what was done to which node and
// FakeIptables imitates iptables in each namespace (a chain, its hooks, its rules), so tests
// assert exact argv lists and the state they leave. For tests only; not thread-safe beyond
// the one mutex each holds.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nemesis/command_runner.h"
#include "nemesis/node_control.h"

namespace nemesis::testing {

// iptables state per namespace path; understands exactly the commands NetRules runs.
class FakeIptables : public CommandRunner {
 public:
  struct Netns {
    bool has_chain = false;
    std::map<std::string, int> hooks;  // "INPUT"/"OUTPUT" -> copies of "-j SPLITBRAIN"
    std::vector<std::vector<std::string>> rules;
  };

  common::Result<CommandOutput> Run(const std::vector<std::string>& argv) override {
    std::lock_guard lock(mutex_);
    calls.push_back(argv);
    if (argv == fail_on) return CommandOutput{.exit_code = 4, .output = "injected failure"};
    // nsenter --net=PATH iptables -w 5 ACTION ...
    if (argv.size() < 6 || argv[0] != "nsenter" || argv[2] != "iptables") {
      return CommandOutput{.exit_code = 2, .output = "fake: unexpected command"};
    }
    Netns& ns = netns[argv[1].substr(6)];
    const std::vector<std::string> args(argv.begin() + 5, argv.end());
    return CommandOutput{.exit_code = Apply(ns, args) ? 0 : 1};
  }

  void Reset(const std::string& path) {
    std::lock_guard lock(mutex_);
    netns.erase(path);
  }

  // The -A (or -D) commands run, without the nsenter prefix: {"PATH", "-A", spec...}.
  std::vector<std::vector<std::string>> Actions(const std::string& action) const {
    std::lock_guard lock(mutex_);
    std::vector<std::vector<std::string>> found;
    for (const auto& argv : calls) {
      if (argv.size() > 6 && argv[5] == action && argv[6] == "SPLITBRAIN") {
        std::vector<std::string> entry{argv[1].substr(6)};
        entry.insert(entry.end(), argv.begin() + 7, argv.end());
        found.push_back(entry);
      }
    }
    return found;
  }

  std::vector<std::vector<std::string>> calls;
  std::map<std::string, Netns> netns;
  std::vector<std::string> fail_on;  // this exact argv exits 4

 private:
  static bool Apply(Netns& ns, const std::vector<std::string>& a) {
    const std::string& op = a[0];
    const bool is_hook = a.size() >= 3 && a[1] != "SPLITBRAIN";
    if (op == "-S") return ns.has_chain;
    if (op == "-N") return !ns.has_chain && (ns.has_chain = true);
    if (op == "-X")
      return ns.has_chain && ns.rules.empty() && ns.hooks["INPUT"] == 0 &&
             ns.hooks["OUTPUT"] == 0 && !(ns.has_chain = false);
    if (op == "-F") return ns.has_chain && (ns.rules.clear(), true);
    if (is_hook && op == "-C") return ns.hooks[a[1]] > 0;
    if (is_hook && op == "-I") return ns.has_chain && ++ns.hooks[a[1]] > 0;
    if (is_hook && op == "-D") return ns.hooks[a[1]] > 0 && --ns.hooks[a[1]] >= 0;
    const std::vector<std::string> spec(a.begin() + 2, a.end());
    if (op == "-A") return ns.has_chain && (ns.rules.push_back(spec), true);
    if (op == "-D") {
      auto found = std::find(ns.rules.begin(), ns.rules.end(), spec);
      if (found == ns.rules.end()) return false;
      ns.rules.erase(found);
      return true;
    }
    return false;
  }

  mutable std::mutex mutex_;
};

class FakeNodeControl : public NodeControl {
 public:
  explicit FakeNodeControl(int n, FakeIptables* iptables = nullptr) : n_(n), iptables_(iptables) {}

  int nodes() const override { return n_; }
  common::Status Kill(int node) override { return Do("kill", node); }
  common::Status Start(int node) override { return Do("start", node); }
  common::Status Pause(int node) override { return Do("pause", node); }
  common::Status Resume(int node) override { return Do("resume", node); }
  // Recorded as "clock N OFFSET" with OFFSET in whole milliseconds; "clock N" fails it.
  common::Status SetClockOffset(int node, double offset_s) override {
    RETURN_IF_ERROR(Do("clock", node));
    std::lock_guard lock(mutex_);
    calls_.back() += " " + std::to_string(std::llround(offset_s * 1000));
    return common::Status::Ok();
  }
  common::Result<std::string> NetnsPath(int node) override { return Path(node); }
  std::string NodeIp(int node) const override { return "10.0.0." + std::to_string(10 + node); }
  int CurrentLeader() override { return leader; }
  uint64_t CurrentTerm() override { return term; }

  static std::string Path(int node) { return "/ns/" + std::to_string(node); }

  std::vector<std::string> TakeCalls() {
    std::lock_guard lock(mutex_);
    return std::exchange(calls_, {});
  }

  int leader = 0;
  uint64_t term = 0;
  std::set<std::string> fail;        // "kill 3" makes Kill(3) fail
  bool reset_netns_on_kill = false;  // as a container: a restarted node has no rules

 private:
  common::Status Do(const std::string& action, int node) {
    std::lock_guard lock(mutex_);
    const std::string call = action + " " + std::to_string(node);
    calls_.push_back(call);
    if (fail.contains(call)) return common::Status::Unavailable(call + ": injected failure");
    if (action == "kill" && reset_netns_on_kill && iptables_ != nullptr)
      iptables_->Reset(Path(node));
    return common::Status::Ok();
  }

  const int n_;
  FakeIptables* iptables_;
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

}  // namespace nemesis::testing

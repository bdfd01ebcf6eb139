// Test doubles for the nemesis: FakeNodeControl records what was done to which node and
// FakeIptables imitates iptables in each namespace (a chain, its hooks, its rules), so tests
// assert exact argv lists and the state they leave. For tests only; not thread-safe beyond
// the one mutex each holds.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
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

  using CommandRunner::Run;
  common::Result<CommandOutput> Run(const std::vector<std::string>& argv,
                                    const std::string& input) override {
    std::lock_guard lock(mutex_);
    calls.push_back(argv);
    inputs.push_back(input);
    if (argv == fail_on || (!input.empty() && input == fail_on_input)) {
      return CommandOutput{.exit_code = 4, .output = "injected failure"};
    }
    // nsenter --net=PATH iptables-restore --noflush -w 5, the rules on stdin: all or nothing.
    if (argv.size() == 6 && argv[0] == "nsenter" && argv[2] == "iptables-restore") {
      Netns& ns = netns[argv[1].substr(6)];
      Netns after = ns;
      for (const std::vector<std::string>& args : RestoreLines(input)) {
        if (!Apply(after, args)) return CommandOutput{.exit_code = 1, .output = "fake: bad rule"};
      }
      ns = std::move(after);
      return CommandOutput{.exit_code = 0};
    }
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

  // The -A (or -D) rule changes made, by iptables or in an iptables-restore batch, in order:
  // {"PATH", spec...}.
  std::vector<std::vector<std::string>> Actions(const std::string& action) const {
    std::lock_guard lock(mutex_);
    std::vector<std::vector<std::string>> found;
    for (size_t i = 0; i < calls.size(); ++i) {
      const auto& argv = calls[i];
      if (argv.size() > 6 && argv[5] == action && argv[6] == "SPLITBRAIN") {
        std::vector<std::string> entry{argv[1].substr(6)};
        entry.insert(entry.end(), argv.begin() + 7, argv.end());
        found.push_back(entry);
      }
      if (argv.size() < 3 || argv[2] != "iptables-restore") continue;
      for (const std::vector<std::string>& line : RestoreLines(inputs[i])) {
        if (line.size() < 2 || line[0] != action || line[1] != "SPLITBRAIN") continue;
        std::vector<std::string> entry{argv[1].substr(6)};
        entry.insert(entry.end(), line.begin() + 2, line.end());
        found.push_back(entry);
      }
    }
    return found;
  }

  // Whether node `from` (its namespace path) may send to `ip`, and `to_path` receive from
  // `from_ip`, under the DROP rules now in place.
  bool Passes(const std::string& from_path, const std::string& from_ip, const std::string& to_path,
              const std::string& to_ip) const {
    std::lock_guard lock(mutex_);
    auto drops = [this](const std::string& path, const std::string& flag, const std::string& ip) {
      auto found = netns.find(path);
      if (found == netns.end()) return false;
      const Netns& ns = found->second;
      auto hooked = [&ns](const char* hook) {
        auto it = ns.hooks.find(hook);
        return it != ns.hooks.end() && it->second > 0;
      };
      if (!hooked(flag == "-d" ? "OUTPUT" : "INPUT")) return false;
      for (const auto& rule : ns.rules) {
        if (rule.size() >= 2 && rule[0] == flag && rule[1] == ip && rule.back() == "DROP")
          return true;
      }
      return false;
    };
    return !drops(from_path, "-d", to_ip) && !drops(to_path, "-s", from_ip);
  }

  // Whether `path`'s hooked chain sends what it sends to `to_ip` to NFQUEUE queue `queue`.
  bool Queues(const std::string& path, const std::string& to_ip, int queue) const {
    std::lock_guard lock(mutex_);
    auto found = netns.find(path);
    if (found == netns.end() || !found->second.hooks.contains("OUTPUT")) return false;
    for (const auto& rule : found->second.rules) {
      auto num = std::find(rule.begin(), rule.end(), "--queue-num");
      if (rule.size() >= 2 && rule[0] == "-d" && rule[1] == to_ip && num != rule.end() &&
          num + 1 != rule.end() && *(num + 1) == std::to_string(queue)) {
        return true;
      }
    }
    return false;
  }

  std::vector<std::vector<std::string>> calls;
  std::vector<std::string> inputs;  // stdin of each call ("" for none)
  std::string fail_on_input;        // a batch with exactly this input exits 4
  std::map<std::string, Netns> netns;
  std::vector<std::string> fail_on;  // this exact argv exits 4

 private:
  // The command lines of an iptables-restore input, split at blanks, without *filter / COMMIT.
  static std::vector<std::vector<std::string>> RestoreLines(const std::string& input) {
    std::vector<std::vector<std::string>> lines;
    size_t at = 0;
    while (at < input.size()) {
      size_t end = input.find('\n', at);
      if (end == std::string::npos) end = input.size();
      const std::string line = input.substr(at, end - at);
      at = end + 1;
      if (line.empty() || line == "*filter" || line == "COMMIT") continue;
      std::vector<std::string> words;
      size_t w = 0;
      while (w < line.size()) {
        size_t space = line.find(' ', w);
        if (space == std::string::npos) space = line.size();
        if (space > w) words.push_back(line.substr(w, space - w));
        w = space + 1;
      }
      lines.push_back(std::move(words));
    }
    return lines;
  }

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
    if (op == "-C") return std::find(ns.rules.begin(), ns.rules.end(), spec) != ns.rules.end();
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
  // Recorded as "rate N RATE" with RATE in thousandths; "rate N" fails it.
  common::Status SetClockRate(int node, double rate) override {
    RETURN_IF_ERROR(Do("rate", node));
    std::lock_guard lock(mutex_);
    calls_.back() += " " + std::to_string(std::llround(rate * 1000));
    return common::Status::Ok();
  }
  // Recorded as "disk N eio=... fsync_delay_ms=... full=..." (see DiskText); "disk N" fails it.
  common::Status SetDiskFaults(int node, const DiskFaults& faults) override {
    RETURN_IF_ERROR(Do("disk", node));
    std::lock_guard lock(mutex_);
    calls_.back() += " " + DiskText(faults);
    disks_[node] = faults;
    return common::Status::Ok();
  }
  // Recorded as "drop N"; "drop N" in `fail` fails it.
  common::Result<int> DropUnsyncedWrites(int node) override {
    RETURN_IF_ERROR(Do("drop", node));
    return 1;
  }
  // What a disk with the faults last set would show; nothing for a `stuck` node.
  common::Result<DiskProbe> ProbeDisk(int node) override {
    std::lock_guard lock(mutex_);
    const DiskFaults faults = stuck.contains(node) ? DiskFaults{} : disks_[node];
    DiskProbe probe;
    probe.write_errno = faults.eio.contains(DiskOp::kWrite) ? EIO : faults.full ? ENOSPC : 0;
    if (probe.write_errno != 0) return probe;
    probe.fsync_errno = faults.eio.contains(DiskOp::kFsync) ? EIO : 0;
    probe.fsync_time = faults.fsync_delay;
    probe.read_errno = faults.eio.contains(DiskOp::kRead) ? EIO : 0;
    return probe;
  }
  static std::string DiskText(const DiskFaults& faults) {
    std::string eio;
    for (DiskOp op : faults.eio) eio += (eio.empty() ? "" : ",") + std::string(DiskOpName(op));
    return "eio=" + (eio.empty() ? std::string("-") : eio) +
           " fsync_delay_ms=" + std::to_string(faults.fsync_delay.count()) +
           " full=" + (faults.full ? "1" : "0");
  }
  common::Result<std::string> NetnsPath(int node) override { return Path(node); }
  std::string NodeIp(int node) const override { return "10.0.0." + std::to_string(10 + node); }
  // Stopped while killed, paused while paused (as a backend would tell), unless `stuck` names
  // the node (its process ignored the fault).
  common::Result<NodeRunState> RunState(int node) override {
    std::lock_guard lock(mutex_);
    if (stuck.contains(node)) return NodeRunState::kRunning;
    if (down_.contains(node)) return NodeRunState::kStopped;
    if (frozen_.contains(node)) return NodeRunState::kPaused;
    return NodeRunState::kRunning;
  }
  // Through the fake iptables' DROP rules; every link passes without one. `leaky` makes every
  // connection pass (rules that do not work).
  common::Result<bool> CanConnect(int from, int to) override {
    {
      std::lock_guard lock(mutex_);
      probes_.emplace_back(from, to);
    }
    if (leaky || iptables_ == nullptr) return true;
    return iptables_->Passes(Path(from), NodeIp(from), Path(to), NodeIp(to));
  }
  // Recorded as "shape N Q" and "unshape N Q"; "shape N" fails it. A holder runs from its
  // start to its stop unless `dead_holders` names its node.
  common::Status StartShaper(int node, int queue, const Shape& shape, uint64_t /*seed*/) override {
    RETURN_IF_ERROR(Do("shape", node));
    std::lock_guard lock(mutex_);
    calls_.back() += " " + std::to_string(queue);
    shapers_[{node, queue}] = shape;
    return common::Status::Ok();
  }
  common::Status StopShaper(int node, int queue) override {
    std::lock_guard lock(mutex_);
    calls_.push_back("unshape " + std::to_string(node) + " " + std::to_string(queue));
    shapers_.erase({node, queue});
    return common::Status::Ok();
  }
  bool ShaperRunning(int node, int queue) override {
    std::lock_guard lock(mutex_);
    return shapers_.contains({node, queue}) && !dead_holders.contains(node);
  }
  // As CanConnect, taking `connect_ms` plus the delay of every holder on `from` whose rule is
  // in its chain (unless `dead_holders` names it): a holder without its rule delays nothing.
  common::Result<std::optional<double>> ConnectMs(int from, int to,
                                                  std::chrono::milliseconds /*timeout*/) override {
    ASSIGN_OR_RETURN(const bool reached, CanConnect(from, to));
    if (!reached) return std::optional<double>();
    std::lock_guard lock(mutex_);
    double took = connect_ms;
    for (const auto& [key, shape] : shapers_) {
      const bool queued =
          iptables_ == nullptr || iptables_->Queues(Path(from), NodeIp(to), key.second);
      if (key.first == from && queued && !dead_holders.contains(from)) took += shape.delay_ms;
    }
    return std::optional<double>(took);
  }
  int CurrentLeader() override { return leader; }
  uint64_t CurrentTerm() override { return term; }

  // Membership: voters start as id i on node i; AddMember gives ids n+1, n+2, ... Recorded as
  // "remove-member ID", "wipe N", "add-member N" (each fails when in `fail`). With
  // `ignore_membership` the calls succeed but change nothing (a database that ignored them).
  common::Result<std::vector<Member>> Members() override {
    std::lock_guard lock(mutex_);
    InitMembers();
    std::vector<Member> out;
    for (const auto& [id, node] : members_) out.push_back({.id = id, .node = node});
    return out;
  }
  common::Status RemoveMember(uint64_t id) override {
    RETURN_IF_ERROR(Do("remove-member", static_cast<int>(id)));
    std::lock_guard lock(mutex_);
    InitMembers();
    if (members_.count(id) == 0) return common::Status::NotFound("member not found");
    if (!ignore_membership) members_.erase(id);
    return common::Status::Ok();
  }
  common::Status Wipe(int node) override {
    RETURN_IF_ERROR(Do("wipe", node));
    std::lock_guard lock(mutex_);
    down_.insert(node);
    return common::Status::Ok();
  }
  common::Result<uint64_t> AddMember(int node) override {
    RETURN_IF_ERROR(Do("add-member", node));
    std::lock_guard lock(mutex_);
    InitMembers();
    const uint64_t id = next_member_id_++;
    if (!ignore_membership) members_[id] = node;
    return id;
  }

  std::vector<std::pair<int, int>> TakeProbes() {
    std::lock_guard lock(mutex_);
    return std::exchange(probes_, {});
  }

  static std::string Path(int node) { return "/ns/" + std::to_string(node); }

  std::vector<std::string> TakeCalls() {
    std::lock_guard lock(mutex_);
    return std::exchange(calls_, {});
  }

  int leader = 0;
  uint64_t term = 0;
  std::set<std::string> fail;        // "kill 3" makes Kill(3) fail
  bool reset_netns_on_kill = false;  // as a container: a restarted node has no rules
  std::set<int> stuck;               // nodes a kill or pause does not affect
  bool leaky = false;                // every probe connects
  std::set<int> dead_holders;        // nodes whose packet holders do not run
  double connect_ms = 0.2;           // a connect's time without shaping
  bool ignore_membership = false;    // membership calls succeed and change nothing

 private:
  common::Status Do(const std::string& action, int node) {
    std::lock_guard lock(mutex_);
    const std::string call = action + " " + std::to_string(node);
    calls_.push_back(call);
    if (fail.contains(call)) return common::Status::Unavailable(call + ": injected failure");
    if (action == "kill" && reset_netns_on_kill && iptables_ != nullptr)
      iptables_->Reset(Path(node));
    if (action == "kill") down_.insert(node);
    if (action == "start") down_.erase(node);
    if (action == "pause") frozen_.insert(node);
    if (action == "resume") frozen_.erase(node);
    return common::Status::Ok();
  }

  const int n_;
  FakeIptables* iptables_;
  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::vector<std::pair<int, int>> probes_;
  std::set<int> down_;
  std::set<int> frozen_;
  std::map<std::pair<int, int>, Shape> shapers_;  // (node, queue) -> shape
  std::map<int, DiskFaults> disks_;
  std::map<uint64_t, int> members_;  // member id -> node
  uint64_t next_member_id_ = 0;

  void InitMembers() {
    if (next_member_id_ != 0) return;
    for (int node = 1; node <= n_; ++node) members_[static_cast<uint64_t>(node)] = node;
    next_member_id_ = static_cast<uint64_t>(n_) + 1;
  }
};

}  // namespace nemesis::testing

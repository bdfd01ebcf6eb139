// NetRules: applies network faults (cuts and packet loss) as iptables rules inside the nodes'
// network namespaces, and removes exactly what it added.
//
// Layout, in each node's namespace (never the host's):
//   chain SPLITBRAIN (filter table), hooked by `-I INPUT 1 -j SPLITBRAIN` and
//   `-I OUTPUT 1 -j SPLITBRAIN`; every fault rule is appended to it.
//   cut a -> b    at b: `-A SPLITBRAIN -s ip(a) -j DROP`  (only INPUT sees source ip(a) at b)
//                 at a: `-A SPLITBRAIN -d ip(b) -j DROP`  (only OUTPUT sees dest ip(b) at a)
//   shape a -> b  at a: `-A SPLITBRAIN -d ip(b) -m mark ! --mark M/M -j NFQUEUE --queue-num Q
//                 --queue-bypass` (the packet holder of queue Q releases packets with mark M)
//   loss p at t   at t, for each other node j:
//                 `-A SPLITBRAIN -s ip(j) -m statistic --mode random --probability p -j DROP`
// Only node addresses are ever matched, so the host's clients and status poller always get
// through. Every command is an argument vector run through `nsenter --net=PATH`: `iptables -w 5
// ...` to set up and remove the chain, and one `iptables-restore --noflush -w 5` per node for
// the rules of a fault, all nodes' batches at once (its input: `*filter`, one `-A SPLITBRAIN ...`
// or `-D SPLITBRAIN ...` line per rule, `COMMIT`), so each node's share of a fault goes in, or out,
// at once: the kernel swaps the table in one transaction, and a rule that cannot be added leaves
// none of that node's batch behind.
//
// Each Apply is recorded as a rule set; Remove(id) deletes (-D) exactly its rules, so two faults
// that added the same rule each remove one copy. Reapply(node) rebuilds a node's chain from the
// active sets: a container's namespace is new after a restart and has lost every rule.
// HealAll flushes and deletes the chain and its hooks on every node it touched.
//
// Thread-safe (one mutex). Apply, Remove, Reapply and HealAll call NodeControl::NetnsPath and
// NodeIp, never Start or Kill, so NodeControl::Start may call Reapply.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "nemesis/command_runner.h"
#include "nemesis/node_control.h"
#include "nemesis/partition.h"

namespace nemesis {

inline constexpr char kChain[] = "SPLITBRAIN";

// One rule in one node's SPLITBRAIN chain: the match and target after `-A SPLITBRAIN`.
struct Rule {
  int node = 0;
  std::vector<std::string> spec;  // e.g. {"-s", "10.0.0.11", "-j", "DROP"}
  bool operator==(const Rule&) const = default;
};

// The rules that make `cut`, in a fixed order (by link, the receiver's rule first).
std::vector<Rule> CutRules(const Cut& cut, const NodeControl& control);

// Rules dropping a fraction `probability` (0 < p <= 1) of the packets each node of `targets`
// receives from the other nodes of the cluster.
common::Result<std::vector<Rule>> LossRules(const std::vector<int>& targets, double probability,
                                            const NodeControl& control);

// Rules sending what each link's sender sends over it to NFQUEUE queue `queue` (the packet
// holder of a shaping fault), at the sender, for packets without kShapedMark; with
// --queue-bypass, so packets pass while no holder listens.
std::vector<Rule> ShapeRules(const Cut& cut, int queue, const NodeControl& control);

// The iptables argv (without nsenter) for `action` ("-A" or "-D") of `rule`.
std::vector<std::string> IptablesArgv(const std::string& action, const Rule& rule);

// The iptables-restore input that does `action` ("-A" or "-D") to every rule, in order.
std::string RestoreInput(const std::string& action, const std::vector<Rule>& rules);

class NetRules {
 public:
  // Both references must outlive this object.
  NetRules(NodeControl& control, CommandRunner& runner) : control_(control), runner_(runner) {}
  NetRules(const NetRules&) = delete;
  NetRules& operator=(const NetRules&) = delete;
  ~NetRules();  // HealAll; a failure is logged

  // Puts the (empty) chain and its hooks in place on `nodes`, so that a later Apply touching
  // them is one process per node; an empty chain changes no traffic. Apply does it too.
  common::Status Prepare(const std::vector<int>& nodes);
  // Adds `rules` as one iptables-restore batch per node (the nodes' batches concurrently) and
  // records them as one set; when a batch fails, takes out the batches that went in.
  common::Result<int> Apply(const std::vector<Rule>& rules);
  // The rules of `rules` that are not in their node's chain now (`iptables -C`): what a fault
  // that should be in force lacks.
  common::Result<std::vector<Rule>> Missing(const std::vector<Rule>& rules);
  // Deletes exactly the rules of set `id` and forgets it; NotFound for an unknown id. A node
  // whose namespace is gone (a container that is down) has no rules left to delete.
  common::Status Remove(int id);
  // Rebuilds `node`'s chain from the active sets (flush, then append); a no-op when the node
  // has no active rule and no chain of ours.
  common::Status Reapply(int node);
  // Removes the chain, its hooks and every rule from every node touched; forgets all sets.
  common::Status HealAll();

  std::vector<Rule> active() const;

 private:
  common::Status Iptables(int node, const std::vector<std::string>& args);
  common::Status Restore(int node, const std::string& action, const std::vector<Rule>& rules);
  common::Result<bool> Succeeds(int node, const std::vector<std::string>& args);
  common::Status EnsureChain(int node) REQUIRES(mutex_);
  common::Status RemoveChain(int node) REQUIRES(mutex_);
  std::vector<Rule> ActiveOn(int node) const REQUIRES(mutex_);

  NodeControl& control_;
  CommandRunner& runner_;
  mutable common::Mutex mutex_;
  std::map<int, std::vector<Rule>> sets_ GUARDED_BY(mutex_);  // by id
  // Nodes whose chain and hooks are in place.
  std::set<int> chained_ GUARDED_BY(mutex_);
  // Nodes that ever got a chain, for HealAll.
  std::set<int> touched_ GUARDED_BY(mutex_);
  int next_id_ GUARDED_BY(mutex_) = 1;
};

}  // namespace nemesis

// Conformance of a database's client to the protocol (docs/client-protocol.md), checked against
// a running cluster: each rule is one small exchange whose answer is known. Used by
// `splitbrain conformance`; works for any Db (the built-in adapters too).
#pragma once

#include <string>
#include <vector>

#include "workloads/db.h"

namespace orchestrator {

struct ConformanceRule {
  std::string rule;  // "write, then read the value back"
  bool passed = false;
  std::string detail;  // what was seen when it failed
};

// Runs every rule with fresh keys (prefixed by `key_prefix`) through clients of `db`.
std::vector<ConformanceRule> CheckConformance(const workloads::Db& db,
                                              const std::vector<std::string>& endpoints,
                                              const std::string& key_prefix);

}  // namespace orchestrator

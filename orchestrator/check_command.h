// `splitbrain check`: reads histories in any supported format, checks each for linearizability
// against a model, and prints a human summary or JSON (--json).
//
//   splitbrain check [--format auto|jsonl|jepsen-edn|porcupine-etcd|porcupine-kv]
//                    [--model register|cas-register|kv|multi-register|mutex] [--initial JSON]
//                    [--no-partition] [--time-limit S] [--memory-limit MB] [--json] FILE...
//
// Exit codes (DESIGN.md): 0 every file valid, 1 some file invalid, 2 none invalid but some
// unknown, 254 bad arguments or unreadable/malformed input (after checking the other files).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;
inline constexpr int kExitRunFailed = 3;
inline constexpr int kExitBadInput = 254;

// Runs the command on `args` (the words after "check"); writes results to `out` and errors to
// `err`. Returns the exit code.
int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string CheckUsage();

}  // namespace orchestrator

// `splitbrain check`: reads histories in any supported format, checks each for linearizability
// against a model, and prints a human summary or JSON (--json).
//
//   splitbrain check [--format auto|jsonl|jepsen-edn|porcupine-etcd|porcupine-kv]
//                    [--model register|cas-register|kv|multi-register|mutex] [--initial JSON]
//                    [--no-partition] [--time-limit S] [--memory-limit MB] [--json] FILE...
//
// Exit codes (DESIGN.md). Every file is checked, even after one could not be read; with several
// files the first that applies, in this order, is the exit code:
//   1    some file is invalid: a history proven wrong is the answer, even when another file
//        could not be read or parsed (that file is still named on stderr and in --json);
//   254  bad arguments, or some file could not be read or parsed (each named on stderr);
//   2    some file is unknown (a budget ran out);
//   0    every file is valid.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "orchestrator/store/exit_code.h"

namespace orchestrator {

// Runs the command on `args` (the words after "check"); writes results to `out` and errors to
// `err`. Returns the exit code.
int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string CheckUsage();

}  // namespace orchestrator

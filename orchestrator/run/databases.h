// The database adapter of a run (workloads/db.h) from its spec: refdb (with its bug switches)
// or etcd. Constructing an adapter starts nothing; the run checks that its programs exist when
// it prepares (CheckDbBinaries), so a missing binary is a failed run with its results, while a
// spec the database cannot honour (a bug switch it lacks, a clock it cannot move) is refused
// before anything starts.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "orchestrator/store/spec.h"
#include "workloads/db.h"

namespace orchestrator {

// The adapter for spec.db. Reads /proc/self/exe to find refdb and splitbrain-procs beside
// splitbrain, and for a definition (DbKind::kDefinition) reads and checks its file:
// InvalidArgument naming the field for a bad one, NotFound for a missing one.
common::Result<std::unique_ptr<workloads::Db>> MakeDbAdapter(const RunSpec& spec);

// Where `--db NAME` looks for NAME/db.json: $SPLITBRAIN_DBS, else ./workloads/dbs when it exists,
// else the source tree this splitbrain was built from.
std::filesystem::path DefinitionsRoot();

// splitbrain-netq, the packet holder of shaping faults, beside splitbrain in the build tree.
std::filesystem::path NetqBinary();

// The election workload's candidate program: splitbrain-candidate beside splitbrain
// (build/<preset>/workloads/splitbrain-candidate); NotFound when it is not there.
common::Result<std::filesystem::path> CandidateProgram();

// NotFound naming the program and how to get it when one the database runs is missing or not
// executable.
common::Status CheckDbBinaries(const RunSpec& spec, const workloads::Db& db);

}  // namespace orchestrator

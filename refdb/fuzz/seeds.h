// The seed corpus of every fuzz target, built from real encoded objects (records, segments,
// stable-store files, snapshots, peer messages, client requests) in each target's input format.
// refdb_fuzz_seeds writes them to refdb/fuzz/corpus/<target>/ and its test checks that the
// files in the repo are still what it builds. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>

namespace refdb::fuzz {

// File name -> contents, per target name (wal_record, wal_recovery, ...).
using Corpus = std::map<std::string, std::map<std::string, std::string>>;

Corpus BuildSeedCorpus();

}  // namespace refdb::fuzz

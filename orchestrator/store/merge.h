// Joining stores: the runs of several stores (one per CI shard, from several machines) copied
// into one, each run once. A run is known by its run id (spec.json's "run-id"): a run already in
// the destination with the same id and the same files is not copied again (so merging twice is
// harmless), while the same id with different results is a conflict, refused before anything
// is copied. Two different runs that started in the same second under the same test keep both
// folders (the later one gets a -2, -3, ... suffix, as RunDir::Create does).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

struct MergeProgress {
  std::filesystem::path source;  // the store the run comes from
  std::filesystem::path run;     // its folder there
  std::filesystem::path copied;  // its folder in the destination; empty when it was there already
  int done = 0;
  int total = 0;
};

struct MergeSummary {
  int copied = 0;         // runs copied into the destination
  int already_there = 0;  // runs whose id and files the destination had
  int runs_in_store = 0;  // runs in the destination afterwards
};

// Copies every run of `sources` into `destination` (created when missing; it may already be a
// store). Refused (InvalidArgument, nothing copied) when a source is not a store with runs, a run
// has no readable run id, or one run id stands for different runs; IoError when a copy fails
// (the run being copied is removed, runs copied before it stay). Points destination/latest at
// its newest run. `progress` is called after each run.
common::Result<MergeSummary> MergeStores(
    const std::filesystem::path& destination, const std::vector<std::filesystem::path>& sources,
    const std::function<void(const MergeProgress&)>& progress = nullptr);

// The run id a run folder's spec.json names; InvalidArgument when it has none.
common::Result<std::string> RunIdOf(const RunDir& run);

}  // namespace orchestrator

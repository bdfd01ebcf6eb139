// Choosing the run's /24 inside 10.214.0.0/16: a pure function of the run id and the host's
// routes and addresses (the JSON of `ip -j -4 route show table all` and `ip -j -4 addr`), so it
// is unit-tested without root. Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace orchestrator::netns {

// "10.214.X" (no trailing dot): X starts at the run id's value modulo 256 and moves to the
// next /24 (wrapping) while a route or address of the host overlaps 10.214.X.0/24. Default
// routes (0.0.0.0/0) do not count. InvalidArgument for unparsable JSON or a bad run id;
// ResourceExhausted when all 256 are taken.
common::Result<std::string> ChooseSubnet(std::string_view run_id, std::string_view routes_json,
                                         std::string_view addrs_json);

// True for exactly 8 lowercase hex digits (the run id format of run_id.h).
bool IsRunId(std::string_view run_id);

}  // namespace orchestrator::netns

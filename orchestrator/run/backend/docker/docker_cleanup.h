// Removal of labelled Docker objects, shared by DockerBackend::Down (one run) and
// CleanupDocker (cleanup.h: every run a filter accepts). Not thread-safe (one DockerClient).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orchestrator/run/backend/cleanup.h"
#include "orchestrator/run/backend/docker/docker_client.h"

namespace orchestrator::docker {

// Force-removes every container and then every network that carries the label
// `label_query` (Docker's label filter: "splitbrain.run" or "splitbrain.run=<id>") and whose
// run id `filter` accepts. Returns "container NAME" / "network NAME" per removed object. An
// object already gone (404) is skipped; any other failure is returned after trying the rest.
common::Result<std::vector<std::string>> RemoveLabelledObjects(DockerClient& client,
                                                               std::string_view label_query,
                                                               const RunFilter& filter);

}  // namespace orchestrator::docker

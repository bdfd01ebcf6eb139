#!/bin/bash
# The main job, from a fresh machine: installs what it needs (packages, the Docker daemon),
# builds, and runs the default chaos test: a 5-node refdb cluster in Docker containers, 10
# concurrent clients of the register workload for 60 s while the nemesis kills, freezes and
# partitions nodes, then every check. Prints the verdict and where the report and results are.
# Extra arguments go to `splitbrain run` (e.g. --time-limit 20s, --backend netns).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
# Only what the run needs (the CLI and the database it starts), not the tests, with ninja's
# progress showing.
echo "quickstart: building splitbrain and refdb (build/release)"
ci/build.sh release splitbrain refdb
set +e
build/release/orchestrator/splitbrain run "$@"
code=$?
set -e
echo
echo "quickstart: exit code $code (0 valid, 1 invalid, 2 unknown, 3 the run failed)"
echo "quickstart: the report: store/latest/report.html (open it in a browser); every run: store/index.html"
echo "quickstart: beside it in store/latest/: results.json, junit.xml, history.jsonl, spec.json, nodes/"
exit "$code"

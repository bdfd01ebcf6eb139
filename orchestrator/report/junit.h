// JUnit XML for CI: one <testsuite> per run, one <testcase> per check, a <failure> (invalid) or
// <error> (unknown) element carrying the check's one-line reason. A run that failed before its
// checks (cluster never served, backend error, interrupted) is one testcase "run" with an
// <error>. Every value is escaped for XML; characters XML 1.0 cannot hold become U+FFFD.
// The shape follows the common JUnit schema (Jenkins, GitLab, GitHub test reporters): a
// <testsuites> root with tests/failures/errors counts, <properties> for the seed, run id,
// database, backend and faults, and <system-out> with the command that reproduces the run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/store/results.h"
#include "orchestrator/store/spec.h"

namespace orchestrator {

// `results` is a run's results, `spec` its spec (nullopt when spec.json is missing: the spec's
// properties and the reproducing command are left out). `timestamp` is ISO 8601
// ("2026-11-26T23:37:07Z").
std::string JunitXml(const RunResults& results, const std::optional<RunSpec>& spec,
                     std::string_view timestamp);

// Several runs in one file (a store's STORE/junit.xml, as `splitbrain merge` writes it): one
// <testsuite> per run, in the given order, with ids 0, 1, ... and the totals on the root.
struct JunitRun {
  RunResults results;
  std::optional<RunSpec> spec;
  std::string timestamp;
};
std::string JunitXml(const std::vector<JunitRun>& runs);

// Text escaped for XML character data and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace orchestrator

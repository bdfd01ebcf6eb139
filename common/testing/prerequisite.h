// SPLITBRAIN_REQUIRE(condition, what is missing): how a test says it needs something from the
// machine (Docker, root, etcd, Chromium, xmllint, the shared corpus, ...). When `condition`
// does not hold, the test stops: under CI (the environment variable CI set, e.g. CI=true) it
// FAILS with the reason, so CI never turns green with tests silently skipped; elsewhere it is
// skipped and the skip prints what was missing.
//
//   SPLITBRAIN_REQUIRE(DockerAvailable(), "no Docker daemon at " << kDefaultDockerSocket);
//
// The message may chain `<<`. Use it in a test body or in a fixture's SetUp (both stop the test
// body: a skip and a fatal failure in SetUp each keep gtest from running it). A condition that
// holds a comma outside parentheses (a braced list) goes into a local bool first. Header-only,
// for tests: it includes gtest, so only test targets (which link GTest) may include it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace common::testing {

// True when the environment variable CI is set to anything but "", "0" or "false".
inline bool InCi() {
  const char* value = std::getenv("CI");  // NOLINT(concurrency-mt-unsafe): read-only
  if (value == nullptr) return false;
  const std::string_view ci = value;
  return !ci.empty() && ci != "0" && ci != "false";
}

}  // namespace common::testing

// NOLINTBEGIN(bugprone-macro-parentheses): `missing` is a `<<` chain, spliced into the stream.
#define SPLITBRAIN_REQUIRE(condition, missing)                                               \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      if (::common::testing::InCi()) {                                                       \
        GTEST_FAIL() << "missing prerequisite: " << missing                                  \
                     << " (CI is set, so a test that cannot run fails instead of skipping)"; \
      } else {                                                                               \
        GTEST_SKIP() << "missing prerequisite: " << missing                                  \
                     << " (skipped; under CI=true this test fails)";                         \
      }                                                                                      \
    }                                                                                        \
  } while (false)
// NOLINTEND(bugprone-macro-parentheses)

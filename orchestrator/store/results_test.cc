#include "orchestrator/store/results.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

RunResults ValidRun() {
  RunResults r{.run_id = "4ac7b978",
               .name = "refdb-register",
               .backend = "netns",
               .verdict = RunVerdict::kInvalid,
               .exit_code = 1,
               .workload_s = 15.2,
               .elapsed_s = 19.75,
               .ops = {.ok = 6400, .fail = 12, .info = 3},
               .faults = FaultCounts{.planned = 3, .applied = 3, .verified = 3}};
  r.checks.push_back({.name = "faults",
                      .verdict = checker::Verdict::kValid,
                      .summary = "3 faults, all in force",
                      .details = {{"planned", 3}}});
  r.checks.push_back({.name = "linearizable",
                      .verdict = checker::Verdict::kInvalid,
                      .summary = "cannot linearize read 3",
                      .details = {{"verdict", "invalid"}}});
  r.fault_coverage = checker::FaultCoverage{};
  r.fault_coverage->faults = 3;
  r.fault_coverage->cells[{.fault = "kill",
                           .role = checker::CoverageRole::kLeader,
                           .state = checker::CoverageState::kSteady}] = 2;
  r.fault_coverage->cells[{.fault = "partition-halves",
                           .role = checker::CoverageRole::kLagging,
                           .state = checker::CoverageState::kDuringAnotherFault}] = 1;
  r.stopped_early = EarlyStop{.check = "linearizable",
                              .key = "\"r7\"",
                              .at_s = 4.5,
                              .reason = "key \"r7\": read() -> 3 cannot be linearized"};
  return r;
}

RunResults FailedRun() {
  return RunResults{.run_id = "77aa",
                    .name = "etcd-set",
                    .verdict = RunVerdict::kRunFailed,
                    .exit_code = 3,
                    .phase = "wait for a leader",
                    .error = "no leader in 30 s"};
}

TEST(RunResultsTest, RoundTripsThroughJson) {
  const RunResults original = ValidRun();
  const Json json = original.ToJson();
  EXPECT_EQ(json["schema_version"], kResultsSchemaVersion);
  EXPECT_EQ(json["verdict"], "invalid");
  EXPECT_EQ(json["checks"]["linearizable"]["verdict"], "invalid");
  auto back = RunResults::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->ToJson(), json);
  ASSERT_NE(back->Check("faults"), nullptr);
  EXPECT_EQ(back->Check("faults")->summary, "3 faults, all in force");
  EXPECT_EQ(back->Details("faults")["planned"], 3);
  EXPECT_TRUE(back->Details("set").is_null());
  EXPECT_EQ(back->ops.fail, 12);
  ASSERT_TRUE(back->faults.has_value());
  EXPECT_EQ(back->faults->verified, 3);
  ASSERT_TRUE(back->fault_coverage.has_value());
  EXPECT_EQ(back->fault_coverage->cells, original.fault_coverage->cells);
  EXPECT_EQ(back->fault_coverage->faults, 3);
  ASSERT_TRUE(back->stopped_early.has_value());
  EXPECT_EQ(back->stopped_early->key, "\"r7\"");
  EXPECT_EQ(back->stopped_early->at_s, 4.5);
  Json without = json;
  without.erase("stopped_early");
  EXPECT_FALSE(RunResults::FromJson(without)->stopped_early.has_value());
  Json bad = json;
  bad["stopped_early"]["at_s"] = "soon";
  EXPECT_NE(RunResults::FromJson(bad).status().message().find("at_s"), std::string::npos);
}

TEST(RunResultsTest, FaultCoverageIsOptionalAndCheckedWhenPresent) {
  Json json = ValidRun().ToJson();
  json.erase("fault_coverage");
  auto without = RunResults::FromJson(json);
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_FALSE(without->fault_coverage.has_value());
  json["fault_coverage"] = {
      {"faults", 1},
      {"cells", {{{"fault", "kill"}, {"role", "leader"}, {"state", "sideways"}, {"count", 1}}}}};
  auto bad = RunResults::FromJson(json);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sideways"), std::string::npos);
}

TEST(RunResultsTest, AFailedRunHasPhaseAndErrorAndNoChecks) {
  const Json json = FailedRun().ToJson();
  EXPECT_EQ(json["verdict"], "run-failed");
  EXPECT_EQ(json["phase"], "wait for a leader");
  EXPECT_FALSE(json.contains("checks"));
  auto back = RunResults::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->verdict, RunVerdict::kRunFailed);
  EXPECT_EQ(back->error, "no leader in 30 s");
}

TEST(RunResultsTest, RecordsWhetherTlsWasOn) {
  RunResults tls = ValidRun();
  tls.tls = true;
  const Json json = tls.ToJson();
  EXPECT_EQ(json["tls"], true);
  EXPECT_EQ(ValidRun().ToJson()["tls"], false);
  auto back = RunResults::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->tls);
  Json old = json;
  old.erase("tls");  // a file from before the key: plaintext
  EXPECT_FALSE(RunResults::FromJson(old)->tls);
  Json bad = json;
  bad["tls"] = "yes";
  EXPECT_NE(RunResults::FromJson(bad).status().message().find("tls"), std::string::npos);
}

TEST(RunResultsTest, ReadsFilesFromBeforeTheSchemaVersion) {
  Json old = ValidRun().ToJson();
  old.erase("schema_version");
  auto back = RunResults::FromJson(old);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->schema_version, 0);
}

TEST(RunResultsTest, BadDocumentsNameTheKey) {
  auto error = [](Json json) { return RunResults::FromJson(json).status().message(); };
  Json newer = ValidRun().ToJson();
  newer["schema_version"] = kResultsSchemaVersion + 1;
  EXPECT_NE(error(newer).find("newer"), std::string::npos);
  Json no_verdict = ValidRun().ToJson();
  no_verdict.erase("verdict");
  EXPECT_EQ(error(no_verdict), "verdict: missing");
  Json bad_verdict = ValidRun().ToJson();
  bad_verdict["verdict"] = "green";
  EXPECT_NE(error(bad_verdict).find("\"green\""), std::string::npos);
  Json bad_check = ValidRun().ToJson();
  bad_check["checks"]["faults"]["verdict"] = 3;
  EXPECT_NE(error(bad_check).find("checks.faults"), std::string::npos);
  Json bad_ops = ValidRun().ToJson();
  bad_ops["ops"]["ok"] = "many";
  EXPECT_NE(error(bad_ops).find("ok"), std::string::npos);
  EXPECT_FALSE(RunResults::FromJson(Json::array()).ok());
  EXPECT_EQ(ReadRunResults("/nonexistent/results.json").status().code(),
            common::StatusCode::kNotFound);
}

// Writes what ToJson produces for each kind of run into RESULTS_SAMPLES_DIR; the ctest
// `results_schema` (which requires this test) validates them against results.schema.json.
TEST(RunResultsTest, WritesSamplesForTheSchemaTest) {
  const fs::path dir = RESULTS_SAMPLES_DIR;
  std::error_code ec;
  fs::create_directories(dir, ec);
  ASSERT_FALSE(ec) << ec.message();
  RunResults valid = ValidRun();
  valid.verdict = RunVerdict::kValid;
  valid.exit_code = 0;
  valid.stopped_early.reset();
  RunResults unknown = ValidRun();
  unknown.verdict = RunVerdict::kUnknown;
  unknown.exit_code = 2;
  unknown.faults.reset();
  const std::pair<const char*, RunResults> samples[] = {{"valid.json", valid},
                                                        {"invalid.json", ValidRun()},
                                                        {"unknown.json", unknown},
                                                        {"run-failed.json", FailedRun()}};
  for (const auto& [file, results] : samples) {
    ASSERT_TRUE(WriteFileAtomically(dir / file, results.ToJson().dump(2)).ok());
  }
}

}  // namespace
}  // namespace orchestrator

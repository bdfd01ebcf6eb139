#include "orchestrator/store/spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace orchestrator {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("run_spec_test_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(RunSpecTest, EtcdIsADatabase) {
  auto spec = ParseRunSpec({"--db", "etcd", "--etcd-bin", "/opt/etcd"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->db, DbKind::kEtcd);
  EXPECT_EQ(spec->etcd_bin, "/opt/etcd");
  EXPECT_EQ(spec->name, "etcd-register");
  EXPECT_EQ(spec->ToJson()["etcd-bin"], "/opt/etcd");
}

// Any other --db is a definition (its file is read by the plan, not the parser).
TEST(RunSpecTest, OtherDatabasesAreDefinitions) {
  auto named = ParseRunSpec({"--db", "zookeeper"});
  ASSERT_TRUE(named.ok()) << named.status().message();
  EXPECT_EQ(named->db, DbKind::kDefinition);
  EXPECT_EQ(named->db_definition, "zookeeper");
  EXPECT_EQ(named->name, "zookeeper-register");
  auto path = ParseRunSpec({"--db", "workloads/dbs/redis/db.json", "--nodes", "3"});
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->DbLabel(), "redis");
  EXPECT_EQ(path->ToJson()["db"], "workloads/dbs/redis/db.json");
  const std::vector<std::string> argv = path->ReproduceArgv();
  EXPECT_NE(std::find(argv.begin(), argv.end(), "workloads/dbs/redis/db.json"), argv.end());
  // What a run records of the definition comes back from spec.json, and is not settable.
  RunSpec recorded = *path;
  recorded.db_file = "/abs/redis/db.json";
  recorded.db_sha256 = std::string(64, 'a');
  auto back = RunSpec::FromJson(recorded.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->db_file, "/abs/redis/db.json");
  EXPECT_EQ(back->db_sha256, recorded.db_sha256);
  EXPECT_EQ(back->db, DbKind::kDefinition);
  EXPECT_EQ(ParseRunSpec({"--db", "my.json"})->DbLabel(), "my");
}

TEST(RunSpecTest, DefaultsFollowTheDesign) {
  auto spec = ParseRunSpec({});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->db, DbKind::kRefdb);
  EXPECT_EQ(spec->backend, BackendKind::kAuto);
  EXPECT_EQ(spec->nodes, 5);
  EXPECT_EQ(spec->workload, workloads::WorkloadKind::kRegister);
  EXPECT_EQ(spec->concurrency, 10);
  EXPECT_EQ(spec->time_limit_s, 60);
  EXPECT_EQ(spec->name, "refdb-register");
  EXPECT_FALSE(spec->seed.has_value());
  // A chaos test by default: the faults of the README's proof.
  EXPECT_EQ(spec->nemesis,
            (std::vector<std::string>{"kill", "pause", "partition-halves", "partition-leader"}));
  EXPECT_EQ(spec->nemesis_interval_s, 10);
}

TEST(RunSpecTest, NemesisNoneMeansNoFaultsAndAListReplacesTheDefault) {
  auto none = ParseRunSpec({"--nemesis", "none"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->nemesis.empty());
  auto two = ParseRunSpec({"--nemesis", "clock,loss"});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->nemesis, (std::vector<std::string>{"clock", "loss"}));
}

TEST(RunSpecTest, NemesisAutoStandsAlone) {
  auto automatic = ParseRunSpec({"--nemesis", "auto", "--nemesis-interval", "2s"});
  ASSERT_TRUE(automatic.ok()) << automatic.status().message();
  EXPECT_TRUE(automatic->nemesis_auto);
  EXPECT_TRUE(automatic->nemesis.empty());
  EXPECT_EQ(automatic->ToJson()["nemesis"], nlohmann::json::array({"auto"}));
  auto mixed = ParseRunSpec({"--nemesis", "kill,auto"});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(),
            "--nemesis: auto chooses the faults itself from the store's coverage and cannot be "
            "mixed with fault names (given: kill,auto)");
  auto with_schedule = ParseRunSpec({"--nemesis", "auto", "--schedule", "s.json"});
  ASSERT_FALSE(with_schedule.ok());
  EXPECT_NE(with_schedule.status().message().find("--schedule"), std::string::npos);
  // A later --nemesis list replaces auto.
  auto replaced = ParseRunSpec({"--nemesis", "auto", "--nemesis", "kill"});
  ASSERT_TRUE(replaced.ok());
  EXPECT_FALSE(replaced->nemesis_auto);
  EXPECT_FALSE(
      ParseRunSpec({"--spec", WriteTemp("auto.json", R"({"nemesis": ["auto", "pause"]})")}).ok());
}

TEST(RunSpecTest, AutoRunReproducesFromItsRecordedSchedule) {
  auto spec = ParseRunSpec({"--nemesis", "auto", "--seed", "4", "--store", "/s"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  // Before the run recorded its schedule: auto again.
  std::vector<std::string> argv = spec->ReproduceArgv();
  EXPECT_NE(std::find(argv.begin(), argv.end(), "auto"), argv.end());
  spec->replay_schedule = "/s/refdb-register/20261207T110000Z/schedule.json";
  auto back = RunSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->nemesis_auto);
  EXPECT_EQ(back->replay_schedule, spec->replay_schedule);
  argv = back->ReproduceArgv();
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--nemesis"), argv.end());
  auto again = ParseRunSpec(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->schedule, spec->replay_schedule);
  EXPECT_FALSE(again->nemesis_auto);
  EXPECT_EQ(again->ToJson()["seed"], 4);
}

TEST(RunSpecTest, ARunWithoutFaultsReproducesWithoutFaults) {
  // Regression: the reproduce command of a `--nemesis none` run left --nemesis out, so it
  // replayed the default fault mix.
  auto spec = ParseRunSpec({"--nemesis", "none", "--seed", "9"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_TRUE(spec->nemesis.empty());
  const std::vector<std::string> argv = spec->ReproduceArgv();
  auto again = ParseRunSpec(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->nemesis.empty());
  EXPECT_TRUE(again->schedule.empty());
  // With a schedule file the faults are the file's: no --nemesis none next to it.
  auto scheduled = ParseRunSpec({"--nemesis", "none", "--schedule", "/s.json"});
  ASSERT_TRUE(scheduled.ok());
  const std::vector<std::string> with_file = scheduled->ReproduceArgv();
  EXPECT_EQ(std::find(with_file.begin(), with_file.end(), "none"), with_file.end());
}

TEST(RunSpecTest, FlagsInBothSpellings) {
  auto spec =
      ParseRunSpec({"--nodes", "3", "--workload=set", "--time-limit", "500ms", "--seed=7",
                    "--db-bug", "stale-reads", "--db-bug", "no-fsync", "--backend", "netns"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->nodes, 3);
  EXPECT_EQ(spec->workload, workloads::WorkloadKind::kSet);
  EXPECT_DOUBLE_EQ(spec->time_limit_s, 0.5);
  EXPECT_EQ(spec->seed, 7u);
  EXPECT_EQ(spec->db_bugs, (std::vector<std::string>{"stale-reads", "no-fsync"}));
  EXPECT_EQ(spec->backend, BackendKind::kNetns);
  EXPECT_EQ(spec->name, "refdb-set");
}

TEST(RunSpecTest, SpecFileThenFlagsOverride) {
  const std::string file = WriteTemp(
      "a.json", R"({"nodes": 3, "time-limit": 12, "workload": "election", "name": "nightly"})");
  auto spec = ParseRunSpec({"--time-limit", "2s", "--spec", file});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->nodes, 3);
  EXPECT_EQ(spec->workload, workloads::WorkloadKind::kElection);
  EXPECT_DOUBLE_EQ(spec->time_limit_s, 2);  // the flag wins, wherever it stands
  EXPECT_EQ(spec->name, "nightly");
  std::remove(file.c_str());
}

TEST(RunSpecTest, ToJsonRoundTrips) {
  auto spec = ParseRunSpec(
      {"--nodes", "3", "--seed", "42", "--rate", "250", "--db-bug", "half-quorum", "--name", "x"});
  ASSERT_TRUE(spec.ok());
  RunSpec again;
  ASSERT_TRUE(ApplySpecJson(spec->ToJson(), again).ok());
  EXPECT_EQ(again.ToJson(), spec->ToJson());
}

TEST(RunSpecTest, BadInputNamesTheFlagOrKey) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--nodes", "0"}, "--nodes"},
      {{"--nodes", "five"}, "--nodes"},
      {{"--workload", "bank"}, "register, set, election"},
      {{"--backend", "k8s"}, "--backend"},
      {{"--time-limit", "-1"}, "--time-limit"},
      {{"--time-limit", "0"}, "must be positive"},
      {{"--db", ""}, "--db: must not be empty"},
      {{"--etcd-bin", ""}, "--etcd-bin"},
      {{"--frobnicate", "1"}, "unknown flag --frobnicate"},
      {{"--nodes"}, "needs a value"},
      {{"stray"}, "unexpected argument"},
      {{"--name", "a/b"}, "--name"},
      {{"--spec", "/nonexistent/spec.json"}, "cannot open"},
  };
  for (const Case& c : cases) {
    auto spec = ParseRunSpec(c.args);
    ASSERT_FALSE(spec.ok()) << c.args[0];
    EXPECT_NE(spec.status().message().find(c.expected), std::string::npos)
        << spec.status().message();
  }
}

TEST(RunSpecTest, BadSpecFilesNameTheFileAndKey) {
  const std::string not_json = WriteTemp("b.json", "{nodes: 3");
  const std::string unknown = WriteTemp("c.json", R"({"nodez": 3})");
  const std::string wrong_type = WriteTemp("d.json", R"({"nodes": "many"})");
  const std::string array = WriteTemp("e.json", "[1,2]");
  for (const auto& [file, expected] :
       std::vector<std::pair<std::string, std::string>>{{not_json, "not valid JSON"},
                                                        {unknown, "unknown key \"nodez\""},
                                                        {wrong_type, "nodes"},
                                                        {array, "JSON object"}}) {
    auto spec = ParseRunSpec({"--spec", file});
    ASSERT_FALSE(spec.ok()) << file;
    EXPECT_NE(spec.status().message().find(expected), std::string::npos) << spec.status().message();
    EXPECT_NE(spec.status().message().find(file), std::string::npos) << spec.status().message();
    std::remove(file.c_str());
  }
}

TEST(RunSpecTest, SpecJsonRoundTripsWithWhatTheRunRecorded) {
  auto spec = ParseRunSpec({"--db", "etcd", "--backend", "netns", "--nodes", "4", "--seed", "9",
                            "--nemesis", "kill,partition-halves", "--time-limit", "30s"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  spec->run_id = "0a1b2c3d";
  spec->backend_used = "netns";
  auto back = RunSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->ToJson(), spec->ToJson());
  EXPECT_EQ(back->db, DbKind::kEtcd);
  EXPECT_EQ(back->run_id, "0a1b2c3d");
  EXPECT_FALSE(RunSpec::FromJson({{"run-id", 7}}).ok());
  // The recorded keys are not settings: a --spec file's run-id is ignored.
  const std::vector<std::string> argv = back->ReproduceArgv();
  auto again = ParseRunSpec(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->ToJson()["seed"], 9);
  EXPECT_EQ(again->nemesis, back->nemesis);
  EXPECT_EQ(again->backend, BackendKind::kNetns);
}

TEST(RunSpecTest, CheckTimeLimitIsPositiveRecordedAndReproduced) {
  EXPECT_EQ(ParseRunSpec({})->check_time_limit_s, 300);
  auto spec = ParseRunSpec({"--check-time-limit", "90s"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->check_time_limit_s, 90);
  EXPECT_EQ(spec->ToJson()["check-time-limit"], 90);
  auto back = RunSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  const std::vector<std::string> argv = back->ReproduceArgv();
  auto again = ParseRunSpec(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->check_time_limit_s, 90);
  for (const char* bad : {"0s", "-5s", "soon"}) {
    auto refused = ParseRunSpec({"--check-time-limit", bad});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("check-time-limit"), std::string::npos)
        << refused.status().message();
  }
}

TEST(RunSpecTest, StopOnInvalidIsABareFlagRecordedInSpecJsonAndReproduced) {
  EXPECT_FALSE(ParseRunSpec({})->stop_on_invalid);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--stop-on-invalid"},
                                             {"--stop-on-invalid", "--seed", "3"},
                                             {"--stop-on-invalid", "on"},
                                             {"--stop-on-invalid=true"}}) {
    auto spec = ParseRunSpec(args);
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    EXPECT_TRUE(spec->stop_on_invalid) << args.size();
  }
  EXPECT_EQ(ParseRunSpec({"--stop-on-invalid", "--seed", "3"})->seed, 3u);
  EXPECT_FALSE(ParseRunSpec({"--stop-on-invalid", "off"})->stop_on_invalid);
  EXPECT_FALSE(ParseRunSpec({"--stop-on-invalid=maybe"}).ok());
  auto spec = ParseRunSpec({"--stop-on-invalid", "--seed", "5", "--db-bug", "stale-reads"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->ToJson()["stop-on-invalid"], true);
  auto back = RunSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->stop_on_invalid);
  const std::vector<std::string> argv = back->ReproduceArgv();
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--stop-on-invalid"), argv.end());
  auto again = ParseRunSpec(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->stop_on_invalid);
  EXPECT_EQ(again->db_bugs, std::vector<std::string>{"stale-reads"});
  const std::vector<std::string> plain = ParseRunSpec({})->ReproduceArgv();
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "--stop-on-invalid"), plain.end());
  // From a spec file, and overridden by a flag.
  const std::string file = WriteTemp("stop.json", R"({"stop-on-invalid": true})");
  EXPECT_TRUE(ParseRunSpec({"--spec", file})->stop_on_invalid);
  EXPECT_FALSE(ParseRunSpec({"--spec", file, "--stop-on-invalid", "off"})->stop_on_invalid);
  std::remove(file.c_str());
}

TEST(RunSpecTest, NightIsRecordedInSpecJsonButNotReproducedOrReadFromASpecFile) {
  auto spec = ParseRunSpec({"--night", "20261207T021700Z", "--seed", "3"});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->night, "20261207T021700Z");
  EXPECT_EQ(spec->ToJson()["night"], "20261207T021700Z");
  auto back = RunSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->night, "20261207T021700Z");
  // A reproduction is not part of the night.
  const std::vector<std::string> argv = back->ReproduceArgv();
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--night"), argv.end());
  // Nor is a run that replays the spec.json with --spec.
  const std::string file = WriteTemp("night.json", spec->ToJson().dump());
  auto replayed = ParseRunSpec({"--spec", file});
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  EXPECT_EQ(replayed->night, "");
  EXPECT_FALSE(replayed->ToJson().contains("night"));
  std::remove(file.c_str());
  // Without --night, spec.json has no night.
  EXPECT_FALSE(ParseRunSpec({})->ToJson().contains("night"));
}

TEST(RunSpecTest, BadNightIdsAreRefusedWithTheReason) {
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("a b"),
                                 std::string("<script>"), std::string("../x")}) {
    auto spec = ParseRunSpec({"--night", bad});
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_NE(spec.status().message().find("--night"), std::string::npos)
        << spec.status().message();
    // In spec.json an empty night is no night.
    if (!bad.empty()) {
      EXPECT_FALSE(RunSpec::FromJson({{"night", bad}}).ok()) << bad;
    }
  }
  EXPECT_FALSE(RunSpec::FromJson({{"night", 7}}).ok());
  EXPECT_TRUE(ParseRunSpec({"--night", "gh-123_4.5:6"}).ok());
}

}  // namespace
}  // namespace orchestrator

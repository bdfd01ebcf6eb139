#include "workloads/db_definition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/testing/temp_dir.h"
#include "workloads/defined_db.h"
#include "workloads/probe.h"

namespace workloads {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kDbs = fs::path(SPLITBRAIN_SOURCE_DIR) / "workloads" / "dbs";

constexpr char kMinimal[] = R"({
  "name": "toy",
  "install": {"debian": ["toy"]},
  "client_port": 7000,
  "processes": [{"name": "toy", "argv": ["/usr/bin/toy", "--id", "{id}", "--peers",
                 {"each_node": "{peer_id}={peer_ip}:7000"}]}],
  "files": [{"path": "toy.conf", "lines": ["me {ip}", {"each_node": "peer {peer_ip}"},
            {"if": "not_first", "line": "follow {first_ip} quorum {majority}"}, "{{literal}}"]}],
  "status": {"probes": [{"tcp": {"port": 7000, "send": "status"}, "format": "keyvalue"}],
             "role": {"field": "role", "values": {"boss": "leader", "minion": "follower"}},
             "term": {"field": "epoch", "shift_right": 32},
             "leader": {"field": "boss", "names": "address"}},
  "client": {"argv": ["{dir}/client.py", "{endpoints}"]}
})";

class DefinitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("db-definition-test");
    ASSERT_TRUE(dir.ok());
    dir_.emplace(std::move(*dir));
  }
  // Loads `text` with one JSON-pointer-free edit: `replace` swapped for `with`.
  common::Result<DbDefinition> Load(std::string text) {
    const fs::path file = fs::path(dir_->path()) / "db.json";
    std::ofstream(file) << text;
    return LoadDbDefinition(file);
  }
  common::Result<DbDefinition> LoadEdited(const std::string& replace, const std::string& with) {
    std::string text = kMinimal;
    const size_t at = text.find(replace);
    EXPECT_NE(at, std::string::npos) << replace;
    return Load(text.replace(at, replace.size(), with));
  }
  std::optional<common::testing::TempDir> dir_;
};

TEST_F(DefinitionTest, ShippedDefinitionsLoad) {
  for (const char* name : {"zookeeper", "redis", "etcd"}) {
    auto d = LoadDbDefinition(kDbs / name / "db.json");
    ASSERT_TRUE(d.ok()) << name << ": " << d.status().message();
    EXPECT_EQ(d->name, name);
    EXPECT_EQ(d->sha256.size(), 64u);
    EXPECT_FALSE(d->debian_packages.empty());
  }
}

TEST_F(DefinitionTest, RendersArgvAndFilesPerNode) {
  auto d = Load(kMinimal);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const TemplateContext n2{.id = 2,
                           .ip = "10.0.0.2",
                           .ips = {"10.0.0.1", "10.0.0.2", "10.0.0.3"},
                           .data_dir = "/data",
                           .client_port = 7000,
                           .dir = "/defs/toy"};
  EXPECT_EQ(RenderArgv(d->processes[0].argv, n2),
            (std::vector<std::string>{"/usr/bin/toy", "--id", "2", "--peers",
                                      "1=10.0.0.1:7000,2=10.0.0.2:7000,3=10.0.0.3:7000"}));
  EXPECT_EQ(RenderLines(d->files[0].lines, n2),
            "me 10.0.0.2\npeer 10.0.0.1\npeer 10.0.0.2\npeer 10.0.0.3\n"
            "follow 10.0.0.1 quorum 2\n{literal}\n");
  TemplateContext n1 = n2;
  n1.id = 1;
  EXPECT_THAT(RenderLines(d->files[0].lines, n1), ::testing::Not(HasSubstr("follow")));
  EXPECT_EQ(RenderArgv(d->client_argv, n2),
            (std::vector<std::string>{"/defs/toy/client.py",
                                      "10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000"}));
}

// Every bad definition names the field.
TEST_F(DefinitionTest, BadDefinitionsNameTheField) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"("client_port": 7000)", R"("client_port": 70000)", "client_port: must be a port"},
      {R"("name": "toy")", R"("name": "Toy DB")", "name: must be lowercase"},
      {R"("/usr/bin/toy")", R"("toy")",
       "processes[0].argv[0]: must be the program's absolute path"},
      {R"("me {ip}")", R"("me {address}")", "files[0].lines[0]: unknown placeholder {address}"},
      {R"("--id", "{id}")", R"("--id", "{peer_id}")", "(only inside each_node)"},
      {R"("minion": "follower")", R"("minion": "boss")", "status.role.values.minion: must be"},
      {R"("names": "address")", R"("names": "ip")", "status.leader.names: must be"},
      {R"("shift_right": 32)", R"("shift_right": 64)", "status.term.shift_right"},
      {R"("format": "keyvalue")", R"("format": "yaml")", "status.probes[0].format"},
      {R"("path": "toy.conf")", R"("path": "../toy.conf")",
       "files[0].path: must be a relative path"},
      {R"("install": {"debian": ["toy"]},)", "", "install: is required"},
      {R"("client_port": 7000,)", R"("client_port": 7000, "colour": "red",)",
       "colour: unknown field"},
      {R"({"if": "not_first")", R"({"if": "second")", "files[0].lines[2].if: must be"},
  };
  for (const auto& [replace, with, want] : cases) {
    auto d = LoadEdited(replace, with);
    ASSERT_FALSE(d.ok()) << with;
    EXPECT_EQ(d.status().code(), common::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(want)) << with;
    EXPECT_THAT(d.status().message(), HasSubstr("db.json: "));
  }
}

TEST_F(DefinitionTest, NotJsonAndMissingFilesAreClearErrors) {
  auto bad = Load("{\"name\": ");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("not valid JSON"));
  auto missing = LoadDbDefinition(fs::path(dir_->path()) / "nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), common::StatusCode::kNotFound);
}

TEST(DefinitionPath, NamesAndPaths) {
  EXPECT_EQ(DefinitionPath("zookeeper", "/r"), fs::path("/r/zookeeper/db.json"));
  EXPECT_EQ(DefinitionPath("x/db.json", "/r"), fs::path("x/db.json"));
  EXPECT_EQ(DefinitionPath("my.json", "/r"), fs::path("my.json"));
}

TEST(ProbeFields, KeyValueSplitsAtTheFirstSeparatorAndSkipsOtherLines) {
  auto f = ProbeFields(ProbeFormat::kKeyValue,
                       "$589\r\n# Replication\r\nrole:master\r\nslave0:ip=10.0.0.2,port=6379\r\n"
                       "Zookeeper version: 3.8.0, built on 2024-12-29 17:54 UTC\n+OK\r\n");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->at("role"), "master");
  EXPECT_EQ(f->at("slave0"), "ip=10.0.0.2,port=6379");
  EXPECT_EQ(f->at("Zookeeper version"), "3.8.0, built on 2024-12-29 17:54 UTC");
  EXPECT_EQ(f->count("+OK"), 0u);
}

TEST(ProbeFields, JsonFlattensWithDottedNames) {
  auto f = ProbeFields(ProbeFormat::kJson,
                       R"({"header":{"member_id":"123"},"leader":"123","is_leader":true,
                          "error":null,"errors":["x"],"raftTerm":"4","n":5})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->at("header.member_id"), "123");
  EXPECT_EQ(f->at("is_leader"), "true");
  EXPECT_EQ(f->at("errors.0"), "x");
  EXPECT_EQ(f->at("n"), "5");
  EXPECT_EQ(f->count("error"), 0u);
  EXPECT_FALSE(ProbeFields(ProbeFormat::kJson, "<html>").ok());
}

TEST(ParseUnsigned, DecimalAndHex) {
  EXPECT_EQ(ParseUnsigned("42"), 42u);
  EXPECT_EQ(ParseUnsigned("0x100000004"), 0x100000004u);
  EXPECT_EQ(ParseUnsigned(""), std::nullopt);
  EXPECT_EQ(ParseUnsigned("4x"), std::nullopt);
}

}  // namespace
}  // namespace workloads

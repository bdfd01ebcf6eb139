#include "checker/election_safety.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "checker/run_testdata_loader.h"

namespace checker {
namespace {

using ::testing::HasSubstr;

const std::string& kDir = kRunTestdataDir;

// `history` with the node logs read from run_testdata files ({node, file}) appended, as a run
// appends each node's events.jsonl.
RunHistory WithLogs(History history, const std::vector<std::pair<int, std::string>>& files = {}) {
  std::vector<NodeLog> logs;
  for (const auto& [node, file] : files) logs.push_back(ReadTestNodeLog(node, kDir + file));
  return ReadRunHistory(WithNodeLogs(std::move(history), logs));
}

// Databases without node logs: status samples are all there is.
const ElectionSafetyOptions kSamplesOnly{.logs_expected = false};

TEST(ElectionSafety, OneLeaderPerTermFromSamplesAndLogsIsValid) {
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadRunHistory("election.good.jsonl"),
                                   {{1, "events-node1.jsonl"}, {2, "events-node2.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "at most one leader in each of 3 terms (1 leader changes); no leader short of a "
            "majority (3 checked against 2 nodes)");
  EXPECT_EQ(r.details["terms_seen"], 3);
  EXPECT_EQ(r.details["leaders"], Json({{"1", 1}, {"2", 2}, {"4", 2}}));
  EXPECT_EQ(r.details["leader_changes"], 1);
  EXPECT_EQ(r.details["status_samples"], 7);
  EXPECT_EQ(r.details["unanswered_samples"], 1);
  EXPECT_EQ(r.details["log_lines"], 6);
  EXPECT_EQ(r.details["missing_logs"], Json::array());
  EXPECT_EQ(r.details["majority_checked"], true);
}

TEST(ElectionSafety, MissingNodeLogIsUnknownNamingTheNode) {
  ElectionSafetyOptions three_nodes;
  three_nodes.nodes = 3;
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadRunHistory("election.good.jsonl"),
                                   {{1, "events-node1.jsonl"}, {2, "events-node2.jsonl"}}),
                          three_nodes);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "no node log from node 3: cannot see its elections");
  EXPECT_EQ(r.details["missing_logs"], Json::array({3}));
  EXPECT_EQ(r.details["log_lines"], 6);
}

TEST(ElectionSafety, NodeLogWithoutEventsAndAProblemIsUnknownNamingIt) {
  const std::string missing = kDir + "events-node3.missing.jsonl";
  RunCheckResult r = CheckElectionSafety(WithLogs(
      LoadRunHistory("election.good.jsonl"),
      {{1, "events-node1.jsonl"}, {2, "events-node2.jsonl"}, {3, "events-node3.missing.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "cannot read the node log of node 3 (no events.jsonl: " + missing +
                           "): cannot see its elections");
  EXPECT_EQ(r.details["missing_logs"], Json::array());
}

TEST(ElectionSafety, SeveralMissingNodeLogsAreNamedTogether) {
  History history = WithNodeLogs(LoadNamed("election.isolate-leader.good.jsonl"),
                                 {{.node = 3}, {.node = 4}, {.node = 5}});
  RunCheckResult r = CheckElectionSafety(ReadRunHistory(std::move(history)));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "no node log from nodes 1,2: cannot see their elections");
  EXPECT_EQ(r.details["missing_logs"], Json::array({1, 2}));
}

TEST(ElectionSafety, MissingNodeLogDoesNotHideTwoLeaders) {
  RunCheckResult r = CheckElectionSafety(WithLogs(LoadRunHistory("election.two-leaders.bad.jsonl"),
                                                  {{3, "events-node3.truncated.bad-input.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("term 3 had two leaders"));
}

TEST(ElectionSafety, WithoutLogsExpectedNodesWithoutALogAreFine) {
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.isolate-leader.good.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["missing_logs"], Json::array());
}

TEST(ElectionSafety, SamplesOnlySummarySaysSo) {
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.isolate-leader.good.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "at most one leader in each of 2 terms (1 leader changes), from status samples only; "
            "no leader short of a majority (2 checked against 5 nodes)");
  EXPECT_EQ(r.details["log_lines"], 0);
}

TEST(ElectionSafety, NodeThatNeverAnsweredAndLeftNoLogIsUnknown) {
  // election.good.jsonl has samples of nodes 1 and 2 only.
  ElectionSafetyOptions options = kSamplesOnly;
  options.nodes = 3;
  RunCheckResult r = CheckElectionSafety(WithLogs(LoadRunHistory("election.good.jsonl")), options);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "node 3 answered no status sample and left no node log: cannot see its elections");
  EXPECT_EQ(r.details["silent_nodes"], Json::array({3}));
  // Its log is enough.
  r = CheckElectionSafety(
      WithLogs(LoadRunHistory("election.good.jsonl"), {{3, "events-node3.leads-term-2.jsonl"}}),
      options);
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << "the log says node 3 led term 2 too";
}

TEST(ElectionSafety, TwoLeadersInOneTermFromSamplesIsInvalid) {
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadRunHistory("election.two-leaders.bad.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("term 3 had two leaders: node 1 ("));
  EXPECT_THAT(r.summary, HasSubstr("election.two-leaders.bad.jsonl:1 status sample) and node 3 ("));
  EXPECT_THAT(r.summary, HasSubstr("election.two-leaders.bad.jsonl:3 status sample)"));
  EXPECT_EQ(r.details["conflicts"], 1);
}

TEST(ElectionSafety, LeaderWithoutPossibleMajorityIsInvalid) {
  // 4 nodes split 2|2; node 3 leads term 3 while nodes 1 and 2 stay in term 2 (half a quorum).
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.half-quorum.bad.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.summary,
            "node 3 became leader of term 3 (sample at 2.000 s, election.half-quorum.bad.jsonl:7) "
            "but nodes 1,2 were still in term 2 after it (election.half-quorum.bad.jsonl:11, "
            "election.half-quorum.bad.jsonl:12): at most 2 of 4 nodes could have voted for it, "
            "not a majority");
  EXPECT_EQ(r.details["majority_violations"], 1);
  EXPECT_EQ(r.details["leaderships_checked"], 2);
  EXPECT_EQ(r.details["conflicts"], 0);
  EXPECT_EQ(r.details["nodes"], 4);
}

TEST(ElectionSafety, UnseenNodesMayHaveVoted) {
  // Declared 5 nodes: node 5, never sampled, may have been the third vote.
  ElectionSafetyOptions options = kSamplesOnly;
  options.nodes = 5;
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadRunHistory("election.half-quorum.bad.jsonl")), options);
  EXPECT_EQ(r.details["majority_violations"], 0) << r.summary;
  EXPECT_EQ(r.details["nodes"], 5);
}

TEST(ElectionSafety, MajorityIsNotCheckedWhenTermsAreNotCurrent) {
  ElectionSafetyOptions options = kSamplesOnly;
  options.terms_are_current = false;
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.half-quorum.bad.jsonl")), options);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "at most one leader in each of 2 terms (1 leader changes), from status samples only; "
            "majority of votes not checked (status terms may lag)");
  EXPECT_EQ(r.details["majority_checked"], false);
  EXPECT_THAT(r.details["majority_note"].get<std::string>(),
              HasSubstr("terms_are_current is false"));
}

TEST(ElectionSafety, IsolatedLeaderReplacedByAMajorityIsValid) {
  // 5 nodes; nodes 2,3,4 reach term 3 and elect node 2; nodes 1 and 5 stay in term 2.
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.isolate-leader.good.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["majority_violations"], 0);
}

TEST(ElectionSafety, TermReachedWithinTheSampleMarginIsNoProof) {
  // Nodes 2 and 4 show term 2 60 ms after node 3 led term 3: they may have read it before.
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.vote-delay.good.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  ElectionSafetyOptions no_margin = kSamplesOnly;
  no_margin.sample_margin_ms = 0;
  r = CheckElectionSafety(WithLogs(LoadNamed("election.vote-delay.good.jsonl")), no_margin);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("but nodes 1,2,4 were still in term 2 after it"));
}

TEST(ElectionSafety, RestartedNodeIsNoProof) {
  // Node 3 voted for node 2 in term 3, was killed and came back in term 2 (lost state).
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadNamed("election.killed-voter.good.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["majority_violations"], 0);
  // Without the kill events, the same samples prove it.
  History history = LoadNamed("election.killed-voter.good.jsonl");
  std::erase_if(history.events, [](const Event& e) { return e.f == "kill"; });
  r = CheckElectionSafety(WithLogs(history), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("but nodes 1,3 were still in term 2 after it"));
}

TEST(ElectionSafety, KillWithoutTargetsIsUnknownNamingTheLine) {
  RunCheckResult r = CheckElectionSafety(
      WithLogs(LoadNamed("election.kill-targets.bad-input.jsonl")), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "election.kill-targets.bad-input.jsonl:2: \"targets\" is not an array");
}

TEST(ElectionSafety, NodeLogContradictingTheSamplesIsInvalid) {
  RunCheckResult r = CheckElectionSafety(
      WithLogs(LoadNamed("election.good.jsonl"),
               {{2, "events-node2.jsonl"}, {3, "events-node3.leads-term-2.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("term 2 had two leaders: node 2 ("));
  // The node-log events follow the file's 7 events: indexes 7 (node 2) and 8 (node 3).
  EXPECT_THAT(r.summary, HasSubstr("and node 3 (node log event 2 at election.good.jsonl event 8)"));
}

TEST(ElectionSafety, NodeLogsAloneAreChecked) {
  RunCheckResult r = CheckElectionSafety(
      WithLogs(History{}, {{1, "events-node1.jsonl"}, {2, "events-node2.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  r = CheckElectionSafety(
      WithLogs(History{}, {{2, "events-node2.jsonl"}, {3, "events-node3.leads-term-2.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
}

TEST(ElectionSafety, MalformedSampleIsUnknownNamingTheLine) {
  RunCheckResult r =
      CheckElectionSafety(WithLogs(LoadRunHistory("election.no-term.bad-sample.jsonl")));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary,
              HasSubstr("election.no-term.bad-sample.jsonl:2: status sample without an integer "
                        "\"term\""));
}

TEST(ElectionSafety, MalformedNodeLogEventIsUnknownNamingTheLine) {
  History history = LoadNamed("election.good.jsonl");
  Event event = NodeLogEvent({.node = 1});
  event.value["events"] = Json::array({{{"role", "leader"}}});
  event.line = 9;
  history.events.push_back(event);
  RunCheckResult r = CheckElectionSafety(ReadRunHistory(history));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary,
            "election.good.jsonl:9: node log event 1: without an integer \"term\" and a string "
            "\"role\"");
}

TEST(ElectionSafety, TruncatedNodeLogIsUnknownNamingTheLine) {
  const std::string path = kDir + "events-node3.truncated.bad-input.jsonl";
  RunCheckResult r = CheckElectionSafety(WithLogs(LoadRunHistory("election.good.jsonl"),
                                                  {{1, "events-node1.jsonl"},
                                                   {2, "events-node2.jsonl"},
                                                   {3, "events-node3.truncated.bad-input.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, path + ":2: not a JSON object");
  EXPECT_EQ(r.details["log_lines"], 7) << "the lines before it are read";
}

TEST(ElectionSafety, NodeLogOfAnotherNodeIsUnknown) {
  RunCheckResult r = CheckElectionSafety(WithLogs(History{}, {{2, "events-node1.jsonl"}}));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("events-node1.jsonl:1: node 1 in the event log of node 2"));
}

TEST(ElectionSafety, UnreadableNodeLogIsUnknown) {
  RunCheckResult r = CheckElectionSafety(WithLogs(History{}, {{1, ""}}));  // the directory itself
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("cannot read the node log of node 1 ("));
  EXPECT_THAT(r.summary, HasSubstr("cannot open"));
}

TEST(ElectionSafety, NoLeaderSeenIsUnknown) {
  RunCheckResult r = CheckElectionSafety(WithLogs(History{}, {{1, "missing.jsonl"}}), kSamplesOnly);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("no node reported being leader"));
  EXPECT_EQ(r.ToJson()["verdict"], "unknown");
}

TEST(NodeLog, EventRoundTripsThroughTheHistory) {
  const NodeLog log{.node = 2,
                    .events = {{.time_ns = 5, .node = 2, .role = "leader", .term = 3, .leader = 2}},
                    .problem = "x.jsonl:4: not a JSON object"};
  History history;
  history.events.push_back(NodeLogEvent(log));
  auto line = EventToJsonLine(history.events[0]);
  EXPECT_EQ(line,
            R"({"f":"node-log","index":0,"process":"node-log","time_ns":0,"type":"info",)"
            R"("value":{"events":[{"leader":2,"node":2,"role":"leader","term":3,"time_ns":5}],)"
            R"("node":2,"problem":"x.jsonl:4: not a JSON object"}})");
  RunHistory run = ReadRunHistory(history);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  ASSERT_EQ(run.node_logs.size(), 1u);
  const NodeLog& read = run.node_logs[0].log;
  EXPECT_EQ(read.node, 2);
  EXPECT_EQ(read.problem, log.problem);
  ASSERT_EQ(read.events.size(), 1u);
  EXPECT_EQ(read.events[0].term, 3);
  EXPECT_EQ(read.events[0].role, "leader");
  EXPECT_EQ(read.events[0].time_ns, 5);
}

TEST(NodeLog, SecondLogOfOneNodeIsAnError) {
  RunHistory run = ReadRunHistory(WithNodeLogs(History{}, {{.node = 1}, {.node = 1}}));
  EXPECT_EQ(run.status.message(),
            "history event 1: a second node log of node 1 (the first is "
            "event 0)");
}

}  // namespace
}  // namespace checker

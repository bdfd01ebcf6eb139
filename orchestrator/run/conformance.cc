#include "orchestrator/run/conformance.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "workloads/line_client.h"

namespace orchestrator {

namespace {

using workloads::Answer;
using workloads::Outcome;
using Value = std::optional<std::string>;

std::string Show(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInfo:
      return "info";
  }
  return "?";
}

std::string Show(const Value& v) { return v.has_value() ? "\"" + *v + "\"" : "null"; }

template <typename T>
std::string Why(const Answer<T>& a) {
  return Show(a.outcome) + (a.error.empty() ? "" : " (" + a.error + ")");
}

class Rules {
 public:
  Rules(workloads::DbClient& client, std::string prefix)
      : client_(client), prefix_(std::move(prefix)) {}

  void Expect(const std::string& rule, bool passed, const std::string& detail) {
    results_.push_back({.rule = rule, .passed = passed, .detail = passed ? "" : detail});
  }

  // A read that must see `want`.
  void ExpectRead(const std::string& rule, const std::string& key, const Value& want) {
    const Answer<Value> r = client_.Read(key);
    Expect(rule, r.outcome == Outcome::kOk && r.value == want,
           r.outcome == Outcome::kOk ? "read " + Show(r.value) + ", expected " + Show(want)
                                     : "read answered " + Why(r));
  }

  std::string Key(const std::string& name) const { return prefix_ + name; }

  void Basics() {
    ExpectRead("read of an absent key is ok with null", Key("absent"), std::nullopt);
    const Answer<bool> w = client_.Write(Key("a"), "1");
    Expect("write is ok", w.outcome == Outcome::kOk, "write answered " + Why(w));
    ExpectRead("read after write sees the value", Key("a"), "1");
    const Answer<workloads::CasResult> match = client_.Cas(Key("a"), "1", "2");
    Expect("cas whose compare matches is ok and succeeded",
           match.outcome == Outcome::kOk && match.value.succeeded,
           match.outcome == Outcome::kOk ? "succeeded false" : "cas answered " + Why(match));
    ExpectRead("read after cas sees the new value", Key("a"), "2");
    const Answer<workloads::CasResult> miss = client_.Cas(Key("a"), "1", "3");
    Expect(
        "cas whose compare does not match is ok/not succeeded, or fail",
        (miss.outcome == Outcome::kOk && !miss.value.succeeded) || miss.outcome == Outcome::kFail,
        miss.outcome == Outcome::kOk ? "succeeded true" : "cas answered " + Why(miss));
    ExpectRead("a cas that did not match changed nothing", Key("a"), "2");
    const Answer<workloads::CasResult> present = client_.Cas(Key("a"), std::nullopt, "4");
    Expect("cas from null on a present key does not write",
           (present.outcome == Outcome::kOk && !present.value.succeeded) ||
               present.outcome == Outcome::kFail,
           present.outcome == Outcome::kOk ? "succeeded true" : "cas answered " + Why(present));
    const Answer<workloads::CasResult> absent = client_.Cas(Key("b"), std::nullopt, "5");
    Expect("cas from null on an absent key creates it",
           absent.outcome == Outcome::kOk && absent.value.succeeded,
           absent.outcome == Outcome::kOk ? "succeeded false" : "cas answered " + Why(absent));
    ExpectRead("read after a create sees it", Key("b"), "5");
  }

  // Every replica shows the last value within 10 s (replication is asynchronous).
  void Local(const std::vector<std::string>& endpoints) {
    for (const std::string& endpoint : endpoints) {
      Answer<Value> r;
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      do {
        r = client_.ReadLocal(endpoint, Key("a"));
        if (r.outcome == Outcome::kOk && r.value == Value("2")) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      } while (std::chrono::steady_clock::now() < until);
      Expect("read_local on " + endpoint + " sees the value",
             r.outcome == Outcome::kOk && r.value == Value("2"),
             r.outcome == Outcome::kOk ? "read " + Show(r.value) : "answered " + Why(r));
    }
  }

  void Many() {
    std::string problem;
    for (int i = 0; i < 200 && problem.empty(); ++i) {
      const std::string value = std::to_string(i);
      const Answer<bool> w = client_.Write(Key("many"), value);
      if (w.outcome != Outcome::kOk) problem = "write " + value + " answered " + Why(w);
      const Answer<Value> r = client_.Read(Key("many"));
      if (problem.empty() && (r.outcome != Outcome::kOk || r.value != Value(value))) {
        problem = "read after write " + value + ": " +
                  (r.outcome == Outcome::kOk ? Show(r.value) : Why(r));
      }
    }
    Expect("200 writes and reads in a row, each answered in time", problem.empty(), problem);
  }

  std::vector<ConformanceRule> results_;

 private:
  workloads::DbClient& client_;
  std::string prefix_;
};

}  // namespace

std::vector<ConformanceRule> CheckConformance(const workloads::Db& db,
                                              const std::vector<std::string>& endpoints,
                                              const std::string& key_prefix) {
  auto client = db.Connect({.endpoints = endpoints});
  if (!client.ok()) return {{.rule = "connect", .detail = client.status().message()}};
  Rules rules(**client, key_prefix);
  rules.Basics();
  rules.Local(endpoints);
  rules.Many();
  if (const auto* line = dynamic_cast<const workloads::LineClient*>(client->get())) {
    rules.Expect("every reply well-formed, with the request's id (no client replaced)",
                 line->restarts() == 0,
                 std::to_string(line->restarts()) + " clients replaced (see clients.log)");
  }
  return std::move(rules.results_);
}

}  // namespace orchestrator

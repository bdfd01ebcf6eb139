#include "workloads/line_client.h"

#include <fstream>

#include "common/process/run.h"

namespace workloads {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string ReadReply(const Json& reply) {
  const auto it = reply.find("value");
  if (it == reply.end()) return "a read's ok has no \"value\"";
  if (!it->is_string() && !it->is_null()) return "a read's \"value\" is not a string or null";
  return "";
}

std::string WriteReply(const Json& /*reply*/) { return ""; }

std::string CasReply(const Json& reply) {
  const auto it = reply.find("succeeded");
  if (it == reply.end() || !it->is_boolean()) return "a cas's ok has no boolean \"succeeded\"";
  return "";
}

Answer<std::optional<std::string>> ReadAnswer(Outcome outcome, const Json& body,
                                              std::string error) {
  Answer<std::optional<std::string>> answer{.outcome = outcome, .error = std::move(error)};
  if (outcome == Outcome::kOk && body["value"].is_string()) {
    answer.value = body["value"].get<std::string>();
  }
  return answer;
}

}  // namespace

void LineClient::Note(const std::string& line) const {
  if (options_.log_path.empty()) return;
  std::ofstream log(options_.log_path, std::ios::app);
  log << "splitbrain: " << line << "\n";
}

LineClient::Reply LineClient::Broken(const std::string& why, bool is_read) {
  Note(common::process::JoinArgv(options_.argv) + ": " + why + "; replacing the client");
  (void)process_.Kill();
  ++restarts_;
  return Reply{.outcome = is_read ? Outcome::kFail : Outcome::kInfo, .error = why};
}

LineClient::Reply LineClient::Call(Json request, bool is_read,
                                   std::string (*well_formed)(const Json& reply)) {
  if (!process_.started()) {
    std::vector<std::string> env = options_.env;
    env.push_back(std::string(kDeadlineVariable) + "=" + std::to_string(options_.deadline.count()));
    auto spawned = common::process::LineProcess::Spawn(options_.argv, env, options_.log_path);
    if (!spawned.ok()) {
      Note("cannot start the client: " + spawned.status().message());
      return Reply{.outcome = Outcome::kFail, .error = spawned.status().message()};
    }
    process_ = std::move(*spawned);
  }
  const int64_t id = next_id_++;
  request["id"] = id;
  const Clock::time_point until = Clock::now() + options_.deadline + options_.grace;
  if (common::Status sent = process_.WriteLine(request.dump(), until); !sent.ok()) {
    // Not sent whole: a client that never read the request cannot have acted on it, but one
    // that read part of it and died might have; only a client that was gone is a fail.
    return Broken("request " + std::to_string(id) + ": " + sent.message(), is_read);
  }
  auto line = process_.ReadLine(until);
  if (!line.ok())
    return Broken("request " + std::to_string(id) + ": " + line.status().message(), is_read);
  Json reply = Json::parse(*line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    return Broken("request " + std::to_string(id) +
                      ": the answer is not a JSON object: " + line->substr(0, 200),
                  is_read);
  }
  if (!reply.contains("id") || reply["id"] != id) {
    return Broken("request " + std::to_string(id) + ": the answer's id is " +
                      (reply.contains("id") ? reply["id"].dump() : "missing"),
                  is_read);
  }
  const std::string type = reply.value("type", "");
  const std::string error = reply.contains("error") && reply["error"].is_string()
                                ? reply["error"].get<std::string>()
                                : "";
  if (type == "fail") return Reply{.outcome = Outcome::kFail, .error = error};
  if (type == "info")
    return Reply{.outcome = is_read ? Outcome::kFail : Outcome::kInfo, .error = error};
  if (type != "ok") {
    return Broken(
        "request " + std::to_string(id) + ": unknown type " + reply.value("type", Json()).dump(),
        is_read);
  }
  if (const std::string bad = well_formed(reply); !bad.empty()) {
    return Broken("request " + std::to_string(id) + ": " + bad, is_read);
  }
  return Reply{.outcome = Outcome::kOk, .body = std::move(reply)};
}

Answer<std::optional<std::string>> LineClient::Read(const std::string& key) {
  Reply r = Call({{"f", "read"}, {"key", key}}, true, ReadReply);
  return ReadAnswer(r.outcome, r.body, std::move(r.error));
}

Answer<bool> LineClient::Write(const std::string& key, const std::string& value) {
  Reply r = Call({{"f", "write"}, {"key", key}, {"value", value}}, false, WriteReply);
  return Answer<bool>{
      .outcome = r.outcome, .value = r.outcome == Outcome::kOk, .error = std::move(r.error)};
}

Answer<CasResult> LineClient::Cas(const std::string& key,
                                  const std::optional<std::string>& expected,
                                  const std::string& new_value) {
  Json request = {{"f", "cas"}, {"key", key}, {"to", new_value}};
  request["from"] = expected.has_value() ? Json(*expected) : Json(nullptr);
  Reply r = Call(std::move(request), false, CasReply);
  Answer<CasResult> answer{.outcome = r.outcome, .error = std::move(r.error)};
  if (r.outcome == Outcome::kOk) answer.value.succeeded = r.body["succeeded"].get<bool>();
  return answer;
}

Answer<std::optional<std::string>> LineClient::ReadLocal(const std::string& endpoint,
                                                         const std::string& key) {
  Reply r = Call({{"f", "read_local"}, {"key", key}, {"node", endpoint}}, true, ReadReply);
  return ReadAnswer(r.outcome, r.body, std::move(r.error));
}

}  // namespace workloads

// LineClient: a DbClient that drives a client program through the JSON-lines protocol
// (docs/client-protocol.md): one program per LineClient, one request at a time, each answered
// within `deadline` + 500 ms. A program that misses it, exits, or answers anything but a
// well-formed reply to this request is killed; the operation is info (a read: fail, since a
// read changes nothing) and the next request starts a fresh program. What went wrong is
// appended to the log with the program's stderr. Not thread-safe: one worker drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process/line_process.h"
#include "workloads/db.h"

namespace workloads {

// Set in every client program's environment: the per-operation deadline in milliseconds, which
// the program should answer within (it is killed at deadline + grace).
inline constexpr char kDeadlineVariable[] = "SPLITBRAIN_DEADLINE_MS";

struct LineClientOptions {
  std::vector<std::string> argv;
  std::vector<std::string> env;    // "NAME=VALUE" added to the program's environment
  std::filesystem::path log_path;  // the program's stderr and our notes; empty: /dev/null
  std::chrono::milliseconds deadline{1000};
  std::chrono::milliseconds grace{500};
};

class LineClient final : public DbClient {
 public:
  explicit LineClient(LineClientOptions options) : options_(std::move(options)) {}

  Answer<std::optional<std::string>> Read(const std::string& key) override;
  Answer<bool> Write(const std::string& key, const std::string& value) override;
  Answer<CasResult> Cas(const std::string& key, const std::optional<std::string>& expected,
                        const std::string& new_value) override;
  Answer<std::optional<std::string>> ReadLocal(const std::string& endpoint,
                                               const std::string& key) override;

  int restarts() const { return restarts_; }  // programs replaced after a broken exchange

 private:
  struct Reply {
    Outcome outcome = Outcome::kInfo;
    nlohmann::json body;  // the reply object when outcome is kOk
    std::string error;
  };
  // Sends `request` (an id is added) and classifies the answer; `is_read`: a lost answer is
  // a fail. An ok reply is checked by `well_formed` (which names what is missing).
  Reply Call(nlohmann::json request, bool is_read,
             std::string (*well_formed)(const nlohmann::json& reply));
  Reply Broken(const std::string& why, bool is_read);
  void Note(const std::string& line) const;

  LineClientOptions options_;
  common::process::LineProcess process_;
  int64_t next_id_ = 1;
  int restarts_ = 0;
};

}  // namespace workloads

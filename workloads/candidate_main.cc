// splitbrain-candidate: one lease candidate as a process of its own (candidate_args.h for its
// command line and protocol, lease_candidate.h for what it does). The election workload starts
// one per candidate, each in its own network namespace where the backend has them, so the
// nemesis can freeze, clock-skew and cut one candidate without touching the others.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "workloads/candidate_args.h"
#include "workloads/db_definition.h"
#include "workloads/defined_db.h"
#include "workloads/etcd_db.h"
#include "workloads/lease_candidate.h"
#include "workloads/refdb_db.h"

namespace {

using common::Status;
using workloads::CandidateArgs;

volatile std::sig_atomic_t terminated = 0;

void OnTerm(int /*sig*/) { terminated = 1; }

int64_t ClockNs(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class SystemClocks final : public workloads::CandidateClocks {
 public:
  int64_t WallNs() override { return ClockNs(CLOCK_REALTIME); }
  int64_t MonoNs() override { return ClockNs(CLOCK_MONOTONIC); }
};

// The harness's lines on stdin, each read within a deadline.
class Harness final : public workloads::CandidateSink {
 public:
  explicit Harness(const std::string& log_path) {
    if (!log_path.empty()) log_.open(log_path, std::ios::app);
  }

  bool stopped() const { return stopped_ || terminated != 0; }

  Status Emit(const checker::Event& event) override {
    const std::string line = checker::EventToJsonLine(event);
    if (log_.is_open()) log_ << line << "\n" << std::flush;
    std::cout << line << "\n" << std::flush;
    if (!std::cout) return Status::Unavailable("stdout is closed");
    if (event.type != checker::EventType::kInvoke || !event.process.is_client()) {
      return Status::Ok();
    }
    if (stopped()) return Status::Unavailable("told to stop");
    std::string answer;
    if (!NextLine(10'000, answer)) return Status::Unavailable("no go from the harness");
    if (answer == workloads::kCandidateGo) return Status::Ok();
    stopped_ = true;
    return Status::Unavailable("told to stop");
  }

  // Waits up to `ms` for a line from the harness; "stop" or the end of stdin stop it.
  void Sleep(int64_t ms) {
    std::string line;
    if (NextLine(ms, line)) {
      if (line == workloads::kCandidateStop) stopped_ = true;
      return;
    }
    if (eof_) stopped_ = true;
  }

 private:
  // True with a line within `ms`; false on timeout, EOF (eof_) or a signal.
  bool NextLine(int64_t ms, std::string& line) {
    const int64_t until = ClockNs(CLOCK_MONOTONIC) + ms * 1'000'000;
    for (;;) {
      if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (eof_ || terminated != 0) return false;
      const int64_t left_ms = (until - ClockNs(CLOCK_MONOTONIC)) / 1'000'000;
      if (left_ms <= 0) return false;
      pollfd p{.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
      const int n = ::poll(&p, 1, static_cast<int>(left_ms));
      if (n == 0) return false;
      if (n < 0) {
        if (errno == EINTR) continue;
        eof_ = true;
        return false;
      }
      char chunk[256];
      const ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        eof_ = true;
        return false;
      }
      buffer_.append(chunk, static_cast<size_t>(got));
    }
  }

  std::ofstream log_;
  std::string buffer_;
  bool eof_ = false;
  bool stopped_ = false;
};

// A defined database's client: its definition's client program (LineClient), which carries the
// run id and logs beside this candidate's log.
common::Result<std::unique_ptr<workloads::DbClient>> ConnectDefined(
    const CandidateArgs& args, const workloads::ClientOptions& options) {
  ASSIGN_OR_RETURN(workloads::DbDefinition definition,
                   workloads::LoadDbDefinition(args.definition));
  workloads::DefinedDb db({.definition = std::move(definition)});
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread starts
  const char* run_id = std::getenv(workloads::kRunIdVariable);
  db.Attach({.run_id = run_id == nullptr ? "" : run_id,
             .log_dir = args.log.empty() ? std::filesystem::path()
                                         : std::filesystem::path(args.log).parent_path()});
  return db.Connect(options);
}

common::Result<std::unique_ptr<workloads::DbClient>> Connect(const CandidateArgs& args) {
  const workloads::ClientOptions options{
      .endpoints = args.endpoints,
      .call_deadline = std::chrono::milliseconds(args.call_deadline_ms)};
  if (args.db == workloads::CandidateDb::kDefinition) return ConnectDefined(args, options);
  if (args.db == workloads::CandidateDb::kEtcd) {
    return workloads::EtcdDb(workloads::EtcdDbOptions{}).Connect(options);
  }
  return workloads::RefDb(workloads::RefDbOptions{}).Connect(options);
}

int Run(const CandidateArgs& args) {
  auto client = Connect(args);
  if (!client.ok()) {
    std::cerr << "splitbrain-candidate: connect: " << client.status().message() << "\n";
    return 3;
  }
  SystemClocks clocks;
  Harness harness(args.log);
  workloads::LeaseCandidate candidate({.candidate = args.candidate,
                                       .candidates = args.candidates,
                                       .lease_ns = args.lease_ms * 1'000'000,
                                       .renew_deadline_ns = args.renew_deadline_ms * 1'000'000,
                                       .retry_ns = args.retry_ms * 1'000'000,
                                       .fencing = args.fencing},
                                      **client, harness, clocks);
  while (!harness.stopped()) {
    const int64_t start = clocks.MonoNs();
    if (Status s = candidate.Step(); !s.ok() && !harness.stopped()) {
      std::cerr << "splitbrain-candidate: " << s.message() << "\n";
      return 3;
    }
    const int64_t left_ms = (start + args.retry_ms * 1'000'000 - clocks.MonoNs()) / 1'000'000;
    if (!harness.stopped()) harness.Sleep(std::max<int64_t>(left_ms, 0));
  }
  if (Status s = candidate.Finish(); !s.ok()) {
    std::cerr << "splitbrain-candidate: " << s.message() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = workloads::ParseCandidateArgs(std::vector<std::string>(argv + 1, argv + argc));
  if (!args.ok()) {
    std::cerr << "splitbrain-candidate: " << args.status().message() << "\n";
    return 254;
  }
  struct sigaction action = {};
  action.sa_handler = OnTerm;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return Run(*args);
}

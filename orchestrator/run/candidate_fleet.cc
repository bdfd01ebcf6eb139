#include "orchestrator/run/candidate_fleet.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

#include "common/process/run.h"
#include "orchestrator/run/netns_probe.h"
#include "orchestrator/run/node_clock.h"
#include "workloads/db.h"

namespace orchestrator {

using common::Result;
using common::Status;

namespace {

constexpr auto kProbeTimeout = std::chrono::milliseconds(250);
constexpr auto kFreezeWait = std::chrono::seconds(1);

// The state letter of /proc/PID/stat ('T': stopped by a signal); 0 when it cannot be read.
char ProcState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  const size_t close = line.rfind(')');  // the command name may hold spaces and parentheses
  return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '\0';
}

std::string Name(int candidate) { return "candidate " + std::to_string(candidate); }

}  // namespace

Result<std::unique_ptr<CandidateFleet>> CandidateFleet::Create(CandidateFleetOptions options) {
  if (options.backend == nullptr || options.candidates < 1) {
    return Status::InvalidArgument("candidate fleet: needs a backend and candidates");
  }
  std::unique_ptr<CandidateFleet> fleet(new CandidateFleet(std::move(options)));
  for (int c = 1; c <= fleet->options_.candidates; ++c) RETURN_IF_ERROR(fleet->Prepare(c));
  return fleet;
}

Status CandidateFleet::Prepare(int candidate) {
  const std::filesystem::path ctl = options_.run_dir.candidate_ctl(candidate);
  std::error_code ec;
  std::filesystem::create_directories(ctl, ec);
  if (ec) return Status::IoError(ctl.string() + ": mkdir: " + ec.message());
  if (!options_.libfaketime.empty()) RETURN_IF_ERROR(WriteClockOffset(ctl, 0));
  if (!options_.libfaketime.empty() && !options_.clock_shim.empty()) {
    RETURN_IF_ERROR(CreateMonotonicControl(ctl));
  }
  Result<CandidateBox> box = [&] {
    if (options_.backend_mutex == nullptr) return options_.backend->AddCandidateBox(candidate);
    common::MutexLock lock(*options_.backend_mutex);
    return options_.backend->AddCandidateBox(candidate);
  }();
  if (box.ok()) {
    netns_[candidate] = box->netns_path;
  } else if (box.status().code() != common::StatusCode::kUnavailable) {
    return box.status().WithContext(Name(candidate));
  }
  return Status::Ok();
}

Status CandidateFleet::Check(int candidate) const {
  if (candidate < 1 || candidate > options_.candidates) {
    return Status::InvalidArgument(Name(candidate) + ": want 1.." +
                                   std::to_string(options_.candidates));
  }
  return Status::Ok();
}

std::vector<std::string> CandidateFleet::ClockEnv(int candidate) const {
  if (options_.libfaketime.empty()) return {};
  const std::string ctl = options_.run_dir.candidate_ctl(candidate).string();
  if (options_.clock_shim.empty()) return ClockEnvironment(options_.libfaketime, ctl);
  return ScaledClockEnvironment(options_.libfaketime, options_.clock_shim, ctl);
}

Result<workloads::CandidatePlace> CandidateFleet::Place(int candidate) {
  RETURN_IF_ERROR(Check(candidate));
  workloads::CandidatePlace place{.log_dir = options_.run_dir.candidate(candidate)};
  place.env = ClockEnv(candidate);
  place.env.push_back(std::string(workloads::kRunIdVariable) + "=" + options_.run_id);
  if (auto found = netns_.find(candidate); found != netns_.end()) place.netns_path = found->second;
  return place;
}

void CandidateFleet::Started(int candidate, pid_t pid) {
  common::MutexLock lock(mutex_);
  pids_[candidate] = pid;
}

void CandidateFleet::Ended(int candidate) {
  common::MutexLock lock(mutex_);
  pids_.erase(candidate);
}

Status CandidateFleet::Signal(int candidate, int sig) {
  RETURN_IF_ERROR(Check(candidate));
  common::MutexLock lock(mutex_);
  auto found = pids_.find(candidate);
  if (found == pids_.end()) return Status::Unavailable(Name(candidate) + " does not run");
  if (::kill(-found->second, sig) != 0) {
    return Status::IoError(Name(candidate) + ": kill: errno " + std::to_string(errno));
  }
  return Status::Ok();
}

Status CandidateFleet::PauseCandidate(int candidate) {
  RETURN_IF_ERROR(Signal(candidate, SIGSTOP));
  // Delivered when the kernel next schedules it: return once it shows stopped.
  const auto deadline = std::chrono::steady_clock::now() + kFreezeWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto state = CandidateRunState(candidate);
    if (state.ok() && *state == nemesis::NodeRunState::kPaused) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

Status CandidateFleet::ResumeCandidate(int candidate) { return Signal(candidate, SIGCONT); }

Result<nemesis::NodeRunState> CandidateFleet::CandidateRunState(int candidate) {
  RETURN_IF_ERROR(Check(candidate));
  common::MutexLock lock(mutex_);
  auto found = pids_.find(candidate);
  if (found == pids_.end()) return nemesis::NodeRunState::kStopped;
  const char state = ProcState(found->second);
  if (state == 0 || state == 'Z' || state == 'X') return nemesis::NodeRunState::kStopped;
  return state == 'T' ? nemesis::NodeRunState::kPaused : nemesis::NodeRunState::kRunning;
}

Status CandidateFleet::SetCandidateClockOffset(int candidate, double offset_s) {
  RETURN_IF_ERROR(Check(candidate));
  if (options_.libfaketime.empty()) {
    return Status::Unavailable(
        "the candidates were not started under libfaketime: name clock-candidate in --nemesis "
        "or in the --schedule file");
  }
  return WriteClockOffset(options_.run_dir.candidate_ctl(candidate), offset_s);
}

// A fresh `date` under the candidate's clock environment: what the candidate's libfaketime
// makes of its offset file now.
Result<double> CandidateFleet::MeasureCandidateClockOffset(int candidate) {
  RETURN_IF_ERROR(Check(candidate));
  if (options_.libfaketime.empty()) return Status::Unavailable("no libfaketime");
  timespec before{};
  ::clock_gettime(CLOCK_REALTIME, &before);
  ASSIGN_OR_RETURN(const std::string out,
                   common::process::RunChecked({.argv = {"date", "+%s.%N"},
                                                .env = ClockEnv(candidate),
                                                .deadline = std::chrono::seconds(5)}));
  timespec after{};
  ::clock_gettime(CLOCK_REALTIME, &after);
  const double real =
      (static_cast<double>(before.tv_sec) + static_cast<double>(after.tv_sec)) / 2 +
      (static_cast<double>(before.tv_nsec) + static_cast<double>(after.tv_nsec)) / 2e9;
  char* end = nullptr;
  const double seen = std::strtod(out.c_str(), &end);
  if (end == out.c_str()) return Status::Internal("date printed \"" + out + "\"");
  return seen - real;
}

std::string CandidateFleet::NodeIp(int node) const {
  if (options_.backend_mutex == nullptr) return options_.backend->NodeIp(node);
  common::MutexLock lock(*options_.backend_mutex);
  return options_.backend->NodeIp(node);
}

Status CandidateFleet::Rules(int candidate, const std::string& action) {
  RETURN_IF_ERROR(Check(candidate));
  auto found = netns_.find(candidate);
  if (found == netns_.end()) {
    return Status::Unavailable(
        "partition-candidate: " + Name(candidate) +
        " has no namespace of its own on this backend (use --backend netns)");
  }
  Status first;
  for (int node = 1; node <= options_.nodes; ++node) {
    const std::string ip = NodeIp(node);
    for (const auto& [chain, match] : {std::pair{"INPUT", "-s"}, std::pair{"OUTPUT", "-d"}}) {
      Status s = common::process::RunChecked({"nsenter", "--net=" + found->second, "iptables", "-w",
                                              "5", action, chain, match, ip, "-j", "DROP"})
                     .status();
      if (first.ok() && !s.ok()) first = s;
    }
  }
  return first.WithContext(Name(candidate));
}

Status CandidateFleet::CutCandidate(int candidate) {
  Status cut = Rules(candidate, "-I");
  if (!cut.ok()) (void)Rules(candidate, "-D");  // take out what went in
  return cut;
}

Status CandidateFleet::HealCandidate(int candidate) { return Rules(candidate, "-D"); }

Result<bool> CandidateFleet::CandidateCanConnect(int candidate, int node) {
  RETURN_IF_ERROR(Check(candidate));
  auto found = netns_.find(candidate);
  if (found == netns_.end()) return Status::Unavailable(Name(candidate) + " has no namespace");
  return TcpProbe(found->second, NodeIp(node), options_.probe_port, kProbeTimeout);
}

}  // namespace orchestrator

#include "common/process/run.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "common/errno_text.h"
#include "common/process/launch.h"
#include "common/unique_fd.h"

namespace common::process {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe(const std::string& command) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IoError(command + ": pipe: " + ErrnoText(errno));
  return Pipe{.read = UniqueFd(fds[0]), .write = UniqueFd(fds[1])};
}

// Blocks SIGPIPE in this thread while it lives, then discards a SIGPIPE that a write raised:
// a child that exits without reading all its input must not kill us (SIGPIPE from a write is
// directed at the writing thread, so it stays pending here).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_only_);
    sigaddset(&pipe_only_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_only_, &old_);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock() {
    const timespec zero{};
    while (::sigtimedwait(&pipe_only_, nullptr, &zero) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_only_;
  sigset_t old_;
};

// One write of what is left of the input; closes `fd` when all is written or the child stopped
// reading (EPIPE: its exit status will tell).
void PumpInput(UniqueFd& fd, std::string_view& rest) {
  const ssize_t wrote = ::write(fd.get(), rest.data(), rest.size());
  if (wrote < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (wrote > 0) rest.remove_prefix(static_cast<size_t>(wrote));
  if (wrote <= 0 || rest.empty()) fd.Reset();
}

// One read of output; closes `fd` at EOF or on an error.
void PumpOutput(UniqueFd& fd, std::string& sink) {
  char buffer[16384];
  const ssize_t got = ::read(fd.get(), buffer, sizeof(buffer));
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (got <= 0) {
    fd.Reset();
    return;
  }
  sink.append(buffer, static_cast<size_t>(got));
}

// Writes `input` into `in` while reading `out` and `err` (each may be empty), until all three
// are closed. False when `deadline` comes first.
bool Exchange(UniqueFd in, std::string_view input, UniqueFd out, UniqueFd err,
              Clock::time_point deadline, RunOutput& output) {
  const SigpipeBlock block;
  if (in.get() >= 0) ::fcntl(in.get(), F_SETFL, O_NONBLOCK);
  while (in.get() >= 0 || out.get() >= 0 || err.get() >= 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[3] = {{.fd = in.get(), .events = POLLOUT, .revents = 0},
                     {.fd = out.get(), .events = POLLIN, .revents = 0},
                     {.fd = err.get(), .events = POLLIN, .revents = 0}};
    const int ready = ::poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
    if (ready < 0 && errno != EINTR && errno != EAGAIN) return false;
    if (ready <= 0) continue;
    if (fds[0].revents != 0) PumpInput(in, input);
    if (fds[1].revents != 0) PumpOutput(out, output.out);
    if (fds[2].revents != 0) PumpOutput(err, output.err);
  }
  return true;
}

// Reaps `pid` by `deadline`; nullopt while it still runs then.
std::optional<ExitStatus> ReapBy(pid_t pid, Clock::time_point deadline) {
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    int wait_status = 0;
    const pid_t reaped = ::waitpid(pid, &wait_status, WNOHANG);
    if (reaped == pid) return ExitStatus::FromWaitStatus(wait_status);
    if (reaped < 0 && errno != EINTR) return ExitStatus{};  // ECHILD: someone else reaped it
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<RunOutput> Run(const RunOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("run: empty argument vector");
  const std::string command = JoinArgv(options.argv);
  const auto deadline = Clock::now() + options.deadline;
  Pipe in, out, err;
  ASSIGN_OR_RETURN(out, MakePipe(command));
  if (!options.merge_output) {
    ASSIGN_OR_RETURN(err, MakePipe(command));
  }
  if (!options.input.empty()) {
    ASSIGN_OR_RETURN(in, MakePipe(command));
  }
  Result<pid_t> pid = internal::Launch({
      .argv = options.argv,
      .env = options.env,
      .stdin_fd = in.read.get(),
      .stdout_fd = out.write.get(),
      .stderr_fd = options.merge_output ? out.write.get() : err.write.get(),
  });
  if (!pid.ok()) return pid.status();
  in.read.Reset();  // the child's ends: EOF reaches us once the child (and its children) exit
  out.write.Reset();
  err.write.Reset();
  RunOutput output;
  std::optional<ExitStatus> status;
  if (Exchange(std::move(in.write), options.input, std::move(out.read), std::move(err.read),
               deadline, output)) {
    status = ReapBy(*pid, deadline);
  }
  if (!status) {
    KillAndReap(*pid);
    return Status::DeadlineExceeded(command + ": no exit within " +
                                    std::to_string(options.deadline.count()) + " ms; killed");
  }
  output.status = *status;
  return output;
}

Result<std::string> RunChecked(const RunOptions& options) {
  ASSIGN_OR_RETURN(RunOutput ran, Run(options));
  if (!ran.status.ok()) {
    std::string detail = options.merge_output ? ran.out : ran.err;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    return Status::IoError(JoinArgv(options.argv) + ": " + ran.status.Describe() + ": " + detail);
  }
  return std::move(ran.out);
}

Result<std::string> RunChecked(std::vector<std::string> argv) {
  return RunChecked(RunOptions{.argv = std::move(argv)});
}

std::optional<std::filesystem::path> FindProgram(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): nobody sets it
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    std::error_code error;
    if (::access(candidate.c_str(), X_OK) == 0 &&
        std::filesystem::is_regular_file(candidate, error)) {
      return std::filesystem::absolute(candidate, error);
    }
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

}  // namespace common::process

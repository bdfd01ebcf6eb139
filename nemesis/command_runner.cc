#include "nemesis/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/unique_fd.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX leaves it undeclared

namespace nemesis {
namespace {

using common::UniqueFd;

class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

std::string ErrnoText(int error) {
  char buffer[256];
  return ::strerror_r(error, buffer, sizeof(buffer));
}

// Reads `fd` to EOF or until `deadline`; false on timeout.
bool ReadAll(int fd, std::chrono::steady_clock::time_point deadline, std::string& out) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? false : true;
    char buffer[4096];
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return true;
    out.append(buffer, static_cast<size_t>(got));
  }
}

// Writes `input` to `fd` with SIGPIPE blocked in this thread (a child that exits early must not
// kill us), then clears a SIGPIPE that the write raised. A short write is left to the child's
// exit code to explain.
void WriteInput(int fd, std::string_view input) {
  sigset_t pipe_only;
  sigset_t old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  bool broken = false;
  while (!input.empty()) {
    const ssize_t wrote = ::write(fd, input.data(), input.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      broken = wrote < 0 && errno == EPIPE;
      break;
    }
    input.remove_prefix(static_cast<size_t>(wrote));
  }
  if (broken) {
    const timespec zero{};
    while (::sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

common::Result<CommandOutput> SpawnRunner::Run(const std::vector<std::string>& argv,
                                               const std::string& input) {
  if (argv.empty()) return common::Status::InvalidArgument("run: empty argument vector");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return common::Status::IoError(JoinArgv(argv) + ": pipe: " + ErrnoText(errno));
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  UniqueFd input_read;
  UniqueFd input_write;
  if (!input.empty()) {
    int in_fds[2];
    if (::pipe2(in_fds, O_CLOEXEC) != 0) {
      return common::Status::IoError(JoinArgv(argv) + ": pipe: " + ErrnoText(errno));
    }
    input_read = UniqueFd(in_fds[0]);
    input_write = UniqueFd(in_fds[1]);
  }
  FileActions actions;
  if (input.empty()) {
    ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  } else {
    ::posix_spawn_file_actions_adddup2(actions.get(), input_read.get(), 0);
  }
  ::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 1);
  ::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), environ);
  if (spawned != 0) {
    return common::Status::IoError(JoinArgv(argv) + ": cannot run: " + ErrnoText(spawned));
  }
  write_end.Reset();  // so the read sees EOF when the child exits
  input_read.Reset();
  if (!input.empty()) {
    // The child reads its input before it writes much, so writing all of it first cannot
    // deadlock on the output pipe for the small rule batches this runs.
    WriteInput(input_write.get(), input);
    input_write.Reset();
  }
  CommandOutput result;
  const bool in_time =
      ReadAll(read_end.get(), std::chrono::steady_clock::now() + deadline_, result.output);
  if (!in_time) ::kill(pid, SIGKILL);
  result.exit_code = WaitExit(pid);
  if (!in_time) {
    return common::Status::DeadlineExceeded(JoinArgv(argv) + ": no exit within " +
                                            std::to_string(deadline_.count()) + " ms; killed");
  }
  return result;
}

common::Result<std::string> RunChecked(CommandRunner& runner, const std::vector<std::string>& argv,
                                       const std::string& input) {
  ASSIGN_OR_RETURN(CommandOutput result, runner.Run(argv, input));
  if (result.exit_code != 0) {
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return common::Status::IoError(JoinArgv(argv) + ": exited " + std::to_string(result.exit_code) +
                                   ": " + output);
  }
  return std::move(result.output);
}

}  // namespace nemesis

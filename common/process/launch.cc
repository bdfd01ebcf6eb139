#include "common/process/launch.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <exception>
#include <mutex>
#include <string_view>
#include <system_error>

#include "common/process/run.h"

namespace common::process::internal {

namespace bp = boost::process;

namespace {

std::mutex launch_mutex;

// Makes `fd` (or /dev/null when -1) the child's descriptor `target`. Runs between fork and exec:
// async-signal-safe calls only.
bool Redirect(int fd, int target, int null_flags) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;  // dup2 would keep close-on-exec
  if (fd >= 0) return ::dup2(fd, target) == target;
  const int null_fd = ::open("/dev/null", null_flags);
  if (null_fd < 0) return false;
  if (null_fd == target) return true;
  const bool moved = ::dup2(null_fd, target) == target;
  ::close(null_fd);
  return moved;
}

// Empty mask, default dispositions: a parent that blocks SIGTERM to sigwait for it, or ignores
// SIGPIPE, must not pass that on (exec keeps both), or a node would not die of SIGTERM.
void ResetSignals() {
  sigset_t empty;
  sigemptyset(&empty);
  ::pthread_sigmask(SIG_SETMASK, &empty, nullptr);  // the forked child has one thread
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
}

// Boost.Process extension: sets the child up between fork and exec, and reaps a child that
// failed before exec (Boost returns no handle for it).
struct ChildSetup : bp::extend::handler {
  ChildSetup(const LaunchSpec* launch, char* const* argv, char** envp)
      : spec(launch), cmd_line(argv), env(envp) {}
  const LaunchSpec* spec;
  char* const* cmd_line;  // argv exactly as given: Boost would make argv[0] the resolved path
  char** env;             // the environment (Environment below)

  template <typename Executor>
  void on_exec_setup(Executor& exec) const {
    exec.cmd_line = cmd_line;
    exec.env = env;
    if (spec->netns_fd >= 0 && ::setns(spec->netns_fd, CLONE_NEWNET) != 0) Fail(exec, "setns");
    if (spec->new_process_group && ::setpgid(0, 0) != 0) Fail(exec, "setpgid");
    if (!Redirect(spec->stdin_fd, STDIN_FILENO, O_RDONLY) ||
        !Redirect(spec->stdout_fd, STDOUT_FILENO, O_WRONLY) ||
        !Redirect(spec->stderr_fd, STDERR_FILENO, O_WRONLY)) {
      Fail(exec, "redirect stdin/stdout/stderr");
    }
    if (spec->reset_signals) ResetSignals();
  }

  template <typename Executor>
  void on_error(Executor& exec, const std::error_code& /*error*/) const {
    if (exec.pid <= 0) return;
    while (::waitpid(exec.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

  template <typename Executor>
  [[noreturn]] static void Fail(Executor& exec, const char* what) {
    exec.set_error(std::error_code(errno, std::system_category()), what);
    ::_exit(127);
  }
};

// This process's environment with `entries` ("NAME=VALUE") set on top: a name already there
// is replaced. Built here rather than with Boost.Process's environment, whose find() compares
// past the end of entries shorter than the name (a heap overflow ASan reports).
Result<std::vector<std::string>> Environment(const std::vector<std::string>& entries) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
  }
  for (const std::string& entry : entries) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("environment entry \"" + entry + "\" is not NAME=VALUE");
    }
    const std::string_view name(entry.data(), eq + 1);  // with the '='
    auto same = std::find_if(env.begin(), env.end(),
                             [&](const std::string& e) { return e.starts_with(name); });
    if (same != env.end()) {
      *same = entry;
    } else {
      env.push_back(entry);
    }
  }
  return env;
}

}  // namespace

Result<pid_t> Launch(const LaunchSpec& spec) {
  if (spec.argv.empty()) return Status::InvalidArgument("launch: empty argument vector");
  const std::string& program = spec.argv[0];
  std::string exe = program;
  if (program.find('/') == std::string::npos) {
    const std::optional<std::filesystem::path> found = FindProgram(program);
    if (!found) return Status::NotFound(program + ": not found on PATH");
    exe = found->string();
  }
  Result<std::vector<std::string>> env = Environment(spec.env);
  if (!env.ok()) return env.status().WithContext(program);
  std::vector<char*> envp;  // built here too
  for (std::string& entry : *env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  std::vector<char*> cmd_line;  // built here: the forked child must not allocate
  for (const std::string& arg : spec.argv) cmd_line.push_back(const_cast<char*>(arg.c_str()));
  cmd_line.push_back(nullptr);
  try {
    const std::lock_guard<std::mutex> lock(launch_mutex);
    std::error_code error;
    bp::child child(bp::exe(exe), bp::args(args), ChildSetup(&spec, cmd_line.data(), envp.data()),
                    error);
    if (error) return Status::IoError(program + ": start: " + error.message());
    const pid_t pid = child.id();
    child.detach();  // the caller reaps it (Boost would SIGKILL it on destruction)
    return pid;
  } catch (const std::exception& e) {
    return Status::IoError(program + ": start: " + e.what());
  }
}

}  // namespace common::process::internal

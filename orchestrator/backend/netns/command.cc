#include "orchestrator/backend/netns/command.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <future>
#include <system_error>

#include "common/unique_fd.h"

namespace orchestrator::netns {

namespace bp = boost::process;
using common::Result;
using common::Status;

namespace {

std::string Join(const std::vector<std::string>& argv) {
  std::string joined;
  for (const std::string& arg : argv) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

using Fd = common::UniqueFd;

// Runs in the forked child before exec: joins the namespace, takes its own process group,
// points stdout/stderr at the log and undoes the parent's signal mask (the orchestrator blocks
// SIGINT/SIGTERM for its watcher thread; a node must die of SIGTERM).
struct JoinNetns : bp::extend::handler {
  JoinNetns(int netns, int log) : netns_fd(netns), log_fd(log) {}
  int netns_fd;
  int log_fd;

  template <typename Executor>
  void on_exec_setup(Executor& exec) const {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) Fail(exec, "setns");
    if (::setpgid(0, 0) != 0) Fail(exec, "setpgid");
    if (::dup2(log_fd, STDOUT_FILENO) < 0 || ::dup2(log_fd, STDERR_FILENO) < 0) {
      Fail(exec, "dup2 of the log");
    }
    sigset_t empty;
    sigemptyset(&empty);
    ::pthread_sigmask(SIG_SETMASK, &empty, nullptr);  // the child has one thread
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::sigaction(sig, &default_action, nullptr);
  }

  template <typename Executor>
  [[noreturn]] static void Fail(Executor& exec, const char* what) {
    exec.set_error(std::error_code(errno, std::system_category()), what);
    ::_exit(127);
  }
};

}  // namespace

std::optional<std::filesystem::path> FindProgram(const std::string& program) {
  try {
    const boost::filesystem::path found = bp::search_path(program);
    if (found.empty()) return std::nullopt;
    return std::filesystem::path(found.string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<CommandResult> RunCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::InvalidArgument("run: empty argument vector");
  std::filesystem::path exe = argv[0];
  if (exe.filename() == exe) {
    std::optional<std::filesystem::path> found = FindProgram(argv[0]);
    if (!found) return Status::NotFound(argv[0] + ": not found on PATH");
    exe = *found;
  }
  try {
    boost::asio::io_context ios;
    std::future<std::string> out;
    std::future<std::string> err;
    std::error_code ec;
    const std::vector<std::string> args(argv.begin() + 1, argv.end());
    bp::child child(exe.string(), bp::args(args), bp::std_in.close(), bp::std_out > out,
                    bp::std_err > err, ios, ec);
    if (ec) return Status::IoError(Join(argv) + ": " + ec.message());
    ios.run();
    child.wait(ec);
    if (ec) return Status::IoError(Join(argv) + ": wait: " + ec.message());
    return CommandResult{.exit_code = DecodeWaitStatus(child.native_exit_code()),
                         .out = out.get(),
                         .err = err.get()};
  } catch (const std::exception& e) {
    return Status::IoError(Join(argv) + ": " + e.what());
  }
}

Result<std::string> RunChecked(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(CommandResult result, RunCommand(argv));
  if (result.exit_code != 0) {
    std::string err = result.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return Status::IoError("`" + Join(argv) + "` exited " + std::to_string(result.exit_code) +
                           ": " + err);
  }
  return std::move(result.out);
}

Result<pid_t> SpawnInNetns(const SpawnOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("spawn: empty argument vector");
  const std::string& program = options.argv[0];
  const Fd netns(::open(options.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (netns.get() < 0) {
    return Status::IoError(options.netns_path.string() +
                           ": open: " + std::error_code(errno, std::generic_category()).message());
  }
  const Fd log(::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log.get() < 0) {
    return Status::IoError(options.log_path.string() +
                           ": open: " + std::error_code(errno, std::generic_category()).message());
  }
  try {
    std::error_code ec;
    const std::vector<std::string> args(options.argv.begin() + 1, options.argv.end());
    bp::environment env = boost::this_process::environment();
    for (const std::string& entry : options.env) {
      const size_t eq = entry.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::InvalidArgument("spawn: environment entry \"" + entry +
                                       "\" is not NAME=VALUE");
      }
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    bp::child child(program, bp::args(args), env, bp::std_in < bp::null,
                    JoinNetns(netns.get(), log.get()), ec);
    if (ec)
      return Status::IoError(program + ": start in " + options.netns_path.string() + ": " +
                             ec.message());
    const pid_t pid = child.id();
    child.detach();  // the caller's NodeProcess reaps it (Boost would SIGKILL it on destruction)
    return pid;
  } catch (const std::exception& e) {
    return Status::IoError(program + ": start: " + e.what());
  }
}

}  // namespace orchestrator::netns

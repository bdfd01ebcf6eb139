#include "common/process/line_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/errno_text.h"

namespace common::process {

namespace {

constexpr size_t kMaxLine = 16 << 20;

// Waits for `events` on `fd` until `until`: true when ready, false on timeout.
common::Result<bool> WaitFor(int fd, short events, LineProcess::Clock::time_point until) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - LineProcess::Clock::now());
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return Status::IoError(std::string("poll: ") + common::ErrnoText(errno));
  }
}

common::Status MakePipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::IoError(std::string("pipe: ") + common::ErrnoText(errno));
  }
  read_end = UniqueFd(fds[0]);
  write_end = UniqueFd(fds[1]);
  return Status::Ok();
}

}  // namespace

common::Result<LineProcess> LineProcess::Spawn(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env,
                                               const std::filesystem::path& stderr_log) {
  return Spawn(argv, env, stderr_log, std::nullopt);
}

common::Result<LineProcess> LineProcess::Spawn(
    const std::vector<std::string>& argv, const std::vector<std::string>& env,
    const std::filesystem::path& stderr_log,
    const std::optional<std::filesystem::path>& netns_path) {
  UniqueFd child_stdin;
  UniqueFd child_stdout;
  LineProcess process;
  // The child's stdin is a socket, so that writing to a client that died raises EPIPE with
  // MSG_NOSIGNAL instead of a SIGPIPE that would end this process.
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return Status::IoError(std::string("socketpair: ") + common::ErrnoText(errno));
  }
  child_stdin = UniqueFd(pair[0]);
  process.to_child_ = UniqueFd(pair[1]);
  ::shutdown(child_stdin.get(), SHUT_WR);
  RETURN_IF_ERROR(MakePipe(process.from_child_, child_stdout));
  for (const int fd : {process.to_child_.get(), process.from_child_.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  ASSIGN_OR_RETURN(process.child_, Child::Spawn({.argv = argv,
                                                 .env = env,
                                                 .log_path = stderr_log,
                                                 .netns_path = netns_path,
                                                 .new_process_group = true,
                                                 .stdin_fd = child_stdin.get(),
                                                 .stdout_fd = child_stdout.get()}));
  return process;
}

LineProcess& LineProcess::operator=(LineProcess&& other) noexcept {
  if (this != &other) {
    (void)Stop(std::chrono::milliseconds(2000));
    child_ = std::move(other.child_);
    to_child_ = std::move(other.to_child_);
    from_child_ = std::move(other.from_child_);
    buffered_ = std::move(other.buffered_);
  }
  return *this;
}

LineProcess::~LineProcess() { (void)Stop(std::chrono::milliseconds(2000)); }

common::Status LineProcess::WriteLine(std::string_view line, Clock::time_point until) {
  if (to_child_.get() < 0) return Status::Unavailable("the client's stdin is closed");
  std::string data(line);
  data += '\n';
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(to_child_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EPIPE) return Status::Unavailable("the client closed its stdin");
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::IoError(std::string("write to the client: ") + common::ErrnoText(errno));
    }
    ASSIGN_OR_RETURN(bool ready, WaitFor(to_child_.get(), POLLOUT, until));
    if (!ready) return Status::DeadlineExceeded("the client does not read its stdin");
  }
  return Status::Ok();
}

common::Result<std::string> LineProcess::ReadLine(Clock::time_point until) {
  for (;;) {
    if (const size_t nl = buffered_.find('\n'); nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    if (buffered_.size() > kMaxLine) return Status::InvalidArgument("a line over 16 MiB");
    if (from_child_.get() < 0) return Status::Unavailable("the client's stdout is closed");
    char chunk[4096];
    const ssize_t n = ::read(from_child_.get(), chunk, sizeof chunk);
    if (n > 0) {
      buffered_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return Status::Unavailable("the client closed its stdout (exited?)");
    if (errno != EAGAIN && errno != EINTR) {
      return Status::IoError(std::string("read from the client: ") + common::ErrnoText(errno));
    }
    ASSIGN_OR_RETURN(bool ready, WaitFor(from_child_.get(), POLLIN, until));
    if (!ready) return Status::DeadlineExceeded("no answer from the client in time");
  }
}

common::Status LineProcess::Kill() {
  to_child_.Reset();
  from_child_.Reset();
  if (child_.pid() <= 0) return Status::Ok();
  Result<ExitStatus> ended = child_.Kill();
  return ended.ok() ? Status::Ok() : ended.status();
}

common::Status LineProcess::Stop(std::chrono::milliseconds grace) {
  to_child_.Reset();  // EOF on its stdin: a well-behaved client exits on its own
  from_child_.Reset();
  if (child_.pid() <= 0) return Status::Ok();
  Result<ExitStatus> ended = child_.Stop(grace);
  return ended.ok() ? Status::Ok() : ended.status();
}

}  // namespace common::process

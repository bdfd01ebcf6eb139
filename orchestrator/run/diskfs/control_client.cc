#include "orchestrator/run/diskfs/control_client.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errno_text.h"
#include "common/unique_fd.h"

namespace diskfs {

using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;

Result<AbstractAddress> MakeAbstractAddress(const std::string& socket_name) {
  AbstractAddress out;
  out.address.sun_family = AF_UNIX;
  if (socket_name.empty() || socket_name.size() + 1 > sizeof(out.address.sun_path)) {
    return Status::InvalidArgument("control socket name \"" + socket_name +
                                   "\" is empty or too long");
  }
  std::memcpy(out.address.sun_path + 1, socket_name.data(), socket_name.size());
  out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + socket_name.size());
  return out;
}

namespace {

// Waits until `fd` is ready for `events` or `until` passes.
Status WaitFor(int fd, short events, Clock::time_point until, const std::string& what) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return Status::DeadlineExceeded(what + ": no answer in time");
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return Status::Ok();
    if (n < 0 && errno != EINTR)
      return Status::IoError(what + ": poll: " + common::ErrnoText(errno));
  }
}

Result<std::string> ReadLine(int fd, Clock::time_point until, const std::string& what) {
  std::string answer;
  char buf[512];
  while (answer.find('\n') == std::string::npos) {
    RETURN_IF_ERROR(WaitFor(fd, POLLIN, until, what));
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(what + ": read: " + common::ErrnoText(errno));
    if (n == 0) break;
    answer.append(buf, static_cast<size_t>(n));
    if (answer.size() > size_t{64} * 1024) return Status::IoError(what + ": answer too long");
  }
  const size_t end = answer.find('\n');
  if (end == std::string::npos) return Status::IoError(what + ": the helper closed early");
  return answer.substr(0, end);
}

}  // namespace

Result<std::string> Request(const std::string& socket_name, const std::string& request,
                            std::chrono::milliseconds timeout) {
  const std::string what = "diskfs control @" + socket_name + " (" + request + ")";
  const auto until = Clock::now() + timeout;
  ASSIGN_OR_RETURN(const AbstractAddress address, MakeAbstractAddress(socket_name));
  const common::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::IoError(what + ": socket: " + common::ErrnoText(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) !=
      0) {
    return Status::Unavailable(what + ": connect: " + common::ErrnoText(errno));
  }
  const std::string line = request + "\n";
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(line.size())) {
    return Status::IoError(what + ": send: " + common::ErrnoText(errno));
  }
  ASSIGN_OR_RETURN(std::string answer, ReadLine(fd.get(), until, what));
  if (answer.starts_with("error ")) return Status::InvalidArgument(what + ": " + answer.substr(6));
  if (answer != "ok" && !answer.starts_with("ok ")) {
    return Status::IoError(what + ": unexpected answer \"" + answer + "\"");
  }
  return answer;
}

}  // namespace diskfs

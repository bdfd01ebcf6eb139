#include "orchestrator/run/netns_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/errno_text.h"
#include "common/unique_fd.h"

namespace orchestrator {
namespace {

using common::ErrnoText;
using common::Result;
using common::Status;

using Fd = common::UniqueFd;

// Runs in the probing thread, already inside the namespace.
Result<bool> Connect(const sockaddr_in& address, std::chrono::milliseconds timeout) {
  Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return Status::IoError("probe: socket: " + ErrnoText(errno));
  int error = 0;
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    return true;
  }
  error = errno;
  if (error == EINPROGRESS) {
    pollfd entry{.fd = socket.get(), .events = POLLOUT, .revents = 0};
    int ready = 0;
    do {
      ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return false;  // no answer: dropped
    if (ready < 0) return Status::IoError("probe: poll: " + ErrnoText(errno));
    socklen_t length = sizeof(error);
    if (::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      return Status::IoError("probe: getsockopt: " + ErrnoText(errno));
    }
    if (error == 0) return true;
  }
  switch (error) {
    case ECONNREFUSED:
    case ECONNRESET:
      return true;  // the peer's kernel answered
    case EPERM:
    case EACCES:
    case ETIMEDOUT:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return false;
    default:
      return Status::IoError("probe: connect: " + ErrnoText(error));
  }
}

}  // namespace

Result<bool> TcpProbe(const std::string& netns_path, const std::string& ip, int port,
                      std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(const std::optional<double> took, TcpConnectMs(netns_path, ip, port, timeout));
  return took.has_value();
}

Result<std::optional<double>> TcpConnectMs(const std::string& netns_path, const std::string& ip,
                                           int port, std::chrono::milliseconds timeout) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
    return Status::InvalidArgument("probe: not an IPv4 address and port: " + ip + ":" +
                                   std::to_string(port));
  }
  Fd netns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (netns.get() < 0) {
    return Status::Unavailable("probe: open " + netns_path + ": " + ErrnoText(errno));
  }
  Result<std::optional<double>> result = Status::Internal("probe: the probing thread did not run");
  // The thread's namespace is its own (setns acts on the calling thread), and it ends with it.
  std::thread prober([&] {
    if (::setns(netns.get(), CLONE_NEWNET) != 0) {
      result = Status::Unavailable("probe: join " + netns_path + ": " + ErrnoText(errno));
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    Result<bool> reached = Connect(address, timeout);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (!reached.ok()) {
      result = reached.status();
    } else {
      result = *reached ? std::optional<double>(took.count()) : std::nullopt;
    }
  });
  prober.join();
  return result;
}

}  // namespace orchestrator

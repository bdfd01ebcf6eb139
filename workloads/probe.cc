#include "workloads/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "common/errno_text.h"
#include "common/process/run.h"
#include "common/unique_fd.h"

namespace workloads {

using common::Result;
using common::Status;
using common::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

std::string Where(const std::string& ip, uint16_t port) { return ip + ":" + std::to_string(port); }

// Waits for `events` on `fd` until `until`; false on timeout.
Result<bool> WaitFor(int fd, short events, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return Status::IoError(std::string("poll: ") + common::ErrnoText(errno));
  }
}

Result<UniqueFd> Connect(const std::string& ip, uint16_t port, Clock::time_point until) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: \"" + ip + "\"");
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::IoError(std::string("socket: ") + common::ErrnoText(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    return Status::Unavailable("connect " + Where(ip, port) + ": " + common::ErrnoText(errno));
  }
  ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLOUT, until));
  if (!ready) return Status::DeadlineExceeded("connect " + Where(ip, port) + ": timed out");
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
  if (error != 0) {
    return Status::Unavailable("connect " + Where(ip, port) + ": " + common::ErrnoText(error));
  }
  return fd;
}

Result<std::string> Http(const HttpProbe& http, const std::string& ip,
                         std::chrono::milliseconds deadline) {
  std::string request =
      http.method + " " + http.path + " HTTP/1.0\r\nHost: " + ip + "\r\nConnection: close\r\n";
  if (http.method == "POST") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(http.body.size()) +
        "\r\n";
  }
  request += "\r\n" + (http.method == "POST" ? http.body : "");
  ASSIGN_OR_RETURN(std::string answer, TcpExchange(ip, http.port, request, deadline));
  const size_t space = answer.find(' ');
  const size_t head_end = answer.find("\r\n\r\n");
  if (!answer.starts_with("HTTP/") || space == std::string::npos || head_end == std::string::npos) {
    return Status::Unavailable("http " + Where(ip, http.port) + http.path + ": not an HTTP answer");
  }
  const std::string code = answer.substr(space + 1, 3);
  if (code.empty() || code[0] != '2') {
    return Status::Unavailable("http " + Where(ip, http.port) + http.path + ": status " + code);
  }
  return answer.substr(head_end + 4);
}

void Flatten(const nlohmann::json& j, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      std::string name = prefix;
      if (!name.empty()) name += ".";
      name += key;
      Flatten(value, name, out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      Flatten(j[i], prefix.empty() ? std::to_string(i) : prefix + "." + std::to_string(i), out);
    }
  } else if (j.is_string()) {
    out[prefix] = j.get<std::string>();
  } else if (!j.is_null()) {
    out[prefix] = j.dump();
  }
}

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<std::string> TcpExchange(const std::string& ip, uint16_t port, std::string_view request,
                                std::chrono::milliseconds deadline, size_t max_bytes) {
  const Clock::time_point until = Clock::now() + deadline;
  ASSIGN_OR_RETURN(UniqueFd fd, Connect(ip, port, until));
  size_t sent = 0;
  while (sent < request.size()) {
    ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLOUT, until));
    if (!ready) return Status::DeadlineExceeded("send to " + Where(ip, port) + ": timed out");
    const ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::Unavailable("send to " + Where(ip, port) + ": " + common::ErrnoText(errno));
    }
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  while (answer.size() < max_bytes) {
    ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLIN, until));
    if (!ready) {
      return Status::DeadlineExceeded("read from " + Where(ip, port) + ": timed out after " +
                                      std::to_string(answer.size()) + " bytes");
    }
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ECONNRESET && !answer.empty()) break;  // closed without reading all we sent
      return Status::Unavailable("read from " + Where(ip, port) + ": " + common::ErrnoText(errno));
    }
    answer.append(buffer, static_cast<size_t>(n));
  }
  return answer;
}

Result<std::string> RunProbe(const Probe& probe, const TemplateContext& context,
                             std::chrono::milliseconds deadline) {
  if (const auto* tcp = std::get_if<TcpProbe>(&probe.how)) {
    ASSIGN_OR_RETURN(std::string answer, TcpExchange(context.ip, tcp->port, tcp->send, deadline));
    if (!tcp->expect.empty() && answer.find(tcp->expect) == std::string::npos) {
      return Status::Unavailable("tcp " + Where(context.ip, tcp->port) + ": answer has no \"" +
                                 tcp->expect + "\"");
    }
    return answer;
  }
  if (const auto* http = std::get_if<HttpProbe>(&probe.how))
    return Http(*http, context.ip, deadline);
  const auto& command = std::get<CommandProbe>(probe.how);
  const std::vector<std::string> argv = RenderArgv(command.argv, context);
  ASSIGN_OR_RETURN(common::process::RunOutput ran,
                   common::process::Run({.argv = argv, .deadline = deadline}));
  if (!ran.status.ok()) {
    return Status::Unavailable(common::process::JoinArgv(argv) + ": " + ran.status.Describe() +
                               (ran.err.empty() ? "" : ": " + Trim(ran.err)));
  }
  return ran.out;
}

Result<std::map<std::string, std::string>> ProbeFields(ProbeFormat format, std::string_view text) {
  std::map<std::string, std::string> out;
  if (format == ProbeFormat::kJson) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return Status::InvalidArgument("the answer is not JSON");
    Flatten(j, "", out);
    return out;
  }
  if (format == ProbeFormat::kKeyValue) {
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(start, end - start);
      start = end + 1;
      const size_t sep = line.find_first_of(":=");
      if (sep == std::string_view::npos || sep == 0) continue;
      out[Trim(line.substr(0, sep))] = Trim(line.substr(sep + 1));
    }
  }
  return out;
}

}  // namespace workloads

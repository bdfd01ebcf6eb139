#include "orchestrator/run/diskfs/control_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <vector>

#include "common/errno_text.h"
#include "orchestrator/run/diskfs/control_client.h"
#include "orchestrator/run/diskfs/control_protocol.h"

namespace diskfs {

using common::Result;
using common::Status;

namespace {

constexpr size_t kMaxRequestBytes = 1024;

std::string Crash(DiskState& state) {
  Result<std::vector<std::string>> reverted = std::vector<std::string>{};
  {
    common::MutexLock lock(state.mutex);
    reverted = state.unsynced.Crash();
  }
  if (!reverted.ok()) return "error crash: " + reverted.status().message();
  // Outside the lock: the kernel may call back into the filesystem while it invalidates.
  for (const std::string& path : *reverted) {
    if (state.fuse != nullptr) fuse_invalidate_path(state.fuse, ("/" + path).c_str());
  }
  return "ok reverted=" + std::to_string(reverted->size());
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Start(const std::string& socket_name,
                                                            DiskState& state) {
  ASSIGN_OR_RETURN(const AbstractAddress address, MakeAbstractAddress(socket_name));
  common::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::IoError("control socket: " + common::ErrnoText(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) != 0 ||
      ::listen(fd.get(), 8) != 0) {
    return Status::IoError("control socket @" + socket_name + ": " + common::ErrnoText(errno));
  }
  std::unique_ptr<ControlServer> server(new ControlServer(std::move(fd), state));
  server->thread_ = std::thread([raw = server.get()] { raw->Loop(); });
  return server;
}

ControlServer::~ControlServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string ControlServer::Handle(DiskState& state, const std::string& request) {
  if (request == "crash") return Crash(state);
  if (request == "get") {
    common::MutexLock lock(state.mutex);
    return "ok " + FormatFaults(state.faults) +
           " unsynced_files=" + std::to_string(state.unsynced.files()) +
           " image_bytes=" + std::to_string(state.unsynced.image_bytes());
  }
  if (request == "set" || request.starts_with("set ")) {
    Result<nemesis::DiskFaults> faults =
        ParseFaults(request.size() > 4 ? std::string_view(request).substr(4) : "");
    if (!faults.ok()) return "error set: " + faults.status().message();
    common::MutexLock lock(state.mutex);
    state.faults = *faults;
    return "ok " + FormatFaults(state.faults);
  }
  return "error unknown request \"" + request.substr(0, 80) + "\" (known: set, get, crash)";
}

void ControlServer::Loop() {
  while (!stopping_) {
    pollfd p{.fd = listener_.get(), .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const common::UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (connection.get() < 0) continue;
    Serve(connection.get());
  }
}

void ControlServer::Serve(int connection) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::string request;
  char buf[256];
  while (request.find('\n') == std::string::npos && request.size() <= kMaxRequestBytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd p{.fd = connection, .events = POLLIN, .revents = 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::read(connection, buf, sizeof(buf));
    if (n <= 0) return;
    request.append(buf, static_cast<size_t>(n));
  }
  const size_t end = request.find('\n');
  const std::string answer = (end == std::string::npos ? "error request longer than 1 KiB"
                                                       : Handle(state_, request.substr(0, end))) +
                             "\n";
  if (::send(connection, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) {
    std::cerr << "splitbrain-diskfs: control answer: " << common::ErrnoText(errno) << "\n";
  }
}

}  // namespace diskfs

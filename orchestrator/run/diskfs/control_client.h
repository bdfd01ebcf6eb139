// The client side of splitbrain-diskfs's control socket (control_protocol.h): one request line,
// one answer line, within a deadline. Thread-safe (each request is its own connection).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <string>

#include "common/status.h"

namespace diskfs {

// The address of `socket_name` in the abstract namespace; `length` is what bind/connect take.
struct AbstractAddress {
  sockaddr_un address{};
  socklen_t length = 0;
};
common::Result<AbstractAddress> MakeAbstractAddress(const std::string& socket_name);

// Sends `request` and returns the answer line. An `error ...` answer becomes an
// InvalidArgument with its message; no answer within `timeout`, DeadlineExceeded; no helper
// listening, Unavailable.
common::Result<std::string> Request(const std::string& socket_name, const std::string& request,
                                    std::chrono::milliseconds timeout);

}  // namespace diskfs

// TcpProbe: whether a TCP connection from inside a network namespace reaches an address, for
// the nemesis's check that a cut took effect (and cut nothing else).
//
// The connect is made from a short-lived thread that joins the namespace (setns on a file
// descriptor of `netns_path`, a path `nsenter --net=PATH` accepts) and makes its socket there;
// the rest of the process stays where it is. An answer of any kind counts as reached: the
// connection was accepted, or refused (a node whose process is down still answers with a
// reset). A connect that a firewall rule refuses at once (EPERM, EACCES), an unreachable
// network or host, or no answer within `timeout` counts as not reached. An error only when the
// probe itself cannot be made (no such namespace, not permitted to join it).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"

namespace orchestrator {

common::Result<bool> TcpProbe(const std::string& netns_path, const std::string& ip, int port,
                              std::chrono::milliseconds timeout);

// The same probe, timed: how long (ms) the connect took to be answered, empty when it was not.
common::Result<std::optional<double>> TcpConnectMs(const std::string& netns_path,
                                                   const std::string& ip, int port,
                                                   std::chrono::milliseconds timeout);

}  // namespace orchestrator

// Probes of a defined database (docs/db-definitions.md): a TCP exchange, an HTTP request or a
// command, run against one node within a deadline; and the fields of what it answered.
// Thread-safe: no state.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "workloads/db_definition.h"

namespace workloads {

// Runs `probe` against the node `context` describes (its ip; placeholders of a command filled
// in). The answer's text when it succeeded (tcp: every byte until the peer closed; http: the
// body of a 2xx answer; command: stdout of an exit 0); Unavailable or DeadlineExceeded saying
// why when not.
common::Result<std::string> RunProbe(const Probe& probe, const TemplateContext& context,
                                     std::chrono::milliseconds deadline);

// The fields of an answer. kJson: an object's members flattened to dotted names
// ("Status.header.member_id"), each scalar as text (strings unquoted, true/false, numbers as
// written). kKeyValue: "key: value", "key:value" or "key=value" lines, the rest ignored.
// InvalidArgument for JSON that does not parse.
common::Result<std::map<std::string, std::string>> ProbeFields(ProbeFormat format,
                                                               std::string_view text);

// One TCP exchange with `ip:port`: connect, send `request`, read until the peer closes or
// `max_bytes` arrived, all within `deadline`.
common::Result<std::string> TcpExchange(const std::string& ip, uint16_t port,
                                        std::string_view request,
                                        std::chrono::milliseconds deadline,
                                        size_t max_bytes = 1 << 20);

}  // namespace workloads

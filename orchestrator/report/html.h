// Escaping for the report pages: every value that comes from a history, a log, a spec or a
// folder name goes through one of these before it reaches HTML. Pure functions, thread-safe.
//
// - EscapeHtml: text and attribute contexts (& < > " ' become entities); bytes that are not
//   valid UTF-8 become U+FFFD so a page never carries a broken sequence;
// - JsonForScript: JSON for a <script type="application/json"> block. '<', '>' and '&' are
//   written as \u003c, \u003e, \u0026 (valid JSON, read back unchanged by JSON.parse), so no
//   "</script>" or "<!--" can end or bend the block;
// - EscapeUrlPath: a relative link built from names (test folders, node folders): each byte
//   outside [A-Za-z0-9._~/-] is percent-encoded, so ':' (a scheme), '?' and '#' cannot appear;
// - ShellQuote: one argument as a POSIX shell word, for the "reproduce" command line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrator::report {

std::string EscapeHtml(std::string_view text);
std::string JsonForScript(const nlohmann::json& value);
std::string EscapeUrlPath(std::string_view path);
std::string ShellQuote(std::string_view word);
std::string ShellCommand(const std::vector<std::string>& argv);

// Valid UTF-8 with each invalid byte replaced by U+FFFD.
std::string ValidUtf8(std::string_view text);

}  // namespace orchestrator::report

// Templates: placeholders checked when parsed, rendered per node.
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>

#include "workloads/db_definition.h"
#include "workloads/db_definition_internal.h"

namespace workloads::definition_internal {

using common::Result;
using common::Status;

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 9> kPlaceholders = {
    "id", "ip", "client_port", "data_dir", "nodes", "first_ip", "majority", "dir", "endpoints"};
constexpr std::array<std::string_view, 2> kPeerPlaceholders = {"peer_id", "peer_ip"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Calls `each(name)` for every {name} in `text`; {{ and }} are literal braces.
template <typename Fn>
Status ForEachPlaceholder(std::string_view text, const Fn& each) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      ++i;
      continue;
    }
    if (text[i] == '}') return Status::InvalidArgument("a lone '}' (write }} for a brace)");
    if (text[i] != '{') continue;
    const size_t end = text.find('}', i);
    if (end == std::string_view::npos) return Status::InvalidArgument("an unclosed '{'");
    RETURN_IF_ERROR(each(text.substr(i + 1, end - i - 1)));
    i = end;
  }
  return Status::Ok();
}

Status CheckPlaceholders(const std::string& field, const std::string& text, bool peers) {
  Status checked = ForEachPlaceholder(text, [&](std::string_view name) {
    if (Contains(kPlaceholders, name) || (peers && Contains(kPeerPlaceholders, name))) {
      return Status::Ok();
    }
    return Status::InvalidArgument(
        "unknown placeholder {" + std::string(name) + "}" +
        (Contains(kPeerPlaceholders, name) ? " (only inside each_node)" : ""));
  });
  return checked.ok() ? checked : Bad(field, checked.message());
}
Result<TemplatePiece> Piece(const Json& j, const std::string& field) {
  if (j.is_string()) {
    RETURN_IF_ERROR(CheckPlaceholders(field, j.get<std::string>(), false));
    return TemplatePiece(TemplateText{j.get<std::string>()});
  }
  if (!j.is_object()) return Bad(field, "must be a string or an object (each_node, if)");
  if (j.contains("each_node")) {
    RETURN_IF_ERROR(OnlyKeys(j, field, {"each_node", "join"}));
    TemplateEachNode each;
    ASSIGN_OR_RETURN(each.pattern, String(j["each_node"], field + ".each_node"));
    RETURN_IF_ERROR(CheckPlaceholders(field + ".each_node", each.pattern, true));
    if (j.contains("join")) {
      ASSIGN_OR_RETURN(each.join, String(j["join"], field + ".join"));
    }
    return TemplatePiece(each);
  }
  if (j.contains("if")) {
    RETURN_IF_ERROR(OnlyKeys(j, field, {"if", "line"}));
    ASSIGN_OR_RETURN(std::string when, String(j["if"], field + ".if"));
    if (when != "first" && when != "not_first") {
      return Bad(field + ".if", R"(must be "first" or "not_first", not ")" + when + "\"");
    }
    ASSIGN_OR_RETURN(const Json* line, Member(j, "line", field, true));
    ASSIGN_OR_RETURN(std::string text, String(*line, field + ".line"));
    RETURN_IF_ERROR(CheckPlaceholders(field + ".line", text, false));
    return TemplatePiece(TemplateIf{.first = when == "first", .text = text});
  }
  return Bad(field, R"(an object here needs "each_node" or "if")");
}

std::string Substitute(std::string_view text, const TemplateContext& c, int peer) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
      out += text[i++];
      continue;
    }
    const size_t end = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (end == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view name = text.substr(i + 1, end - i - 1);
    i = end;
    const int n = static_cast<int>(c.ips.size());
    if (name == "id")
      out += std::to_string(c.id);
    else if (name == "ip")
      out += c.ip;
    else if (name == "client_port")
      out += std::to_string(c.client_port);
    else if (name == "data_dir")
      out += c.data_dir;
    else if (name == "nodes")
      out += std::to_string(n);
    else if (name == "majority")
      out += std::to_string(n / 2 + 1);
    else if (name == "first_ip")
      out += c.ips.empty() ? "" : c.ips.front();
    else if (name == "dir")
      out += c.dir.string();
    else if (name == "peer_id")
      out += std::to_string(peer);
    else if (name == "peer_ip" && peer >= 1 && peer <= n)
      out += c.ips[peer - 1];
    else if (name == "endpoints") {
      for (int p = 0; p < n; ++p) {
        out += (p > 0 ? "," : "") + c.ips[p] + ":" + std::to_string(c.client_port);
      }
    }
  }
  return out;
}

// Each piece's expansion on this node: nullopt when an `if` drops it.
std::vector<std::string> Expand(const TemplatePiece& piece, const TemplateContext& c, bool join) {
  if (const auto* t = std::get_if<TemplateText>(&piece)) return {Substitute(t->text, c, 0)};
  if (const auto* when = std::get_if<TemplateIf>(&piece)) {
    if (when->first != (c.id == 1)) return {};
    return {Substitute(when->text, c, 0)};
  }
  const auto& each = std::get<TemplateEachNode>(piece);
  std::vector<std::string> out;
  for (int peer = 1; peer <= static_cast<int>(c.ips.size()); ++peer) {
    out.push_back(Substitute(each.pattern, c, peer));
  }
  if (!join) return out;
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) joined += (i > 0 ? each.join : "") + out[i];
  return {joined};
}

}  // namespace

Result<Template> ParseTemplate(const Json& j, const std::string& field, bool need_program) {
  if (!j.is_array() || j.empty()) return Bad(field, "must be a non-empty array");
  Template out;
  for (size_t i = 0; i < j.size(); ++i) {
    ASSIGN_OR_RETURN(TemplatePiece piece, Piece(j[i], field + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(piece));
  }
  if (need_program) {
    const auto* program = std::get_if<TemplateText>(&out.front());
    if (program == nullptr ||
        (program->text.rfind('/', 0) != 0 && program->text.rfind("{dir}/", 0) != 0)) {
      return Bad(field + "[0]", "must be the program's absolute path (or {dir}/...)");
    }
  }
  return out;
}

}  // namespace workloads::definition_internal

namespace workloads {
using definition_internal::Expand;
std::vector<std::string> RenderArgv(const Template& argv, const TemplateContext& context) {
  std::vector<std::string> out;
  for (const TemplatePiece& piece : argv) {
    for (std::string& s : Expand(piece, context, true)) out.push_back(std::move(s));
  }
  return out;
}

std::string RenderLines(const Template& lines, const TemplateContext& context) {
  std::string out;
  for (const TemplatePiece& piece : lines) {
    for (const std::string& s : Expand(piece, context, false)) out += s + "\n";
  }
  return out;
}

}  // namespace workloads

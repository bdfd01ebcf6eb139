#include "orchestrator/run/backend/netns/subnet.h"

#include <arpa/inet.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace orchestrator::netns {

using common::Result;
using common::Status;
using nlohmann::json;

namespace {

struct Prefix {
  uint32_t network = 0;  // host byte order
  int length = 0;
};

std::optional<uint32_t> ParseIpv4(const std::string& text) {
  in_addr addr{};
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

// "a.b.c.d/len" or "a.b.c.d" (a /32); nullopt for anything else ("default", IPv6).
std::optional<Prefix> ParsePrefix(const std::string& text) {
  const size_t slash = text.find('/');
  std::optional<uint32_t> ip = ParseIpv4(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int length = 32;
  if (slash != std::string::npos) {
    const std::string len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 2 ||
        len_text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    length = std::stoi(len_text);
    if (length > 32) return std::nullopt;
  }
  return Prefix{.network = *ip, .length = length};
}

bool Overlaps(const Prefix& a, const Prefix& b) {
  const int common_length = std::min(a.length, b.length);
  if (common_length == 0) return true;
  const int shift = 32 - common_length;
  return (static_cast<uint64_t>(a.network) >> shift) == (static_cast<uint64_t>(b.network) >> shift);
}

Result<std::vector<Prefix>> TakenPrefixes(std::string_view routes_json,
                                          std::string_view addrs_json) {
  const json routes = json::parse(routes_json, nullptr, /*allow_exceptions=*/false);
  const json addrs = json::parse(addrs_json, nullptr, /*allow_exceptions=*/false);
  if (routes.is_discarded() || !routes.is_array()) {
    return Status::InvalidArgument("ip route: output is not a JSON array");
  }
  if (addrs.is_discarded() || !addrs.is_array()) {
    return Status::InvalidArgument("ip addr: output is not a JSON array");
  }
  std::vector<Prefix> taken;
  for (const json& route : routes) {
    if (!route.is_object() || !route.contains("dst") || !route["dst"].is_string()) continue;
    std::optional<Prefix> prefix = ParsePrefix(route["dst"].get<std::string>());
    if (prefix && prefix->length > 0) taken.push_back(*prefix);
  }
  for (const json& link : addrs) {
    if (!link.is_object() || !link.contains("addr_info") || !link["addr_info"].is_array()) continue;
    for (const json& info : link["addr_info"]) {
      if (!info.is_object() || !info.contains("local") || !info["local"].is_string()) continue;
      std::optional<uint32_t> ip = ParseIpv4(info["local"].get<std::string>());
      const int length = info.contains("prefixlen") && info["prefixlen"].is_number_integer()
                             ? info["prefixlen"].get<int>()
                             : 32;
      if (ip && length > 0 && length <= 32) taken.push_back({.network = *ip, .length = length});
    }
  }
  return taken;
}

}  // namespace

bool IsRunId(std::string_view run_id) {
  return run_id.size() == 8 && run_id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Result<std::string> ChooseSubnet(std::string_view run_id, std::string_view routes_json,
                                 std::string_view addrs_json) {
  if (!IsRunId(run_id)) {
    return Status::InvalidArgument("run id \"" + std::string(run_id) +
                                   "\": want 8 lowercase hex digits");
  }
  ASSIGN_OR_RETURN(const std::vector<Prefix> taken, TakenPrefixes(routes_json, addrs_json));
  const uint32_t start = std::stoul(std::string(run_id), nullptr, 16) % 256;
  for (uint32_t step = 0; step < 256; ++step) {
    const uint32_t octet = (start + step) % 256;
    const Prefix candidate{.network = (10u << 24) | (214u << 16) | (octet << 8), .length = 24};
    bool is_free = true;
    for (const Prefix& prefix : taken) is_free = is_free && !Overlaps(candidate, prefix);
    if (is_free) return "10.214." + std::to_string(octet);
  }
  return Status::ResourceExhausted("no free /24 in 10.214.0.0/16: every one is routed");
}

}  // namespace orchestrator::netns

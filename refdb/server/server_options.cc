#include "refdb/server/server_options.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <string_view>

namespace refdb::server {

using common::Result;
using common::Status;

namespace {

Result<uint64_t> ParseNumber(std::string_view flag, std::string_view text, uint64_t min,
                             uint64_t max) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(std::string(flag) + ": \"" + std::string(text) +
                                   "\" is not a number in [" + std::to_string(min) + ", " +
                                   std::to_string(max) + "]");
  }
  return value;
}

Result<std::map<uint64_t, std::string>> ParsePeers(std::string_view text) {
  std::map<uint64_t, std::string> peers;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq + 1 == item.size()) {
      return Status::InvalidArgument("--peers: \"" + std::string(item) + "\" is not ID=ADDR");
    }
    ASSIGN_OR_RETURN(uint64_t id, ParseNumber("--peers", item.substr(0, eq), 1, UINT32_MAX));
    if (!peers.emplace(id, std::string(item.substr(eq + 1))).second) {
      return Status::InvalidArgument("--peers: id " + std::to_string(id) + " appears twice");
    }
  }
  return peers;
}

Status SetBug(ServerOptions& o, std::string_view name) {
  const std::map<std::string_view, bool ServerOptions::*> bugs = {
      {"half-quorum", &ServerOptions::bug_half_quorum},
      {"vote-without-log-check", &ServerOptions::bug_vote_without_log_check},
      {"commit-previous-term", &ServerOptions::bug_commit_previous_term},
      {"stale-reads", &ServerOptions::bug_stale_reads},
      {"no-fsync", &ServerOptions::bug_no_fsync},
      {"apply-before-durable", &ServerOptions::bug_apply_before_durable},
      {"dedup-lost-on-snapshot", &ServerOptions::bug_dedup_lost_on_snapshot},
  };
  auto it = bugs.find(name);
  if (it == bugs.end()) {
    return Status::InvalidArgument("--bug: unknown bug \"" + std::string(name) +
                                   "\" (known: half-quorum, vote-without-log-check, "
                                   "commit-previous-term, stale-reads, no-fsync, "
                                   "apply-before-durable, dedup-lost-on-snapshot)");
  }
  o.*(it->second) = true;
  return Status::Ok();
}

Status SetFlag(ServerOptions& o, std::string_view flag, std::string_view value) {
  if (flag == "--id") {
    ASSIGN_OR_RETURN(o.id, ParseNumber(flag, value, 1, UINT32_MAX));
  } else if (flag == "--listen") {
    o.listen_address = value;
  } else if (flag == "--peers") {
    ASSIGN_OR_RETURN(o.peers, ParsePeers(value));
  } else if (flag == "--data") {
    o.data_dir = value;
  } else if (flag == "--tick-ms") {
    ASSIGN_OR_RETURN(uint64_t v, ParseNumber(flag, value, 1, 10000));
    o.tick_ms = static_cast<int>(v);
  } else if (flag == "--election-ticks") {
    ASSIGN_OR_RETURN(uint64_t v, ParseNumber(flag, value, 2, 100000));
    o.election_ticks = static_cast<int>(v);
  } else if (flag == "--heartbeat-ticks") {
    ASSIGN_OR_RETURN(uint64_t v, ParseNumber(flag, value, 1, 100000));
    o.heartbeat_ticks = static_cast<int>(v);
  } else if (flag == "--snapshot-threshold") {
    ASSIGN_OR_RETURN(o.snapshot_threshold_entries, ParseNumber(flag, value, 1, UINT64_MAX));
  } else if (flag == "--session-timeout") {
    // Up to ten years, so the timeout in nanoseconds fits an int64.
    ASSIGN_OR_RETURN(o.session_timeout_s, ParseNumber(flag, value, 0, 315'360'000));
  } else if (flag == "--tls-ca") {
    o.tls.ca = value;
  } else if (flag == "--tls-cert") {
    o.tls.cert = value;
  } else if (flag == "--tls-key") {
    o.tls.key = value;
  } else if (flag == "--bug") {
    return SetBug(o, value);
  } else {
    return Status::InvalidArgument("unknown flag " + std::string(flag));
  }
  return Status::Ok();
}

Status Finish(ServerOptions& o) {
  if (o.id == 0) return Status::InvalidArgument("--id is required");
  if (o.listen_address.empty()) return Status::InvalidArgument("--listen is required");
  if (o.data_dir.empty()) return Status::InvalidArgument("--data is required");
  auto self = o.peers.find(o.id);
  if (self != o.peers.end()) {
    if (self->second != o.listen_address) {
      return Status::InvalidArgument("--peers: this node (" + std::to_string(o.id) + ") is " +
                                     self->second + " but --listen is " + o.listen_address);
    }
    o.peers.erase(self);
  }
  if (o.tls.enabled() && (o.tls.ca.empty() || o.tls.cert.empty() || o.tls.key.empty())) {
    return Status::InvalidArgument("--tls-ca, --tls-cert and --tls-key go together");
  }
  if (o.heartbeat_ticks >= o.election_ticks) {
    return Status::InvalidArgument("--heartbeat-ticks must be below --election-ticks");
  }
  return Status::Ok();
}

}  // namespace

Result<ServerOptions> ParseFlags(std::span<const std::string> args) {
  ServerOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--join") {
      o.join = true;
      continue;
    }
    std::string_view value;
    const size_t eq = flag.find('=');
    if (flag.starts_with("--") && eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument(std::string(flag) + " needs a value");
    }
    RETURN_IF_ERROR(SetFlag(o, flag, value));
  }
  RETURN_IF_ERROR(Finish(o));
  return o;
}

raft::Config ServerOptions::RaftConfig() const {
  raft::Config c{.id = id,
                 .election_timeout_ticks = election_ticks,
                 .heartbeat_timeout_ticks = heartbeat_ticks,
                 .pre_vote = true,
                 .check_quorum = true,
                 .max_entries_per_append = max_entries_per_append,
                 .bug_half_quorum = bug_half_quorum,
                 .bug_vote_without_log_check = bug_vote_without_log_check,
                 .bug_commit_previous_term = bug_commit_previous_term,
                 .bug_stale_reads = bug_stale_reads};
  if (join) return c;  // no bootstrap voters: the leader's log says who the members are
  c.peers.push_back(id);
  for (const auto& [peer_id, address] : peers) c.peers.push_back(peer_id);
  std::sort(c.peers.begin(), c.peers.end());
  return c;
}

std::string ServerOptions::AddressOf(uint64_t member) const {
  if (member == id) return listen_address;
  auto it = peers.find(member);
  return it == peers.end() ? "" : it->second;
}

std::string Usage() {
  return "usage: refdb --id N --listen ADDR --peers ID=ADDR,... --data DIR\n"
         "             [--tick-ms 10] [--election-ticks 15] [--heartbeat-ticks 2]\n"
         "             [--snapshot-threshold 100000] [--session-timeout 60] [--bug NAME]... "
         "[--join]\n"
         "             [--tls-ca FILE --tls-cert FILE --tls-key FILE]\n"
         "bugs: half-quorum vote-without-log-check commit-previous-term stale-reads no-fsync\n"
         "      apply-before-durable dedup-lost-on-snapshot\n";
}

}  // namespace refdb::server

#include "checker/fencing_check.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "checker/json_util.h"
#include "checker/lease_check.h"
#include "checker/text_util.h"

namespace checker {
namespace {

struct TokenTenure {
  int64_t candidate = 0;
  int64_t token = 0;
  int64_t start_ns = 0;
};

struct FencedWrite {
  int64_t token = 0;
  int64_t candidate = 0;
  int64_t process = 0;
  int64_t call_time_ns = 0;
  std::string value;
};

// "<token>:<candidate>:<n>" -> {token, candidate}.
std::optional<std::pair<int64_t, int64_t>> ParseFencedValue(const std::string& value) {
  int64_t token = 0;
  int64_t candidate = 0;
  const char* end = value.data() + value.size();
  auto [at, error] = std::from_chars(value.data(), end, token);
  if (error != std::errc() || at == end || *at != ':') return std::nullopt;
  auto [at2, error2] = std::from_chars(at + 1, end, candidate);
  if (error2 != std::errc()) return std::nullopt;
  return std::make_pair(token, candidate);
}

struct Tenures {
  std::vector<TokenTenure> tenures;
  int64_t origin_ns = 0;  // the lease-config event's time
};

Result<Tenures> ReadTenures(const History& history) {
  Tenures out;
  bool config = false;
  for (const Event& event : history.events) {
    if (event.process.is_client() || event.process.name != kLeaseProcess) continue;
    if (event.f == "lease-config") {
      config = true;
      out.origin_ns = event.time_ns;
    }
    if (event.f != "tenure") continue;
    auto candidate = IntField(event.value, "candidate");
    auto token = IntField(event.value, "token");
    auto start = IntField(event.value, "start_ns");
    if (!candidate || !token || !start) {
      return Status::InvalidArgument(
          EventWhere(history, event) +
          R"(: tenure needs integer "candidate", "token" and "start_ns")");
    }
    out.tenures.push_back({*candidate, *token, *start});
  }
  if (!config) return Status::InvalidArgument("no lease-config event: not an election history");
  return out;
}

// The accepted writes of the protected key; `unknown` counts those that may have happened.
std::vector<FencedWrite> AcceptedWrites(const std::vector<Operation>& ops, int64_t& unknown) {
  std::vector<FencedWrite> out;
  for (const Operation& op : ops) {
    if (op.key != kFencedKey) continue;
    std::optional<std::string> written;
    if (op.f == "write" && op.input.is_string()) written = op.input.get<std::string>();
    if (op.f == "cas" && op.input.is_array() && op.input.size() == 2 && op.input[1].is_string()) {
      if (!op.is_unknown && op.output == Json(false)) continue;  // the compare failed
      written = op.input[1].get<std::string>();
    }
    if (!written) continue;
    if (op.is_unknown) {
      ++unknown;
      continue;
    }
    auto parsed = ParseFencedValue(*written);
    if (!parsed) continue;
    out.push_back({parsed->first, parsed->second, op.process, op.call_time_ns, *written});
  }
  return out;
}

}  // namespace

RunCheckResult CheckFencing(const RunHistory& run) {
  auto tenures = ReadTenures(run.history);
  if (!tenures.ok()) return UnknownRunCheck(tenures.status().message());
  if (!run.operations_status.ok()) {
    return UnknownRunCheck("the history's operations do not pair: " +
                           run.operations_status.message());
  }
  int64_t unknown = 0;
  const std::vector<FencedWrite> writes = AcceptedWrites(run.operations, unknown);
  auto seconds = [&](int64_t ns) {
    return text::Fixed(static_cast<double>(ns - tenures->origin_ns) / 1e9, 3);
  };
  int64_t stale = 0;
  std::string first;
  for (const FencedWrite& w : writes) {
    for (const TokenTenure& t : tenures->tenures) {
      if (t.token <= w.token || t.start_ns > w.call_time_ns) continue;
      if (stale++ == 0) {
        first = "candidate " + std::to_string(w.candidate) + "'s write \"" + w.value +
                "\" (token " + std::to_string(w.token) + ", process " + std::to_string(w.process) +
                ", invoked at " + seconds(w.call_time_ns) + " s) was accepted after candidate " +
                std::to_string(t.candidate) + "'s tenure with token " + std::to_string(t.token) +
                " began at " + seconds(t.start_ns) + " s";
      }
      break;
    }
  }
  Json details = {{"accepted_writes", writes.size()},
                  {"unknown_writes", unknown},
                  {"stale_accepted", stale},
                  {"tenures", tenures->tenures.size()}};
  if (stale > 0) return {Verdict::kInvalid, first, std::move(details)};
  return {Verdict::kValid,
          "no stale write accepted: " + std::to_string(writes.size()) +
              " writes of the protected key, each with the token of the newest tenure begun",
          std::move(details)};
}

}  // namespace checker

#include "refdb/sim/cli.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace refdb::sim {
namespace {

common::Result<uint64_t> ParseNumber(const std::string& flag, const std::string& text, uint64_t lo,
                                     uint64_t hi) {
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < lo || value > hi) {
    return common::Status::InvalidArgument(flag + " " + text + ": expected an integer in [" +
                                           std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return value;
}

common::Status ParseFlag(const std::string& flag, const std::string& value, CliOptions& cli) {
  constexpr uint64_t kMax = uint64_t{1} << 62;
  if (flag == "--seeds") {
    ASSIGN_OR_RETURN(cli.seeds, ParseNumber(flag, value, 1, kMax));
  } else if (flag == "--start-seed") {
    ASSIGN_OR_RETURN(cli.start_seed, ParseNumber(flag, value, 0, kMax));
  } else if (flag == "--nodes") {
    ASSIGN_OR_RETURN(cli.nodes, ParseNumber(flag, value, 3, 7));
  } else if (flag == "--ticks") {
    ASSIGN_OR_RETURN(cli.safety_ticks, ParseNumber(flag, value, 1, 10'000'000));
  } else if (flag == "--bug") {
    ASSIGN_OR_RETURN(cli.bug, ParseBug(value));
  } else {
    return common::Status::InvalidArgument("unknown flag " + flag);
  }
  return common::Status::Ok();
}

}  // namespace

common::Result<CliOptions> ParseCli(std::span<const std::string> args) {
  CliOptions cli;
  bool has_seeds = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--trace" || flag == "--verbose") {
      cli.trace = true;
      continue;
    }
    std::string value;
    const size_t eq = flag.find('=');
    const std::string name = flag.substr(0, eq);
    constexpr std::array<std::string_view, 5> kValueFlags = {"--seeds", "--start-seed", "--nodes",
                                                             "--ticks", "--bug"};
    if (std::find(kValueFlags.begin(), kValueFlags.end(), name) == kValueFlags.end()) {
      return common::Status::InvalidArgument("unknown flag " + name);
    }
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return common::Status::InvalidArgument(flag + ": missing value");
    }
    RETURN_IF_ERROR(ParseFlag(flag, value, cli));
    has_seeds = has_seeds || flag == "--seeds";
  }
  if (!has_seeds) return common::Status::InvalidArgument("--seeds is required");
  return cli;
}

}  // namespace refdb::sim

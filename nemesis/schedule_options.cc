#include "nemesis/schedule_options.h"

#include <cmath>
#include <sstream>
#include <utility>

#include "common/duration.h"
#include "nemesis/schedule.h"

namespace nemesis::schedule_internal {

using Json = nlohmann::json;
using common::Status;
using std::chrono::milliseconds;

common::Result<milliseconds> DurationField(const Json& value, const char* key) {
  if (value.is_number() && value.get<double>() >= 0 && std::isfinite(value.get<double>())) {
    return milliseconds(std::llround(value.get<double>() * 1000));
  }
  if (!value.is_string()) {
    return Status::InvalidArgument(std::string("\"") + key + R"(" must be a duration like "5s")");
  }
  auto parsed = ParseDuration(value.get<std::string>());
  if (!parsed.ok()) return parsed.status().WithContext(std::string("\"") + key + "\"");
  return parsed;
}

namespace {

// A clock offset: a number of seconds or a duration string, either one with a sign ("-30s").
// Bounded to a day: libfaketime takes larger steps, but no test needs them.
common::Result<double> SignedSecondsField(const Json& value, const char* key) {
  constexpr double kMaxOffsetS = 86'400;
  double seconds = 0;
  if (value.is_number()) {
    seconds = value.get<double>();
  } else if (value.is_string()) {
    std::string text = value.get<std::string>();
    const bool negative = !text.empty() && text.front() == '-';
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.erase(0, 1);
    auto parsed = common::ParseSeconds(text);
    if (!parsed.ok()) return parsed.status().WithContext(std::string("\"") + key + "\"");
    seconds = negative ? -*parsed : *parsed;
  } else {
    return Status::InvalidArgument(std::string("\"") + key +
                                   R"(" must be seconds or a signed duration like "-30s")");
  }
  if (!std::isfinite(seconds) || std::abs(seconds) > kMaxOffsetS) {
    return Status::InvalidArgument(std::string("\"") + key + "\" must be within a day (86400 s)");
  }
  return seconds;
}

Status ParseTargets(const Json& value, Fault& fault) {
  if (value.is_string()) {
    ASSIGN_OR_RETURN(fault.target, ParseTarget(value.get<std::string>()));
    return Status::Ok();
  }
  if (!value.is_array()) {
    return Status::InvalidArgument("\"targets\" must be a target name or an array of nodes");
  }
  for (const Json& node : value) {
    if (!node.is_number_integer()) {
      return Status::InvalidArgument("\"targets\": " + node.dump() + " is not a node number");
    }
    fault.nodes.push_back(node.get<int>());
  }
  return Status::Ok();
}

Status ParseCut(const Json& value, Fault& fault) {
  if (!value.is_array()) return Status::InvalidArgument("\"cut\" must be an array of [from, to]");
  Cut cut;
  for (const Json& link : value) {
    if (!link.is_array() || link.size() != 2 || !link[0].is_number_integer() ||
        !link[1].is_number_integer()) {
      return Status::InvalidArgument("\"cut\": " + link.dump() + " is not a link [from, to]");
    }
    cut.insert({.from = link[0].get<int>(), .to = link[1].get<int>()});
  }
  fault.cut = std::move(cut);
  return Status::Ok();
}

std::string Number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

Status ParseOption(const std::string& key, const Json& value, Fault& fault) {
  if (key == "targets") return ParseTargets(value, fault);
  if (key == "cut") return ParseCut(value, fault);
  if (key == "one_way") {
    if (!value.is_boolean()) return Status::InvalidArgument("\"one_way\" must be true or false");
    fault.one_way = value.get<bool>();
    return Status::Ok();
  }
  if (key == "probability") {
    if (!value.is_number() || !(value.get<double>() > 0 && value.get<double>() <= 1)) {
      return Status::InvalidArgument("\"probability\" must be a number in (0, 1]");
    }
    fault.probability = value.get<double>();
    return Status::Ok();
  }
  if (key == "offset") {
    ASSIGN_OR_RETURN(fault.offset_s, SignedSecondsField(value, "offset"));
    return Status::Ok();
  }
  if (key == "delay" || key == "jitter") {
    ASSIGN_OR_RETURN(const milliseconds ms, DurationField(value, key.c_str()));
    (key == "delay" ? fault.delay_ms : fault.jitter_ms) = static_cast<double>(ms.count());
    return Status::Ok();
  }
  if (key == "correlation" || key == "rate_kbit" || key == "rate") {
    // (lowest, highest) allowed; rate_kbit has no upper bound worth a check.
    const auto [lo, hi] = key == "correlation" ? std::pair{0.0, 1.0}
                          : key == "rate"      ? std::pair{0.1, 10.0}
                                               : std::pair{1e-3, 1e8};
    if (!value.is_number() || !(value.get<double>() >= lo && value.get<double>() <= hi)) {
      return Status::InvalidArgument("\"" + key + "\" must be a number in [" + Number(lo) + ", " +
                                     Number(hi) + "]");
    }
    (key == "rate"        ? fault.rate
     : key == "rate_kbit" ? fault.rate_kbit
                          : fault.correlation) = value.get<double>();
    return Status::Ok();
  }
  if (key == "op") {
    if (!value.is_string()) return Status::InvalidArgument(R"("op" must be read, write or fsync)");
    ASSIGN_OR_RETURN(fault.disk_op, ParseDiskOp(value.get<std::string>()));
    return Status::Ok();
  }
  return Status::InvalidArgument(
      "unknown key \"" + key +
      "\" (known: at, fault, duration, targets, cut, one_way, probability, offset, rate, delay, "
      "jitter, correlation, rate_kbit, op)");
}

}  // namespace nemesis::schedule_internal

#include "orchestrator/run/progress.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace orchestrator {

namespace {

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string FormatProgress(const ProgressSample& now, const ProgressSample& before) {
  const double dt = now.elapsed_s - before.elapsed_s;
  auto rate = [&](int64_t a, int64_t b) {
    return dt > 0 ? std::llround(static_cast<double>(a - b) / dt) : 0;
  };
  char head[64];
  std::snprintf(head, sizeof head, "[%5.1fs / %.0fs]", now.elapsed_s, now.limit_s);
  std::string line = head;
  line += " ok " + Grouped(rate(now.ok, before.ok)) + "/s";
  line += " fail " + Grouped(rate(now.fail, before.fail)) + "/s";
  line += " info " + Grouped(rate(now.info, before.info)) + "/s";
  line += " (" + Grouped(now.ok + now.fail + now.info) + " ops)";
  line += now.leader > 0
              ? " · leader n" + std::to_string(now.leader) + " term " + std::to_string(now.term)
              : std::string(" · no leader");
  line += " · " + std::to_string(now.answering) + "/" + std::to_string(now.nodes) + " up";
  line += " · faults: " + now.faults;
  return line;
}

void ProgressLine::Update(const ProgressSample& now) {
  const double every = terminal_ ? 1.0 : 10.0;
  if (last_written_s_ >= 0 && now.elapsed_s - last_written_s_ < every) return;
  const std::string line = FormatProgress(now, before_);
  if (terminal_) {
    out_ << "\r" << line << "\x1b[K" << std::flush;
    drawn_ = true;
  } else {
    out_ << line << "\n" << std::flush;
  }
  before_ = now;
  last_written_s_ = now.elapsed_s;
}

void ProgressLine::Finish() {
  if (drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace orchestrator

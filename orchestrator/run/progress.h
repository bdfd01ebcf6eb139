// ProgressLine: the live line a person watches during a run:
//   [ 12.0s / 60s] ok 812/s fail 0/s info 0/s (9,731 ops) · leader n3 term 4 · 5/5 up · faults:
//   none
// On a terminal it is redrawn in place (carriage return, clear to end of line) once a second;
// into a file or pipe (CI logs) it is written as a full line every 10 seconds.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace orchestrator {

struct ProgressSample {
  double elapsed_s = 0;
  double limit_s = 0;
  int64_t ok = 0;  // cumulative counts
  int64_t fail = 0;
  int64_t info = 0;
  int leader = 0;  // 0: none known
  uint64_t term = 0;
  int answering = 0;
  int nodes = 0;
  std::string faults = "none";
};

// The line for `now`, with rates over the time since `before`.
std::string FormatProgress(const ProgressSample& now, const ProgressSample& before);

class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  // Call about once a second; writes when it is time to.
  void Update(const ProgressSample& now);
  void Finish();  // ends a redrawn line with a newline

 private:
  std::ostream& out_;
  const bool terminal_;
  ProgressSample before_;
  double last_written_s_ = -1;
  bool drawn_ = false;
};

}  // namespace orchestrator

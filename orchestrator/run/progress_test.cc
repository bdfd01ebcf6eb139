#include "orchestrator/run/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace orchestrator {
namespace {

TEST(ProgressTest, LineShowsRatesLeaderAndFaults) {
  ProgressSample before{.elapsed_s = 10, .limit_s = 60, .ok = 1000, .fail = 10, .info = 0};
  ProgressSample now{.elapsed_s = 12,
                     .limit_s = 60,
                     .ok = 3000,
                     .fail = 14,
                     .info = 2,
                     .leader = 3,
                     .term = 4,
                     .answering = 4,
                     .nodes = 5,
                     .faults = "kill n2"};
  EXPECT_EQ(FormatProgress(now, before),
            "[ 12.0s / 60s] ok 1,000/s fail 2/s info 1/s (3,016 ops) · leader n3 term 4 · 4/5 "
            "up · faults: kill n2");
  now.leader = 0;
  EXPECT_NE(FormatProgress(now, before).find("no leader"), std::string::npos);
}

TEST(ProgressTest, TerminalRedrawsInPlaceFilesGetFullLinesLessOften) {
  std::ostringstream tty;
  ProgressLine a(tty, /*terminal=*/true);
  for (int s = 0; s <= 3; ++s) a.Update({.elapsed_s = static_cast<double>(s), .limit_s = 60});
  a.Finish();
  const std::string drawn = tty.str();
  EXPECT_EQ(std::count(drawn.begin(), drawn.end(), '\r'), 4);
  EXPECT_EQ(drawn.back(), '\n');

  std::ostringstream file;
  ProgressLine b(file, /*terminal=*/false);
  for (int s = 0; s <= 25; ++s) b.Update({.elapsed_s = static_cast<double>(s), .limit_s = 60});
  b.Finish();
  const std::string lines = file.str();
  EXPECT_EQ(lines.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3);  // at 0, 10 and 20 s
}

}  // namespace
}  // namespace orchestrator

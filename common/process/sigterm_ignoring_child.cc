// A child for child_test.cc: ignores SIGTERM, says "ready" once it does, then sleeps until it
// is killed. Only SIGKILL (the stop policy's escalation) ends it.
#include <unistd.h>

#include <csignal>
#include <cstdio>

int main() {
  if (::signal(SIGTERM, SIG_IGN) == SIG_ERR) return 2;
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) ::pause();
}

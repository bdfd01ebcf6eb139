#include "bench/hard_histories.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>

#include "common/rng.h"

namespace bench {

namespace {

// Calls, points and answers: k clients each running operations back to back. A crashed client
// comes back at once as a new process (Jepsen never reuses one), and its operation may take
// effect long after its call.
std::vector<HardOp> PlanTimes(common::Rng& rng, const HardHistoryOptions& options) {
  const auto clients = static_cast<size_t>(std::max(1, options.clients));
  std::vector<int64_t> next_call(clients, 0);
  std::vector<int> process(clients);
  std::iota(process.begin(), process.end(), 0);
  int next_process = static_cast<int>(clients);
  std::vector<HardOp> ops;
  ops.reserve(static_cast<size_t>(std::max(0, options.operations)));
  for (int i = 0; i < options.operations; ++i) {
    const size_t slot = static_cast<size_t>(i) % clients;
    HardOp op{.process = process[slot], .call = next_call[slot]};
    const uint64_t kind = rng.Uniform(10);
    op.kind = kind < 5 ? HardOpKind::kRead : kind < 8 ? HardOpKind::kWrite : HardOpKind::kCas;
    op.crashed = op.kind != HardOpKind::kRead && rng.Unit() < options.crashed;
    if (op.crashed) {
      op.point = op.call + 1 + static_cast<int64_t>(rng.Uniform(400));
      op.applied = rng.Chance(1, 2);
      process[slot] = next_process++;
      next_call[slot] = op.call + 1 + static_cast<int64_t>(rng.Uniform(50));
    } else {
      op.point = op.call + 1 + static_cast<int64_t>(rng.Uniform(100));
      op.ret = op.point + 1 + static_cast<int64_t>(rng.Uniform(100));
      next_call[slot] = op.ret + 1 + static_cast<int64_t>(rng.Uniform(50));
    }
    ops.push_back(op);
  }
  return ops;
}

// Values: every write and CAS writes a new one; each answer is the register at the op's point.
void ApplyInPointOrder(common::Rng& rng, std::vector<HardOp>& ops) {
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&ops](size_t a, size_t b) { return ops[a].point < ops[b].point; });
  std::optional<int64_t> state;  // absent at first
  std::vector<int64_t> written;
  int64_t next_value = 1;
  for (const size_t i : order) {
    HardOp& op = ops[i];
    switch (op.kind) {
      case HardOpKind::kRead:
        op.read_nil = !state.has_value();
        op.read_value = state.value_or(0);
        break;
      case HardOpKind::kWrite:
        op.value = next_value++;
        written.push_back(op.value);
        if (op.applied) state = op.value;
        break;
      case HardOpKind::kCas:
        op.expected = state.has_value() && rng.Chance(1, 2) ? *state
                      : written.empty()                     ? 0
                                                            : written[rng.Uniform(written.size())];
        op.value = next_value++;
        written.push_back(op.value);
        op.ok = state.has_value() && *state == op.expected;
        if (op.applied && op.ok) state = op.value;
        break;
    }
  }
}

bool AnsweredWrite(const HardOp& op) {
  return !op.crashed && (op.kind == HardOpKind::kWrite || (op.kind == HardOpKind::kCas && op.ok));
}

// A read in the second half made to return W1's value, where W2 was called after W1 answered
// and answered before the read was called: -1 when the history has no such triple.
int MakeStaleRead(common::Rng& rng, std::vector<HardOp>& ops) {
  std::vector<int> reads;
  for (size_t i = ops.size() / 2; i < ops.size(); ++i) {
    if (ops[i].kind == HardOpKind::kRead) reads.push_back(static_cast<int>(i));
  }
  for (size_t attempt = 0; attempt < 4 * reads.size() + 4 && !reads.empty(); ++attempt) {
    const int r = reads[rng.Uniform(reads.size())];
    std::vector<int> seconds;  // candidates for W2
    for (size_t j = 0; j < ops.size(); ++j) {
      if (AnsweredWrite(ops[j]) && ops[j].ret < ops[r].call) seconds.push_back(static_cast<int>(j));
    }
    if (seconds.empty()) continue;
    const HardOp& w2 = ops[seconds[rng.Uniform(seconds.size())]];
    std::vector<int> firsts;  // candidates for W1
    for (size_t j = 0; j < ops.size(); ++j) {
      if (AnsweredWrite(ops[j]) && ops[j].ret < w2.call) firsts.push_back(static_cast<int>(j));
    }
    if (firsts.empty()) continue;
    ops[r].read_nil = false;
    ops[r].read_value = ops[firsts[rng.Uniform(firsts.size())]].value;
    return r;
  }
  return -1;
}

std::string Line(int process, const char* type, const std::string& rest) {
  return "INFO  jepsen.util - " + std::to_string(process) + "\t" + type + "\t" + rest + "\n";
}

std::string Payload(const HardOp& op, bool answer) {
  switch (op.kind) {
    case HardOpKind::kRead:
      return std::string(":read\t") +
             (!answer || op.read_nil ? "nil" : std::to_string(op.read_value));
    case HardOpKind::kWrite:
      return ":write\t" + std::to_string(op.value);
    case HardOpKind::kCas:
      return ":cas\t[" + std::to_string(op.expected) + " " + std::to_string(op.value) + "]";
  }
  return "";
}

}  // namespace

HardHistory GenerateHardHistory(const HardHistoryOptions& options) {
  common::Rng rng(options.seed);
  HardHistory history{.options = options, .ops = PlanTimes(rng, options)};
  ApplyInPointOrder(rng, history.ops);
  for (const HardOp& op : history.ops) history.crashed += op.crashed ? 1 : 0;
  if (!options.linearizable) {
    history.stale_read = MakeStaleRead(rng, history.ops);
    if (history.stale_read < 0) history.ops.clear();
  }
  return history;
}

std::string ToPorcupineEtcdLog(const HardHistory& history) {
  // (time, op, what): invocations at 2*call, answers at 2*ret+1, a crash's :info line at
  // 2*(call+1000)+1 (Porcupine skips those lines: the operation stays open to the end).
  enum What { kInvoke, kAnswer, kTimedOut };
  std::vector<std::tuple<int64_t, size_t, What>> events;
  for (size_t i = 0; i < history.ops.size(); ++i) {
    const HardOp& op = history.ops[i];
    events.emplace_back(2 * op.call, i, kInvoke);
    events.emplace_back(op.crashed ? 2 * (op.call + 1000) + 1 : 2 * op.ret + 1, i,
                        op.crashed ? kTimedOut : kAnswer);
  }
  std::sort(events.begin(), events.end());
  std::string log;
  for (const auto& [time, i, what] : events) {
    const HardOp& op = history.ops[i];
    if (what == kInvoke) {
      log += Line(op.process, ":invoke", Payload(op, false));
    } else if (what == kTimedOut) {
      log += Line(op.process, ":info",
                  op.kind == HardOpKind::kWrite ? ":write\t:timed-out" : ":cas\t:timed-out");
    } else {
      const bool failed = op.kind == HardOpKind::kCas && !op.ok;
      log += Line(op.process, failed ? ":fail" : ":ok", Payload(op, true));
    }
  }
  return log;
}

}  // namespace bench

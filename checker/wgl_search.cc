#include "checker/wgl_search.h"

#include <algorithm>

#include "common/check.h"
#include "common/rng.h"

namespace checker {
namespace {

uint64_t HashState(const State& state) {
  uint64_t h = 0xcbf29ce484222325ULL ^ state.size();
  for (int64_t word : state) {
    h ^= static_cast<uint64_t>(word) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0x100000001b3ULL;
  }
  return h ^ (h >> 29);
}

constexpr int32_t kHead = 0;
constexpr int32_t kEnd = -1;

}  // namespace

WglSearch::WglSearch(const Model& model, ValueTable& values, std::span<const SearchOp> ops,
                     State initial, const SearchBudget& budget)
    : model_(model),
      values_(values),
      ops_(ops),
      state_(initial),
      initial_(std::move(initial)),
      budget_(budget),
      linearized_((ops.size() + 63) / 64, 0),
      cache_((ops.size() + 63) / 64) {
  common::Rng rng(0x5eed ^ ops.size());
  zobrist_.resize(ops.size());
  for (uint64_t& z : zobrist_) z = rng.Next();
  BuildEntries();
}

void WglSearch::BuildEntries() {
  struct Position {
    int64_t at;
    int32_t op;
    bool is_call;
  };
  std::vector<Position> positions;
  positions.reserve(2 * ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    positions.push_back({ops_[i].call, static_cast<int32_t>(i), true});
    if (ops_[i].ret != Operation::kNever) {
      positions.push_back({ops_[i].ret, static_cast<int32_t>(i), false});
    }
  }
  // Calls before returns at equal positions: operations that touch are treated as concurrent.
  std::stable_sort(positions.begin(), positions.end(), [](const Position& a, const Position& b) {
    return a.at != b.at ? a.at < b.at : a.is_call > b.is_call;
  });
  entries_.assign(positions.size() + 1, Entry{});
  std::vector<int32_t> call_entry(ops_.size(), -1);
  for (size_t i = 0; i < positions.size(); ++i) {
    auto index = static_cast<int32_t>(i + 1);
    Entry& e = entries_[index];
    e.op = positions[i].op;
    e.is_call = positions[i].is_call;
    e.prev = index - 1;
    e.next = i + 1 < positions.size() ? index + 1 : kEnd;
    if (e.is_call) {
      call_entry[e.op] = index;
    } else {
      entries_[call_entry[e.op]].match = index;
    }
  }
  entries_[kHead].next = positions.empty() ? kEnd : 1;
}

void WglSearch::Lift(int32_t entry) {
  Entry& e = entries_[entry];
  entries_[e.prev].next = e.next;
  if (e.next != kEnd) entries_[e.next].prev = e.prev;
  if (e.match >= 0) {
    Entry& m = entries_[e.match];
    entries_[m.prev].next = m.next;
    if (m.next != kEnd) entries_[m.next].prev = m.prev;
  }
}

void WglSearch::Unlift(int32_t entry) {
  Entry& e = entries_[entry];
  if (e.match >= 0) {
    Entry& m = entries_[e.match];
    entries_[m.prev].next = e.match;
    if (m.next != kEnd) entries_[m.next].prev = e.match;
  }
  entries_[e.prev].next = entry;
  if (e.next != kEnd) entries_[e.next].prev = entry;
}

bool WglSearch::TryLinearize(int32_t entry, State& next) {
  const int32_t op = entries_[entry].op;
  if (!model_.Step(state_, *ops_[op].op, values_, &next)) return false;
  linearized_[op / 64] ^= uint64_t{1} << (op % 64);
  bitset_hash_ ^= zobrist_[op];
  if (!cache_.Insert(bitset_hash_ ^ HashState(next), linearized_, next)) {
    linearized_[op / 64] ^= uint64_t{1} << (op % 64);
    bitset_hash_ ^= zobrist_[op];
    return false;
  }
  if (depth_ == frames_.size()) frames_.push_back(Frame{});
  frames_[depth_].entry = entry;
  frames_[depth_].state_before.swap(state_);
  state_.swap(next);
  ++depth_;
  nodes_.push_back(Node{op, top_node_});
  top_node_ = static_cast<int32_t>(nodes_.size() - 1);
  if (depth_ > best_depth_) {
    best_depth_ = depth_;
    best_node_ = top_node_;
  }
  Lift(entry);
  return true;
}

void WglSearch::Backtrack(int32_t& entry) {
  --depth_;
  Frame& frame = frames_[depth_];
  const int32_t op = entries_[frame.entry].op;
  state_.swap(frame.state_before);
  linearized_[op / 64] ^= uint64_t{1} << (op % 64);
  bitset_hash_ ^= zobrist_[op];
  Unlift(frame.entry);
  top_node_ = nodes_[top_node_].parent;
  entry = entries_[frame.entry].next;
}

size_t WglSearch::MemoryBytes() const {
  size_t state_words = state_.capacity();
  return cache_.memory_bytes() + nodes_.capacity() * sizeof(Node) +
         frames_.capacity() * (sizeof(Frame) + state_words * sizeof(int64_t)) +
         entries_.capacity() * sizeof(Entry) + values_.memory_bytes();
}

bool WglSearch::OverBudget(SearchOutcome* outcome) {
  size_t memory = MemoryBytes();
  peak_memory_bytes_ = std::max(peak_memory_bytes_, memory);
  if (budget_.memory_limit_bytes > 0 && memory > budget_.memory_limit_bytes) {
    *outcome = SearchOutcome::kOutOfMemory;
    return true;
  }
  if (budget_.deadline && std::chrono::steady_clock::now() > *budget_.deadline) {
    *outcome = SearchOutcome::kOutOfTime;
    return true;
  }
  return false;
}

SearchResult WglSearch::Run() {
  SearchResult result;
  size_t required_left = 0;
  for (const SearchOp& op : ops_) required_left += op.ret != Operation::kNever ? 1 : 0;
  State next;
  int32_t entry = entries_[kHead].next;
  uint64_t iterations = 0;
  while (required_left > 0) {
    if ((++iterations & 0x3ff) == 0 && OverBudget(&result.outcome)) break;
    CHECK(entry != kEnd) << "a known-outcome operation's return entry went missing";
    const Entry& e = entries_[entry];
    if (e.is_call) {
      if (TryLinearize(entry, next)) {
        if (ops_[e.op].ret != Operation::kNever) --required_left;
        entry = entries_[kHead].next;
      } else {
        entry = e.next;
      }
      continue;
    }
    if (depth_ == 0) {
      result.outcome = SearchOutcome::kNotLinearizable;
      break;
    }
    const int32_t undone = frames_[depth_ - 1].entry;
    if (ops_[entries_[undone].op].ret != Operation::kNever) ++required_left;
    Backtrack(entry);
  }
  SearchOutcome ignored;
  OverBudget(&ignored);  // records the peak memory; the outcome is already decided
  if (required_left == 0) result.outcome = SearchOutcome::kLinearizable;
  for (int32_t n = best_node_; n >= 0; n = nodes_[n].parent) {
    result.longest.push_back(static_cast<size_t>(nodes_[n].op));
  }
  std::reverse(result.longest.begin(), result.longest.end());
  result.states = cache_.size();
  result.peak_memory_bytes = peak_memory_bytes_;
  return result;
}

std::vector<State> WglSearch::ReachedStates(size_t max) const {
  std::vector<State> states = {initial_};
  cache_.ForEachState([&](std::span<const int64_t> s) {
    State state(s.begin(), s.end());
    if (std::find(states.begin(), states.end(), state) == states.end()) {
      states.push_back(std::move(state));
    }
    return states.size() < max;
  });
  return states;
}

}  // namespace checker

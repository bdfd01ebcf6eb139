#include "checker/wgl_search.h"

#include <algorithm>
#include <map>
#include <tuple>

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

size_t UnknownCount(std::span<const SearchOp> ops, bool reduce) {
  if (!reduce) return 0;
  return static_cast<size_t>(std::count_if(
      ops.begin(), ops.end(), [](const SearchOp& op) { return op.ret == Operation::kNever; }));
}

}  // namespace

WglSearch::WglSearch(const Model& model, ValueTable& values, std::span<const SearchOp> ops,
                     State initial, const SearchBudget& budget, Cuts cuts)
    : model_(model),
      values_(values),
      ops_(ops),
      state_(initial),
      initial_(std::move(initial)),
      budget_(budget),
      reduce_(cuts != Cuts::kNone),
      previous_twin_(ops.size(), -1),
      rank_(ops.size()),
      in_unknown_(ops.size()),
      changes_no_state_(ops.size()),
      only_extends_(ops.size()),
      observed_(model, ops, initial_, cuts == Cuts::kAll),
      known_((ops.size() - UnknownCount(ops, reduce_) + 63) / 64, 0),
      unknown_((UnknownCount(ops, reduce_) + 63) / 64, 0),
      cache_(known_.size(), unknown_.size()) {
  common::Rng rng(0x5eed ^ ops.size());
  zobrist_.resize(ops.size());
  for (uint64_t& z : zobrist_) z = rng.Next();
  int32_t known = 0;
  int32_t unknown = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    in_unknown_[i] = reduce_ && ops[i].ret == Operation::kNever;
    rank_[i] = in_unknown_[i] ? unknown++ : known++;
    only_extends_[i] = cuts == Cuts::kAll && model.OnlyExtends(*ops[i].op);
    lookahead_ = lookahead_ || only_extends_[i];
    changes_no_state_[i] =
        reduce_ && ops[i].ret != Operation::kNever && model.ChangesNoState(*ops[i].op);
  }
  BuildEntries();
  if (reduce_) FindTwins();
}

void WglSearch::Flip(int32_t op) {
  const int32_t r = rank_[op];
  if (in_unknown_[op]) {
    unknown_[r / 64] ^= uint64_t{1} << (r % 64);
  } else {
    known_[r / 64] ^= uint64_t{1} << (r % 64);
    bitset_hash_ ^= zobrist_[op];
  }
}

bool WglSearch::IsLinearized(int32_t op) const {
  const int32_t r = rank_[op];
  const std::vector<uint64_t>& set = in_unknown_[op] ? unknown_ : known_;
  return (set[r / 64] >> (r % 64)) & 1U;
}

void WglSearch::FindTwins() {
  using Signature = std::tuple<int32_t, int64_t, int64_t, int64_t>;
  std::map<Signature, int32_t> last;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const CompiledOp& op = *ops_[i].op;
    if (ops_[i].ret != Operation::kNever || !op.txn.empty()) continue;
    auto [it, inserted] = last.try_emplace(Signature{op.f, op.key, op.a, op.b}, -1);
    previous_twin_[i] = it->second;
    it->second = static_cast<int32_t>(i);
  }
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
  const bool cut = reduce_ && ops_[op].ret == Operation::kNever;
  if (cut && previous_twin_[op] >= 0 && !IsLinearized(previous_twin_[op])) return false;
  if (only_extends_[op] && !Viable(entry)) return false;
  if (!model_.Step(state_, *ops_[op].op, values_, &next)) return false;
  if (cut && next == state_) return false;
  if (!observed_.Keeps(state_, op, next)) {
    // The model accepts it: as a prefix for the counterexample it still counts (the observer it
    // strands is then what cannot be placed, as a search without the cut would report).
    if (depth_ + 1 > best_depth_) {
      nodes_.push_back(Node{op, top_node_});
      best_node_ = static_cast<int32_t>(nodes_.size() - 1);
      best_depth_ = depth_ + 1;
    }
    return false;
  }
  Flip(op);
  if (!cache_.Insert(bitset_hash_ ^ HashState(next), known_, next, unknown_)) {
    Flip(op);
    return false;
  }
  if (depth_ == frames_.size()) frames_.push_back(Frame{});
  frames_[depth_].entry = entry;
  frames_[depth_].forced = false;
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
  observed_.Placed(op);
  return true;
}

// A known-outcome candidate that never changes the state and is accepted here, placed as a forced
// move (see the header). kRefused: the cache holds the configuration after it, so this one fails
// too.
WglSearch::Forced WglSearch::PlaceForced(State& next) {
  for (int32_t e = entries_[kHead].next; e != kEnd && entries_[e].is_call; e = entries_[e].next) {
    const int32_t op = entries_[e].op;
    if (!changes_no_state_[op] || !model_.Accepts(state_, *ops_[op].op, values_, &next)) continue;
    if (!TryLinearize(e, next)) return Forced::kRefused;
    frames_[depth_ - 1].forced = true;
    --required_left_;
    if (!Viable()) {  // its only child has no completion: neither has this configuration
      ++required_left_;
      Backtrack();
      return Forced::kRefused;
    }
    return Forced::kPlaced;
  }
  return Forced::kNone;
}

bool WglSearch::Viable(int32_t extension_entry) const {
  if (!lookahead_) return true;
  // The extension's own return entry does not count: it is placed first.
  const int32_t own_return = extension_entry >= 0 ? entries_[extension_entry].match : -1;
  const int32_t extension = extension_entry >= 0 ? entries_[extension_entry].op : -1;
  int32_t first_return = entries_[kHead].next;
  while (first_return != kEnd &&
         (entries_[first_return].is_call || (own_return >= 0 && first_return == own_return))) {
    first_return = entries_[first_return].next;
  }
  if (first_return == kEnd) return true;
  const int32_t read = entries_[first_return].op;
  if (!changes_no_state_[read] || !ops_[read].op->txn.empty()) return true;
  const int64_t key = ops_[read].op->key;
  for (int32_t e = entries_[kHead].next; e != first_return; e = entries_[e].next) {
    const int32_t op = entries_[e].op;
    if (entries_[e].is_call && ops_[op].op->key == key && !changes_no_state_[op] &&
        !only_extends_[op]) {
      return true;
    }
  }
  return model_.MayAcceptAfterExtending(state_, extension >= 0 ? ops_[extension].op : nullptr,
                                        *ops_[read].op, values_);
}

void WglSearch::Backtrack() {
  --depth_;
  Frame& frame = frames_[depth_];
  const int32_t op = entries_[frame.entry].op;
  state_.swap(frame.state_before);
  Flip(op);
  Unlift(frame.entry);
  observed_.Unplaced(op);
  top_node_ = nodes_[top_node_].parent;
}

size_t WglSearch::MemoryBytes() const {
  size_t state_words = state_.capacity();
  return cache_.memory_bytes() + nodes_.capacity() * sizeof(Node) +
         frames_.capacity() * (sizeof(Frame) + state_words * sizeof(int64_t)) +
         entries_.capacity() * sizeof(Entry);
}

bool WglSearch::OverBudget(SearchOutcome* outcome) {
  size_t memory = MemoryBytes() + values_.memory_bytes();
  peak_memory_bytes_ = std::max(peak_memory_bytes_, memory + budget_.other_bytes);
  if (budget_.memory_limit_bytes > 0 && memory + budget_.other_bytes > budget_.memory_limit_bytes) {
    *outcome = SearchOutcome::kOutOfMemory;
    return true;
  }
  if ((budget_.deadline && std::chrono::steady_clock::now() > *budget_.deadline) ||
      (budget_.cancel != nullptr && budget_.cancel->load(std::memory_order_relaxed))) {
    *outcome = SearchOutcome::kOutOfTime;
    return true;
  }
  return false;
}

// Candidates are the call entries before the first return entry. Known-outcome operations are
// tried before unknown ones: an unknown operation never has to be placed, and placing it early
// (it is a candidate from its call to the end) mostly sends the search down branches that a
// later read refutes.
int32_t WglSearch::NextCandidate(int32_t after) const {
  const bool in_unknown_phase = after != kHead && ops_[entries_[after].op].ret == Operation::kNever;
  if (!in_unknown_phase) {
    for (int32_t e = entries_[after].next; e != kEnd && entries_[e].is_call; e = entries_[e].next) {
      if (ops_[entries_[e].op].ret != Operation::kNever) return e;
    }
  }
  for (int32_t e = in_unknown_phase ? entries_[after].next : entries_[kHead].next;
       e != kEnd && entries_[e].is_call; e = entries_[e].next) {
    if (ops_[entries_[e].op].ret == Operation::kNever) return e;
  }
  return kEnd;
}

SearchResult WglSearch::Run(uint64_t max_steps) {
  if (!started_) {
    started_ = true;
    for (const SearchOp& op : ops_) required_left_ += op.ret != Operation::kNever ? 1 : 0;
    entry_ = NextCandidate(kHead);
    fresh_ = reduce_;
  }
  State next;
  for (uint64_t budget = max_steps; required_left_ > 0; --budget) {
    SearchOutcome stop = SearchOutcome::kPaused;
    if (budget == 0 || ((++steps_ & 0x3ff) == 0 && OverBudget(&stop))) return Finish(stop);
    if (fresh_) {
      fresh_ = false;
      const Forced forced = PlaceForced(next);
      if (forced == Forced::kPlaced) {
        fresh_ = true;
        entry_ = NextCandidate(kHead);
        continue;
      }
      if (forced == Forced::kRefused) entry_ = kEnd;
    }
    if (entry_ == kEnd) {  // nothing left to try here: undo the last placement
      if (depth_ == 0) return Finish(SearchOutcome::kNotLinearizable);
      const int32_t undone = frames_[depth_ - 1].entry;
      const bool was_forced = frames_[depth_ - 1].forced;
      if (ops_[entries_[undone].op].ret != Operation::kNever) ++required_left_;
      Backtrack();
      entry_ = was_forced ? kEnd : NextCandidate(undone);
      continue;
    }
    if (TryLinearize(entry_, next)) {
      // (An extension was looked ahead for before it was placed.)
      if (!only_extends_[entries_[entry_].op] && !Viable()) {  // no completion from here
        Backtrack();
        entry_ = NextCandidate(entry_);
        continue;
      }
      if (ops_[entries_[entry_].op].ret != Operation::kNever) --required_left_;
      entry_ = NextCandidate(kHead);
      fresh_ = reduce_;
    } else {
      entry_ = NextCandidate(entry_);
    }
  }
  return Finish(SearchOutcome::kLinearizable);
}

SearchResult WglSearch::Finish(SearchOutcome outcome) {
  SearchResult result;
  result.outcome = outcome;
  SearchOutcome ignored;
  OverBudget(&ignored);  // records the peak memory; the outcome is already decided
  if (outcome != SearchOutcome::kPaused) {
    for (int32_t n = best_node_; n >= 0; n = nodes_[n].parent) {
      result.longest.push_back(static_cast<size_t>(nodes_[n].op));
    }
    std::reverse(result.longest.begin(), result.longest.end());
  }
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

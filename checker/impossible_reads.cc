#include "checker/impossible_reads.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "checker/model_util.h"

namespace checker {
namespace {

using model_util::kCas;
using model_util::kRead;
using model_util::kWrite;

constexpr int64_t kBeforeAll = std::numeric_limits<int64_t>::min();

// The operations that certainly wrote a value (known writes and successful CASes) of one key,
// by call, with for each suffix the two earliest returns of distinct values: the earliest
// return of an X called after t that wrote something other than v is one of them.
class Overwriters {
 public:
  Overwriters(std::span<const SearchOp> ops, const std::vector<size_t>& of_key) {
    for (size_t i : of_key) {
      const CompiledOp& op = *ops[i].op;
      if (ops[i].ret == Operation::kNever || (op.f != kWrite && op.f != kCas)) continue;
      by_call_.push_back({ops[i].call, ops[i].ret, op.f == kWrite ? op.a : op.b, i});
    }
    std::sort(by_call_.begin(), by_call_.end(),
              [](const Item& x, const Item& y) { return x.call < y.call; });
    best_.assign(by_call_.size() + 1, Best{});
    for (size_t i = by_call_.size(); i-- > 0;) {
      best_[i] = best_[i + 1];
      const Item& item = by_call_[i];
      Best& b = best_[i];
      if (b.first == kNone || item.ret < by_call_[b.first].ret) {
        if (b.first != kNone && by_call_[b.first].value != item.value) b.second = b.first;
        b.first = i;
      } else if (by_call_[b.first].value != item.value &&
                 (b.second == kNone || item.ret < by_call_[b.second].ret)) {
        b.second = i;
      }
    }
  }

  // An X called after `after` that returned before `before` and wrote a value other than v.
  std::optional<size_t> Find(int64_t after, int64_t before, int64_t v) const {
    auto it = std::upper_bound(by_call_.begin(), by_call_.end(), after,
                               [](int64_t t, const Item& item) { return t < item.call; });
    const Best& b = best_[static_cast<size_t>(it - by_call_.begin())];
    for (size_t candidate : {b.first, b.second}) {
      if (candidate == kNone) continue;
      const Item& item = by_call_[candidate];
      if (item.value != v && item.ret < before) return item.op;
    }
    return std::nullopt;
  }

 private:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();
  struct Item {
    int64_t call;
    int64_t ret;
    int64_t value;
    size_t op;
  };
  struct Best {
    size_t first = kNone;   // earliest return
    size_t second = kNone;  // earliest return of a value other than first's
  };
  std::vector<Item> by_call_;
  std::vector<Best> best_;
};

std::optional<ImpossibleRead> InKey(std::span<const SearchOp> ops,
                                    const std::vector<size_t>& of_key, int64_t initial) {
  std::unordered_map<int64_t, std::vector<size_t>> writers;
  for (size_t i : of_key) {
    const CompiledOp& op = *ops[i].op;
    if (op.f == kWrite) writers[op.a].push_back(i);
    if (op.f == kCas) writers[op.b].push_back(i);
  }
  const Overwriters overwriters(ops, of_key);
  for (size_t o : of_key) {
    const CompiledOp& op = *ops[o].op;
    if (ops[o].ret == Operation::kNever || (op.f != kRead && op.f != kCas)) continue;
    const int64_t v = op.f == kRead ? op.b : op.a;
    ImpossibleRead found{.observation = o};
    bool impossible = true;
    if (v == initial) {
      auto x = overwriters.Find(kBeforeAll, ops[o].call, v);
      impossible = x.has_value();
      if (x) found.overwriters.push_back(*x);
    }
    auto it = writers.find(v);
    for (size_t k = 0; impossible && it != writers.end() && k < it->second.size(); ++k) {
      const size_t w = it->second[k];
      auto x = ops[w].ret == Operation::kNever ? std::nullopt
                                               : overwriters.Find(ops[w].ret, ops[o].call, v);
      impossible = x.has_value();
      if (x) found.overwriters.push_back(*x);
      found.writers.push_back(w);
    }
    if (impossible) return found;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImpossibleRead> FindImpossibleRead(std::span<const SearchOp> ops,
                                                 const State& initial) {
  std::unordered_map<int64_t, std::vector<size_t>> by_key;
  std::vector<int64_t> keys;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto [it, inserted] = by_key.try_emplace(ops[i].op->key);
    if (inserted) keys.push_back(ops[i].op->key);
    it->second.push_back(i);
  }
  for (int64_t key : keys) {
    if (auto found = InKey(ops, by_key[key], keyed_state::Get(initial, key))) return found;
  }
  return std::nullopt;
}

}  // namespace checker

// ObservedValues: the search's observed-value cut (wgl_search.h), for models where a key only
// ever takes a value some operation writes (Model::ReplacesValues: register, cas-register).
//
// Call a (key, value) single-sourced when exactly one thing can make the key hold that value:
// one operation that may write it (Model::Uses().writes, whatever its outcome), or the initial
// state alone. Once the key holds such a value and an operation replaces it, the key never
// holds it again: its one source has been used (an operation is placed once; the initial
// state is only at the start). So a placement that replaces a single-sourced value while a
// known observer of it (a read of it, a successful CAS from it) is still unplaced leaves that
// observer unplaceable for ever: the configuration after it has no completion, and the search
// refuses it. With Jepsen's and Porcupine's register histories, where every write is of a
// fresh value, every value is single-sourced; this is the cluster rule of Gibbons and Korach's
// read-mapping test (a value's readers sit between its write and the next write), applied
// incrementally inside the search so crashed operations stay possible.
//
// Not thread-safe; owned by one search.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "checker/model.h"

namespace checker {

struct SearchOp;

class ObservedValues {
 public:
  // Off (every placement keeps) unless `enabled` and the model replaces values.
  ObservedValues(const Model& model, std::span<const SearchOp> ops, const State& initial,
                 bool enabled);

  bool enabled() const { return enabled_; }

  // Bookkeeping as op is placed and unplaced.
  void Placed(int32_t op) {
    if (enabled_ && slot_[op] >= 0) --pending_[slot_[op]];
  }
  void Unplaced(int32_t op) {
    if (enabled_ && slot_[op] >= 0) ++pending_[slot_[op]];
  }

  // False when placing op (which Step takes from `state` to `next`) replaces a single-sourced
  // value of its key that another unplaced known operation observes.
  bool Keeps(const State& state, int32_t op, const State& next) const {
    return !enabled_ || KeepsObservers(state, op, next);
  }

 private:
  bool KeepsObservers(const State& state, int32_t op, const State& next) const;

  struct KeyValue {
    int64_t key;
    int64_t value;
    bool operator==(const KeyValue&) const = default;
  };
  struct Hash {
    size_t operator()(const KeyValue& kv) const {
      return static_cast<size_t>(static_cast<uint64_t>(kv.key) * 0x9e3779b97f4a7c15ULL ^
                                 static_cast<uint64_t>(kv.value));
    }
  };

  bool enabled_ = false;
  std::span<const SearchOp> ops_;
  std::vector<int32_t> slot_;     // per op: the slot of what it observes, or -1
  std::vector<int32_t> pending_;  // per slot: observers not placed
  std::unordered_map<KeyValue, int32_t, Hash> slots_;
};

}  // namespace checker

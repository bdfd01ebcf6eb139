// MemoCache: the set of (linearized-operations bitset, model state) configurations the
// linearizability search has already explored.
//
// Entries live back to back in one arena of 64-bit words: [state length, bitset words...,
// state words...]. An open-addressing table of (hash, arena offset) finds them. Nothing is
// ever removed; the whole cache is dropped after a partition. memory_bytes() is exact for the
// arena and the table, which is what the memory budget is measured against.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace checker {

class MemoCache {
 public:
  explicit MemoCache(size_t bitset_words) : bitset_words_(bitset_words) { Rehash(1024); }

  // Inserts the configuration; returns false if it was already present.
  bool Insert(uint64_t hash, std::span<const uint64_t> bitset, std::span<const int64_t> state) {
    if ((count_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);  // load <= 1/2: short probes
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.offset == 0) {
        slot.hash = hash;
        slot.offset = Append(bitset, state);
        ++count_;
        return true;
      }
      if (slot.hash == hash && Equal(slot.offset, bitset, state)) return false;
    }
  }

  size_t size() const { return count_; }
  size_t memory_bytes() const {
    return arena_.capacity() * sizeof(uint64_t) + slots_.capacity() * sizeof(Slot);
  }

  // Calls fn(state) for every distinct entry, in insertion order, until fn returns false.
  template <typename Fn>
  void ForEachState(Fn&& fn) const {
    for (size_t offset = 1; offset < arena_.size();) {
      size_t length = arena_[offset];
      const auto* words = reinterpret_cast<const int64_t*>(&arena_[offset + 1 + bitset_words_]);
      if (!fn(std::span<const int64_t>(words, length))) return;
      offset += 1 + bitset_words_ + length;
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t offset = 0;  // 0: empty (offset 0 of the arena is never used)
  };

  uint64_t Append(std::span<const uint64_t> bitset, std::span<const int64_t> state) {
    uint64_t offset = arena_.size();
    arena_.push_back(state.size());
    arena_.insert(arena_.end(), bitset.begin(), bitset.end());
    for (int64_t word : state) arena_.push_back(static_cast<uint64_t>(word));
    return offset;
  }

  bool Equal(uint64_t offset, std::span<const uint64_t> bitset,
             std::span<const int64_t> state) const {
    if (arena_[offset] != state.size()) return false;
    const uint64_t* words = &arena_[offset + 1];
    for (size_t i = 0; i < bitset_words_; ++i) {
      if (words[i] != bitset[i]) return false;
    }
    words += bitset_words_;
    for (size_t i = 0; i < state.size(); ++i) {
      if (words[i] != static_cast<uint64_t>(state[i])) return false;
    }
    return true;
  }

  void Rehash(size_t capacity) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(capacity, Slot{});
    size_t mask = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.offset == 0) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].offset != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  size_t bitset_words_;
  std::vector<uint64_t> arena_ = {0};  // offset 0 is the "empty" marker
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace checker

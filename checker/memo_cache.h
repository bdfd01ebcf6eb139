// MemoCache: the configurations the linearizability search has already explored, kept so that
// it never explores one again, nor one that an explored configuration dominates.
//
// A configuration is (set of linearized known-outcome operations K, model state s, set of
// linearized unknown-outcome operations U). (K, s, U') dominates (K, s, U) when U' is a subset
// of U: from (K, s, U') every operation still available from (K, s, U) is available too (an
// unknown operation never has to be placed, and it blocks nothing), and the same real-time
// constraints apply (they depend on K only). So if the dominating configuration has no
// completion, neither has the dominated one, and Insert refuses both a repeat and a dominated
// configuration. (The argument that this terminates soundly even when the dominating
// configuration is still on the search's stack is in wgl_search.h.)
//
// Entries live back to back in one arena of 64-bit words: [state length, first U record, K
// words..., state words...]. The U sets of one (K, s) form a linked list of records in a second
// arena: [next record, U words...]. An open-addressing table of (hash of K and s, arena offset)
// finds the entries. Nothing is ever removed; the whole cache is dropped after a partition.
// memory_bytes() is exact for the arenas and the table, which is what the memory budget is
// measured against.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace checker {

class MemoCache {
 public:
  MemoCache(size_t known_words, size_t unknown_words)
      : known_words_(known_words), unknown_words_(unknown_words) {
    Rehash(1024);
  }

  // Inserts the configuration; returns false if it, or one that dominates it, was present.
  // `hash` depends on known and state only.
  bool Insert(uint64_t hash, std::span<const uint64_t> known, std::span<const int64_t> state,
              std::span<const uint64_t> unknown) {
    if ((entries_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);  // load <= 1/2: short probes
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.offset == 0) {
        slot.hash = hash;
        slot.offset = Append(known, state);
        AddUnknown(slot.offset, unknown);
        ++entries_;
        ++count_;
        return true;
      }
      if (slot.hash == hash && Equal(slot.offset, known, state)) {
        if (Dominated(slot.offset, unknown)) return false;
        AddUnknown(slot.offset, unknown);
        ++count_;
        return true;
      }
    }
  }

  size_t size() const { return count_; }  // configurations inserted
  size_t memory_bytes() const {
    return (arena_.capacity() + unknown_arena_.capacity()) * sizeof(uint64_t) +
           slots_.capacity() * sizeof(Slot);
  }

  // Calls fn(state) for every distinct (K, s) entry, in insertion order, until fn returns false.
  template <typename Fn>
  void ForEachState(Fn&& fn) const {
    for (size_t offset = 1; offset < arena_.size();) {
      size_t length = arena_[offset];
      const auto* words = reinterpret_cast<const int64_t*>(&arena_[offset + 2 + known_words_]);
      if (!fn(std::span<const int64_t>(words, length))) return;
      offset += 2 + known_words_ + length;
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t offset = 0;  // 0: empty (offset 0 of the arena is never used)
  };

  uint64_t Append(std::span<const uint64_t> known, std::span<const int64_t> state) {
    uint64_t offset = arena_.size();
    arena_.push_back(state.size());
    arena_.push_back(0);
    arena_.insert(arena_.end(), known.begin(), known.end());
    for (int64_t word : state) arena_.push_back(static_cast<uint64_t>(word));
    return offset;
  }

  void AddUnknown(uint64_t offset, std::span<const uint64_t> unknown) {
    if (unknown_words_ == 0) return;
    uint64_t record = unknown_arena_.size();
    unknown_arena_.push_back(arena_[offset + 1]);
    unknown_arena_.insert(unknown_arena_.end(), unknown.begin(), unknown.end());
    arena_[offset + 1] = record;
  }

  // Whether a recorded U of the entry at offset is a subset of unknown.
  bool Dominated(uint64_t offset, std::span<const uint64_t> unknown) const {
    if (unknown_words_ == 0) return true;
    for (uint64_t r = arena_[offset + 1]; r != 0; r = unknown_arena_[r]) {
      const uint64_t* words = &unknown_arena_[r + 1];
      bool subset = true;
      for (size_t i = 0; i < unknown_words_ && subset; ++i) subset = (words[i] & ~unknown[i]) == 0;
      if (subset) return true;
    }
    return false;
  }

  bool Equal(uint64_t offset, std::span<const uint64_t> known,
             std::span<const int64_t> state) const {
    if (arena_[offset] != state.size()) return false;
    const uint64_t* words = &arena_[offset + 2];
    for (size_t i = 0; i < known_words_; ++i) {
      if (words[i] != known[i]) return false;
    }
    words += known_words_;
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

  size_t known_words_;
  size_t unknown_words_;
  std::vector<uint64_t> arena_ = {0};          // offset 0 is the "empty" marker
  std::vector<uint64_t> unknown_arena_ = {0};  // record 0 ends a list
  std::vector<Slot> slots_;
  size_t entries_ = 0;  // (K, s) entries
  size_t count_ = 0;    // configurations: entries plus their further U sets
};

}  // namespace checker

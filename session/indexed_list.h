// IndexedList: an ordered list (a std::vector) with an O(1) lookup by a
// 64-bit key.
//
// Items keep the order they were added in. Duplicate keys (as read from a
// file) are kept; lookups and updates act on the first item with a key, as
// ferogram does. The lookup index is built on the first lookup, so a decode
// that never looks anything up never pays for it. An item's key must not
// change in place (FindMutable is for the other fields).
//
// Thread safety: concurrent const calls are safe (the index is built under a
// mutex). Mutations need exclusive access, like any standard container.
#ifndef TGSESSION_SESSION_INDEXED_LIST_H_
#define TGSESSION_SESSION_INDEXED_LIST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace tgsession {

template <typename T, typename KeyFn>
class IndexedList {
 public:
  IndexedList() : index_(NewIndex()) {}
  IndexedList(const IndexedList& other) : items_(other.items_), index_(NewIndex()) {}
  IndexedList& operator=(const IndexedList& other) {
    if (this != &other) {
      items_ = other.items_;
      InvalidateIndex();
    }
    return *this;
  }
  IndexedList(IndexedList&& other) noexcept : items_(std::move(other.items_)), index_(NewIndex()) {
    other.InvalidateIndex();
  }
  IndexedList& operator=(IndexedList&& other) noexcept {
    if (this != &other) {
      items_ = std::move(other.items_);
      InvalidateIndex();
      other.InvalidateIndex();
    }
    return *this;
  }

  absl::Span<const T> items() const { return items_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const T& operator[](size_t i) const { return items_[i]; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + items_.size(); }

  // The first item with `key`, or nullptr. O(1) after the first lookup.
  const T* Find(int64_t key) const {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[*it];
  }

  // Replaces the first item with the same key, or appends. Returns true when
  // an item was replaced.
  bool Upsert(const T& item) {
    EnsureIndex();
    auto it = index_.find(KeyFn()(item));
    if (it != index_.end()) {
      items_[*it] = item;
      return true;
    }
    // The item goes in first: inserting (and any rehash) reads keys from it.
    items_.push_back(item);
    index_.insert(static_cast<uint32_t>(items_.size() - 1));
    return false;
  }

  // Mutable access to the first item with `key`, or nullptr.
  T* FindMutable(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[*it];
  }

  // Removes the first item with `key` (keeping the order of the rest).
  // O(n): removal is rare for session data.
  bool Remove(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    items_.erase(items_.begin() + *it);
    InvalidateIndex();
    return true;
  }

  // Appends without looking for an item with the same key (a duplicate is
  // kept, as when read from storage).
  void AppendRaw(const T& item) {
    items_.push_back(item);
    if (index_ready_.load(std::memory_order_relaxed)) InvalidateIndex();
  }
  // Replaces the whole list, duplicates included.
  void Assign(std::vector<T> items) {
    items_ = std::move(items);
    InvalidateIndex();
  }
  void Clear() {
    items_.clear();
    InvalidateIndex();
  }

  friend bool operator==(const IndexedList& a, const IndexedList& b) { return a.items_ == b.items_; }
  friend bool operator!=(const IndexedList& a, const IndexedList& b) { return !(a == b); }

 private:
  // Hashes and compares positions by the key of the item there, and keys
  // directly. Both hash a key the same way, as heterogeneous lookup needs.
  struct PositionHash {
    using is_transparent = void;
    const std::vector<T>* items;
    size_t operator()(uint32_t pos) const { return absl::Hash<int64_t>()(KeyFn()((*items)[pos])); }
    size_t operator()(int64_t key) const { return absl::Hash<int64_t>()(key); }
  };
  struct PositionEq {
    using is_transparent = void;
    const std::vector<T>* items;
    bool operator()(uint32_t a, uint32_t b) const { return KeyFn()((*items)[a]) == KeyFn()((*items)[b]); }
    bool operator()(int64_t key, uint32_t pos) const { return key == KeyFn()((*items)[pos]); }
    bool operator()(uint32_t pos, int64_t key) const { return key == KeyFn()((*items)[pos]); }
  };
  using Index = absl::flat_hash_set<uint32_t, PositionHash, PositionEq>;

  // An empty index reading this list's items (the functors point at items_,
  // so every list, copied or moved, gets its own).
  Index NewIndex() const { return Index(0, PositionHash{&items_}, PositionEq{&items_}); }

  void InvalidateIndex() {
    // Drops the index's memory too (it is rebuilt, sized, on the next
    // lookup). Not clear(): GCC 12 -O2 reports a false array-bounds error in
    // Abseil's clear() of an empty table once it is inlined here.
    if (!index_.empty() || index_.capacity() > 0) index_ = NewIndex();
    index_ready_.store(false, std::memory_order_relaxed);
  }

  void EnsureIndex() const {
    if (index_ready_.load(std::memory_order_acquire)) return;
    absl::MutexLock lock(&index_mu_);
    if (index_ready_.load(std::memory_order_relaxed)) return;
    index_.clear();
    // Room to grow by half again before the first rehash: sessions keep
    // caching peers after they are loaded.
    index_.reserve(items_.size() + items_.size() / 2 + 16);
    // insert() keeps the first of equal keys: the first occurrence wins.
    for (size_t i = 0; i < items_.size(); ++i) index_.insert(static_cast<uint32_t>(i));
    index_ready_.store(true, std::memory_order_release);
  }

  std::vector<T> items_;
  mutable Index index_;
  mutable std::atomic<bool> index_ready_{false};
  mutable absl::Mutex index_mu_;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_INDEXED_LIST_H_

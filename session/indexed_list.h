// IndexedList: an ordered list with an O(1) lookup index by a 64-bit key.
//
// Sessions keep peers and channel pts in the order they were stored (files
// are re-encoded byte for byte), but clients look them up by id constantly.
// A plain vector makes lookups linear; a hash map alone loses the order. This
// keeps both, and builds the index lazily: decoding a 100,000-peer session
// only fills the record array (one allocation), and the index (one more
// allocation) is built on the first lookup. Conversions that never look
// anything up never pay for it.
//
// The items live in a RecordBuffer (record_buffer.h), not a std::vector, so
// decoders can fill them in bulk; they are read through absl::Span.
//
// Duplicate keys read from storage are kept; the index points at the first
// occurrence, matching ferogram, which always acts on the first match.
//
// Thread safety: concurrent const calls are safe (index construction is
// guarded by a mutex and published with an atomic flag). Mutations need
// exclusive access, like any standard container.
#ifndef TGSESSION_SESSION_INDEXED_LIST_H_
#define TGSESSION_SESSION_INDEXED_LIST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "session/record_buffer.h"

namespace tgsession {

template <typename T, typename KeyFn>
class IndexedList {
 public:
  IndexedList() = default;
  IndexedList(const IndexedList& other) : items_(other.items_) {}
  IndexedList& operator=(const IndexedList& other) {
    if (this != &other) {
      items_ = other.items_;
      InvalidateIndex();
    }
    return *this;
  }
  IndexedList(IndexedList&& other) noexcept : items_(std::move(other.items_)) {
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

  absl::Span<const T> items() const { return items_.span(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const T& operator[](size_t i) const { return items_[i]; }
  const T* begin() const { return items_.begin(); }
  const T* end() const { return items_.end(); }

  // The first item with `key`, or nullptr. O(1) after the first lookup.
  const T* Find(int64_t key) const {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second];
  }

  // Replaces the first item with the same key, or appends. Returns true when
  // an item was replaced.
  bool Upsert(const T& item) {
    EnsureIndex();
    const int64_t key = KeyFn()(item);
    auto [it, inserted] = index_.try_emplace(key, static_cast<uint32_t>(items_.size()));
    if (!inserted) {
      items_[it->second] = item;
      return true;
    }
    items_.push_back(item);
    return false;
  }

  // Mutable access to the first item with `key`, or nullptr.
  T* FindMutable(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second];
  }

  // Removes the first item with `key` (keeping the order of the rest).
  // O(n): removal is rare for session data.
  bool Remove(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    items_.erase(it->second);
    InvalidateIndex();
    return true;
  }

  // For decoders: reserve, then append items exactly as stored (duplicates
  // included). Invalidates the index; it is rebuilt on the next lookup.
  void Reserve(size_t n) { items_.reserve(n); }
  void AppendRaw(const T& item) {
    items_.push_back(item);
    if (index_ready_.load(std::memory_order_relaxed)) InvalidateIndex();
  }
  // Replaces the whole list (a std::vector or an initializer list converts).
  void Assign(absl::Span<const T> items) {
    items_.assign(items.data(), items.size());
    InvalidateIndex();
  }
  // For decoders: replaces the whole list with `n` raw items and returns
  // them; every byte of every item must be written before the list is used
  // again (record_buffer.h).
  T* AssignUninitialized(size_t n) {
    InvalidateIndex();
    return items_.ResizeUninitialized(n);
  }
  void Clear() {
    items_.clear();
    InvalidateIndex();
  }

  friend bool operator==(const IndexedList& a, const IndexedList& b) { return a.items_ == b.items_; }
  friend bool operator!=(const IndexedList& a, const IndexedList& b) { return !(a == b); }

 private:
  void InvalidateIndex() {
    // Drops the index's memory too (it is rebuilt, sized, on the next
    // lookup). Not clear(): GCC 12 -O2 reports a false array-bounds error in
    // Abseil's clear() of an empty table once it is inlined here.
    if (!index_.empty() || index_.capacity() > 0) absl::flat_hash_map<int64_t, uint32_t>().swap(index_);
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
    for (size_t i = 0; i < items_.size(); ++i) {
      index_.try_emplace(KeyFn()(items_[i]), static_cast<uint32_t>(i));
    }
    index_ready_.store(true, std::memory_order_release);
  }

  RecordBuffer<T> items_;
  mutable absl::flat_hash_map<int64_t, uint32_t> index_;
  mutable std::atomic<bool> index_ready_{false};
  mutable absl::Mutex index_mu_;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_INDEXED_LIST_H_

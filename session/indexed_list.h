// IndexedList: an ordered list (a contiguous array) with an O(1) lookup by a
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

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace tgsession {
namespace internal {
// Builds an IndexedList's items in place (session/binary_codec.cc); defined
// there.
struct IndexedListBuilder;
}  // namespace internal

template <typename T, typename KeyFn>
class IndexedList {
  // Items live in storage this class manages (not a std::vector), so a
  // decoder can construct each item in place from its record, once, instead
  // of value-initialising the table and overwriting it. Copying and growing
  // are then plain byte copies, which these types allow.
  static_assert(std::is_trivially_copyable<T>::value && std::is_trivially_destructible<T>::value,
                "IndexedList items are plain records");

 public:
  IndexedList() : index_(NewIndex()) {}
  ~IndexedList() { Deallocate(); }
  IndexedList(const IndexedList& other) : index_(NewIndex()) { CopyFrom(other.data_, other.size_); }
  IndexedList& operator=(const IndexedList& other) {
    if (this != &other) {
      CopyFrom(other.data_, other.size_);
      InvalidateIndex();
    }
    return *this;
  }
  IndexedList(IndexedList&& other) noexcept : index_(NewIndex()) {
    TakeFrom(other);
    other.InvalidateIndex();
  }
  IndexedList& operator=(IndexedList&& other) noexcept {
    if (this != &other) {
      Deallocate();
      TakeFrom(other);
      InvalidateIndex();
      other.InvalidateIndex();
    }
    return *this;
  }

  absl::Span<const T> items() const { return absl::Span<const T>(data_, size_); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  // The first item with `key`, or nullptr. O(1) after the first lookup.
  const T* Find(int64_t key) const {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &data_[*it];
  }

  // Replaces the first item with the same key, or appends. Returns true when
  // an item was replaced.
  bool Upsert(const T& item) {
    EnsureIndex();
    auto it = index_.find(KeyFn()(item));
    if (it != index_.end()) {
      data_[*it] = item;
      return true;
    }
    // The item goes in first: inserting (and any rehash) reads keys from it.
    PushBack(item);
    index_.insert(static_cast<uint32_t>(size_ - 1));
    return false;
  }

  // Mutable access to the first item with `key`, or nullptr.
  T* FindMutable(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &data_[*it];
  }

  // Removes the first item with `key` (keeping the order of the rest).
  // O(n): removal is rare for session data.
  bool Remove(int64_t key) {
    EnsureIndex();
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    std::copy(data_ + *it + 1, data_ + size_, data_ + *it);
    --size_;
    InvalidateIndex();
    return true;
  }

  // Appends without looking for an item with the same key (a duplicate is
  // kept, as when read from storage).
  void AppendRaw(const T& item) {
    PushBack(item);
    if (index_ready_.load(std::memory_order_relaxed)) InvalidateIndex();
  }
  // Replaces the whole list, duplicates included.
  void Assign(const std::vector<T>& items) {
    CopyFrom(items.data(), items.size());
    InvalidateIndex();
  }
  void Clear() {
    size_ = 0;
    InvalidateIndex();
  }

  friend bool operator==(const IndexedList& a, const IndexedList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator!=(const IndexedList& a, const IndexedList& b) { return !(a == b); }

 private:
  friend struct internal::IndexedListBuilder;

  // Hashes and compares positions by the key of the item there, and keys
  // directly. Both hash a key the same way, as heterogeneous lookup needs.
  struct PositionHash {
    using is_transparent = void;
    T* const* items;
    size_t operator()(uint32_t pos) const { return absl::Hash<int64_t>()(KeyFn()((*items)[pos])); }
    size_t operator()(int64_t key) const { return absl::Hash<int64_t>()(key); }
  };
  struct PositionEq {
    using is_transparent = void;
    T* const* items;
    bool operator()(uint32_t a, uint32_t b) const { return KeyFn()((*items)[a]) == KeyFn()((*items)[b]); }
    bool operator()(int64_t key, uint32_t pos) const { return key == KeyFn()((*items)[pos]); }
    bool operator()(uint32_t pos, int64_t key) const { return key == KeyFn()((*items)[pos]); }
  };
  using Index = absl::flat_hash_set<uint32_t, PositionHash, PositionEq>;

  // An empty index reading this list's items (the functors point at data_,
  // so every list, copied or moved, gets its own).
  Index NewIndex() const { return Index(0, PositionHash{&data_}, PositionEq{&data_}); }

  // Room for `n` items (uninitialised) in place of the current ones, which
  // are dropped.
  void Reallocate(size_t n) {
    if (n > capacity_) {
      T* fresh = std::allocator<T>().allocate(n);
      Deallocate();
      data_ = fresh;
      capacity_ = n;
    }
    size_ = 0;
  }
  void CopyFrom(const T* items, size_t n) {
    if (items == data_) return;
    Reallocate(n);
    std::uninitialized_copy(items, items + n, data_);
    size_ = n;
  }
  void TakeFrom(IndexedList& other) {
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  void PushBack(const T& item) {
    if (size_ == capacity_) {
      const size_t grown = capacity_ < 8 ? 8 : capacity_ * 2;
      T* fresh = std::allocator<T>().allocate(grown);
      std::uninitialized_copy(data_, data_ + size_, fresh);
      const size_t n = size_;
      Deallocate();
      data_ = fresh;
      size_ = n;
      capacity_ = grown;
    }
    ::new (static_cast<void*>(data_ + size_)) T(item);
    ++size_;
  }
  void Deallocate() {
    if (data_ != nullptr) std::allocator<T>().deallocate(data_, capacity_);
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
  }

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
    index_.reserve(size_ + size_ / 2 + 16);
    // insert() keeps the first of equal keys: the first occurrence wins.
    for (size_t i = 0; i < size_; ++i) index_.insert(static_cast<uint32_t>(i));
    index_ready_.store(true, std::memory_order_release);
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  mutable Index index_;
  mutable std::atomic<bool> index_ready_{false};
  mutable absl::Mutex index_mu_;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_INDEXED_LIST_H_

// RecordBuffer: a growable array of trivially copyable records whose slots
// can be handed out uninitialized.
//
// The session's tables (peers, channel pts, min peers) are decoded from
// fixed-size wire records. std::vector can only create its elements one at a
// time (value-initialized, or copied through an iterator), which cost the
// decoder two or three stores per peer on top of the conversion; here a
// decoder asks for `n` raw slots and fills them in bulk (a vector kernel
// writes two peers per store). Everything else is what a vector of
// trivially copyable values does: copies and growth are memcpy, erase is
// memmove.
//
// Filling raw slots: the caller must write every byte of a valid object
// representation of T into each slot it was given (memcpy or vector stores
// of bytes that form a T, or placement new) before the slot is read. T is
// trivially copyable, so such bytes *are* a T, as with memcpy into storage
// from operator new.
#ifndef TGSESSION_SESSION_RECORD_BUFFER_H_
#define TGSESSION_SESSION_RECORD_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "absl/types/span.h"

namespace tgsession {

template <typename T>
class RecordBuffer {
  static_assert(std::is_trivially_copyable<T>::value, "records are copied as bytes");

 public:
  RecordBuffer() = default;
  RecordBuffer(const RecordBuffer& other) { assign(other.data(), other.size()); }
  RecordBuffer& operator=(const RecordBuffer& other) {
    if (this != &other) assign(other.data(), other.size());
    return *this;
  }
  RecordBuffer(RecordBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  RecordBuffer& operator=(RecordBuffer&& other) noexcept {
    if (this != &other) {
      Free();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ~RecordBuffer() { Free(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  const T* data() const { return data_; }
  T* data() { return data_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& operator[](size_t i) { return data_[i]; }
  absl::Span<const T> span() const { return absl::Span<const T>(data_, size_); }

  void reserve(size_t n) {
    if (n > capacity_) Reallocate(n);
  }
  void clear() { size_ = 0; }
  void assign(const T* items, size_t n) {
    if (n > capacity_) {
      // Fresh storage first: `items` may point into the old one.
      T* fresh = Allocate(n);
      if (n > 0) std::memcpy(static_cast<void*>(fresh), items, n * sizeof(T));
      Free();
      data_ = fresh;
      capacity_ = n;
    } else if (n > 0) {
      std::memmove(static_cast<void*>(data_), items, n * sizeof(T));
    }
    size_ = n;
  }
  void push_back(const T& item) {
    if (size_ == capacity_) {
      const T copy = item;  // `item` may live in the storage about to move
      Reallocate(capacity_ < 8 ? 8 : 2 * capacity_);
      data_[size_++] = copy;
      return;
    }
    data_[size_++] = item;
  }
  void erase(size_t i) {
    std::memmove(static_cast<void*>(data_ + i), data_ + i + 1, (size_ - i - 1) * sizeof(T));
    --size_;
  }
  // Replaces the contents with `n` raw slots and returns them (see the file
  // comment: fill every slot before reading it).
  T* ResizeUninitialized(size_t n) {
    if (n > capacity_) {
      Free();
      data_ = Allocate(n);
      capacity_ = n;
    }
    size_ = n;
    return data_;
  }

  friend bool operator==(const RecordBuffer& a, const RecordBuffer& b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i) {
      if (!(a.data_[i] == b.data_[i])) return false;  // field-wise: padding is not compared
    }
    return true;
  }

 private:
  static T* Allocate(size_t n) { return n == 0 ? nullptr : static_cast<T*>(::operator new(n * sizeof(T))); }
  void Free() {
    if (data_ != nullptr) ::operator delete(static_cast<void*>(data_));
    data_ = nullptr;
    capacity_ = 0;
  }
  void Reallocate(size_t n) {
    T* fresh = Allocate(n);
    if (size_ > 0) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
    if (data_ != nullptr) ::operator delete(static_cast<void*>(data_));
    data_ = fresh;
    capacity_ = n;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_RECORD_BUFFER_H_

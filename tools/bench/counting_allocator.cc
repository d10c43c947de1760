#include "tools/bench/counting_allocator.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace tgsession {
namespace counting_allocator {
namespace {

std::atomic<size_t> in_use{0};
std::atomic<size_t> peak{0};

// Each block starts with a header as large as the alignment the caller's
// part needs; its last word holds the requested size.
void* Allocate(size_t n, size_t align) {
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  if (n > SIZE_MAX - 2 * align) return nullptr;
  const size_t total = (n + align + align - 1) / align * align;  // header + n, a multiple of align
  char* base = static_cast<char*>(std::aligned_alloc(align, total));
  if (base == nullptr) return nullptr;
  *reinterpret_cast<size_t*>(base + align - sizeof(size_t)) = n;
  const size_t now = in_use.fetch_add(n, std::memory_order_relaxed) + n;
  size_t p = peak.load(std::memory_order_relaxed);
  while (now > p && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
  return base + align;
}

void Free(void* p, size_t align) {
  if (p == nullptr) return;
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  char* base = static_cast<char*>(p) - align;
  in_use.fetch_sub(*reinterpret_cast<size_t*>(base + align - sizeof(size_t)), std::memory_order_relaxed);
  std::free(base);
}

void* AllocateOrDie(size_t n, size_t align) {
  void* p = Allocate(n, align);
  if (p == nullptr) std::abort();  // no exceptions: what operator new would throw
  return p;
}

}  // namespace

size_t InUse() { return in_use.load(std::memory_order_relaxed); }
size_t Peak() { return peak.load(std::memory_order_relaxed); }
void ResetPeak() { peak.store(in_use.load(std::memory_order_relaxed), std::memory_order_relaxed); }

}  // namespace counting_allocator
}  // namespace tgsession

using tgsession::counting_allocator::Allocate;
using tgsession::counting_allocator::AllocateOrDie;
using tgsession::counting_allocator::Free;

void* operator new(size_t n) { return AllocateOrDie(n, 0); }
void* operator new[](size_t n) { return AllocateOrDie(n, 0); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Allocate(n, 0); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Allocate(n, 0); }
void* operator new(size_t n, std::align_val_t a) { return AllocateOrDie(n, static_cast<size_t>(a)); }
void* operator new[](size_t n, std::align_val_t a) { return AllocateOrDie(n, static_cast<size_t>(a)); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Allocate(n, static_cast<size_t>(a));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Allocate(n, static_cast<size_t>(a));
}
void operator delete(void* p) noexcept { Free(p, 0); }
void operator delete[](void* p) noexcept { Free(p, 0); }
void operator delete(void* p, size_t) noexcept { Free(p, 0); }
void operator delete[](void* p, size_t) noexcept { Free(p, 0); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Free(p, 0); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Free(p, 0); }
void operator delete(void* p, std::align_val_t a) noexcept { Free(p, static_cast<size_t>(a)); }
void operator delete[](void* p, std::align_val_t a) noexcept { Free(p, static_cast<size_t>(a)); }
void operator delete(void* p, size_t, std::align_val_t a) noexcept { Free(p, static_cast<size_t>(a)); }
void operator delete[](void* p, size_t, std::align_val_t a) noexcept { Free(p, static_cast<size_t>(a)); }
void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept { Free(p, static_cast<size_t>(a)); }
void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  Free(p, static_cast<size_t>(a));
}

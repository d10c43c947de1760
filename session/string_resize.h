// ResizeForOverwrite: grows a std::string to `n` bytes without writing the
// new bytes, for encoders that are about to write every one of them.
//
// std::string::resize() zero-fills. For a 65,535-peer session that is 1.6 MB
// (2.1 MB as a native string) written once by memset and once more by the
// encoder: measured 13-17 us of a 55 us EncodeBinary on the machine of the
// README's figures, more than any other single cost of the encode. C++23's
// resize_and_overwrite does exactly this; for C++17 the two standard
// libraries we build with each have a way in:
//   * libc++ (Emscripten) has the member __resize_default_init;
//   * libstdc++ keeps its length setter _M_set_length private, reachable
//     through an explicit template instantiation (the one context where the
//     language lets a program name a private member), as folly's
//     UninitializedMemoryHacks does. After reserve(n) the buffer holds n
//     bytes, and _M_set_length(n) only stores the length and the terminator.
// Elsewhere it is a plain resize().
//
// The caller must write all of [old size, n) before anything reads it; the
// encoders check that they wrote exactly the size they computed and never
// return a string otherwise.
#ifndef TGSESSION_SESSION_STRING_RESIZE_H_
#define TGSESSION_SESSION_STRING_RESIZE_H_

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

namespace tgsession {
namespace string_resize_internal {

// libc++: detected by the member itself, so no version test is needed.
template <typename S, typename = void>
struct HasResizeDefaultInit : std::false_type {};
template <typename S>
struct HasResizeDefaultInit<S, decltype(std::declval<S&>().__resize_default_init(size_t{0}))>
    : std::true_type {};

#if defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define TGS_HAVE_LIBSTDCXX_SET_LENGTH 1
// Names std::string::_M_set_length through an explicit instantiation.
struct SetLengthTag {
  using type = void (std::string::*)(std::string::size_type);
  friend type MemberOf(SetLengthTag);
};
template <typename Tag, typename Tag::type kMember>
struct Expose {
  friend typename Tag::type MemberOf(Tag) { return kMember; }
};
template struct Expose<SetLengthTag, &std::string::_M_set_length>;
#endif

template <typename S>
void Resize(S* s, size_t n, std::true_type /*libc++*/) {
  s->__resize_default_init(n);
}

template <typename S>
void Resize(S* s, size_t n, std::false_type) {
#ifdef TGS_HAVE_LIBSTDCXX_SET_LENGTH
  if (n > s->size()) {
    s->reserve(n);
    (s->*MemberOf(SetLengthTag()))(n);
    return;
  }
#endif
  s->resize(n);
}

}  // namespace string_resize_internal

// Whether ResizeForOverwrite skips the fill on this standard library (tests
// hold it true for libstdc++ and libc++, so a fallback never goes unnoticed).
constexpr bool kResizeForOverwriteSkipsFill =
#ifdef TGS_HAVE_LIBSTDCXX_SET_LENGTH
    true;
#else
    string_resize_internal::HasResizeDefaultInit<std::string>::value;
#endif

// Sets s->size() to n. Bytes below the old size are kept; bytes from the old
// size up to n are unspecified until the caller writes them.
inline void ResizeForOverwrite(std::string* s, size_t n) {
  string_resize_internal::Resize(s, n, string_resize_internal::HasResizeDefaultInit<std::string>());
}

}  // namespace tgsession

#endif  // TGSESSION_SESSION_STRING_RESIZE_H_

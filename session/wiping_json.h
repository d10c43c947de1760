// RapidJSON set up for reading session data that holds secrets and may be
// hostile: a document type whose memory is wiped before it is freed, and the
// parse flags every reader of untrusted JSON uses.
#ifndef TGSESSION_SESSION_WIPING_JSON_H_
#define TGSESSION_SESSION_WIPING_JSON_H_

#include <cstdlib>
#include <cstring>

#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "session/secret.h"

namespace tgsession {

// RapidJSON allocator that wipes every block before freeing it: parsed
// documents and output buffers hold auth keys as hex or as arrays of numbers.
// Blocks carry their size in a 16-byte header because RapidJSON's Free() does
// not pass it.
class WipingJsonAllocator {
 public:
  [[maybe_unused]] static const bool kNeedFree = true;
  void* Malloc(size_t size) {
    if (size == 0) return nullptr;
    auto* p = static_cast<unsigned char*>(std::malloc(size + kHeader));
    if (p == nullptr) return nullptr;
    std::memcpy(p, &size, sizeof size);
    return p + kHeader;
  }
  void* Realloc(void* original, size_t original_size, size_t new_size) {
    if (new_size == 0) {
      Free(original);
      return nullptr;
    }
    void* fresh = Malloc(new_size);
    if (fresh != nullptr && original != nullptr) {
      std::memcpy(fresh, original, original_size < new_size ? original_size : new_size);
    }
    Free(original);
    return fresh;
  }
  static void Free(void* ptr) {
    if (ptr == nullptr) return;
    unsigned char* p = static_cast<unsigned char*>(ptr) - kHeader;
    size_t size;
    std::memcpy(&size, p, sizeof size);
    SecureZero(p, size + kHeader);
    std::free(p);
  }

 private:
  static constexpr size_t kHeader = 16;  // keeps malloc's 16-byte alignment
};

using WipingJsonDocument =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<WipingJsonAllocator>, WipingJsonAllocator>;
using WipingJsonStringBuffer = rapidjson::GenericStringBuffer<rapidjson::UTF8<>, WipingJsonAllocator>;

// Flags for parsing untrusted JSON.
// - Iterative: the recursive parser takes a stack frame per nesting level, so
//   64 KiB of '[' overflows a browser's or a small thread's stack.
// - Validate encoding: strings reach our model, which holds UTF-8.
// - Not kParseFullPrecisionFlag: our formats hold only integers, which
//   RapidJSON parses exactly on its integer path either way, and its exact
//   decimal-to-double conversion (StrtodFullPrecision, RapidJSON 1.1.0) has
//   undefined behaviour on hostile digits (clz(0) for "0e200", an int overflow
//   in the cached-power lookup for long tiny fractions: JSON fuzz findings).
//   Any non-integer is refused, so its last-bit accuracy does not matter.
constexpr unsigned kUntrustedJsonParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

}  // namespace tgsession

#endif  // TGSESSION_SESSION_WIPING_JSON_H_

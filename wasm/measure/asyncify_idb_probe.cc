// Measurement only (see wasm/measure/README.md): the other way C++ could reach
// IndexedDB, a C++ SessionBackend whose methods block on IndexedDB through
// emscripten's ASYNCIFY (EM_ASYNC_JS). Linked into the same module as the
// real API, so the size difference is what ASYNCIFY costs. With
// TGS_PROBE_NO_ASYNCIFY the IndexedDB calls are synchronous stubs, giving the
// baseline of the same C++ code without ASYNCIFY.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/backend.h"
#include "backends/journal.h"
#include "session/binary_codec.h"
#include "session/status_macros.h"

#ifdef TGS_PROBE_NO_ASYNCIFY
EM_JS(int, tgs_probe_idb_put, (const char* key, const uint8_t* p, size_t n), { return 12; });
EM_JS(int, tgs_probe_idb_get, (const char* key, uint8_t** out, size_t* out_len), { return 12; });
#else
// Puts bytes under `key` in one readwrite transaction; 0 or an absl code.
EM_ASYNC_JS(int, tgs_probe_idb_put, (const char* key, const uint8_t* p, size_t n), {
  const db = await Module.tgsProbeDb();
  const bytes = HEAPU8.slice(p, p + n);
  return await new Promise((resolve) => {
    const t = db.transaction('kv', 'readwrite');
    t.objectStore('kv').put(bytes, UTF8ToString(key));
    t.oncomplete = () => resolve(0);
    t.onabort = () => resolve(t.error && t.error.name === 'QuotaExceededError' ? 8 : 14);
  });
});
// Gets the bytes under `key` into a malloc'd buffer (*out, *out_len); 5 if absent.
EM_ASYNC_JS(int, tgs_probe_idb_get, (const char* key, uint8_t** out, size_t* out_len), {
  const db = await Module.tgsProbeDb();
  const v = await new Promise((resolve) => {
    const r = db.transaction('kv').objectStore('kv').get(UTF8ToString(key));
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => resolve(null);
  });
  if (!v) return 5;
  const p = _malloc(v.length || 1);
  HEAPU8.set(v, p);
  HEAP32[out >> 2] = p;
  HEAPU32[out_len >> 2] = v.length;
  return 0;
});
#endif

namespace tgsession {
namespace {

absl::Status Code(int c, const char* what) {
  if (c == 0) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(c), what);
}

// Snapshot under "s", journal records under "j<seq>" (not replayed: enough to
// measure writes).
class AsyncifyIdbBackend : public SessionBackend {
 public:
  absl::Status Save(const Session& session) override {
    TGS_ASSIGN_OR_RETURN(std::string bytes, EncodeBinary(session));
    seq_ = 0;
    return Code(tgs_probe_idb_put("s", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "put");
  }
  absl::StatusOr<std::optional<Session>> Load() override {
    uint8_t* p = nullptr;
    size_t n = 0;
    const int c = tgs_probe_idb_get("s", &p, &n);
    if (c == 5) return std::optional<Session>();
    TGS_RETURN_IF_ERROR(Code(c, "get"));
    absl::StatusOr<Session> s = DecodeBinary(absl::string_view(reinterpret_cast<const char*>(p), n));
    std::free(p);
    if (!s.ok()) return s.status();
    return std::optional<Session>(*std::move(s));
  }
  absl::Status Delete() override { return Code(tgs_probe_idb_put("s", nullptr, 0), "delete"); }
  std::string Name() const override { return "asyncify-indexeddb"; }
  absl::Status CachePeer(const CachedPeer& peer) override {
    std::string rec;
    TGS_RETURN_IF_ERROR(journal::AppendRecord(journal::Op::CachePeer(peer), &rec));
    const std::string key = absl::StrCat("j", seq_++);
    return Code(tgs_probe_idb_put(key.c_str(), reinterpret_cast<const uint8_t*>(rec.data()), rec.size()), "put");
  }

 private:
  uint64_t seq_ = 0;
};

SessionBackend& Backend() {
  static AsyncifyIdbBackend* const b = new AsyncifyIdbBackend;
  return *b;
}

std::string& LoadBuffer() {
  static std::string* const s = new std::string;
  return *s;
}

}  // namespace
}  // namespace tgsession

extern "C" {

// Saves the binary session in (p, n); returns an absl code.
EMSCRIPTEN_KEEPALIVE int tgs_probe_save(const char* p, size_t n) {
  absl::StatusOr<tgsession::Session> s = tgsession::DecodeBinary(absl::string_view(p, n));
  if (!s.ok()) return static_cast<int>(s.status().code());
  return static_cast<int>(tgsession::Backend().Save(*s).code());
}

// 32-bit arguments on purpose: emscripten 3.1.6's ASYNCIFY rewinds an export
// by calling it again with no arguments, and with -sWASM_BIGINT an int64_t
// parameter then throws "Cannot convert undefined to a BigInt" (measured:
// the first cachePeer never resolves). One more reason the real backend keeps
// IndexedDB in JavaScript.
EMSCRIPTEN_KEEPALIVE int tgs_probe_cache_peer(int32_t id, int32_t hash) {
  return static_cast<int>(tgsession::Backend().CachePeer(tgsession::CachedPeer::User(id, hash)).code());
}

// Loads; returns the length of the binary session (or -1).
EMSCRIPTEN_KEEPALIVE int tgs_probe_load() {
  absl::StatusOr<std::optional<tgsession::Session>> s = tgsession::Backend().Load();
  if (!s.ok() || !s->has_value()) return -1;
  absl::StatusOr<std::string> b = tgsession::EncodeBinary(**s);
  if (!b.ok()) return -1;
  tgsession::LoadBuffer() = *std::move(b);
  return static_cast<int>(tgsession::LoadBuffer().size());
}

}  // extern "C"

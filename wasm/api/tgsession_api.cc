// The C ABI of tgsession's WebAssembly module. wasm/js/tgsession_api.js (the
// hand-written JavaScript API) is its only caller; nothing here is meant for
// people.
//
// Conventions:
//   * Sessions live in wasm memory and are named by handles (small positive
//     integers; 0 is "none"). A stale or unknown handle is an error, never a
//     memory access.
//   * Functions returning int32_t return -1 (or 0 where a handle is returned)
//     on failure; tgs_error_code() / tgs_error_message() then give the
//     absl::Status code and message. Nothing here aborts the module: every
//     failure is a status.
//   * Results that are not numbers go to one output buffer: the function
//     returns its length and tgs_out_ptr() its address. The buffer may hold
//     keys, so the caller copies it out and calls tgs_out_wipe().
//   * Input bytes come as (pointer, length) in memory the caller allocated
//     with malloc (and wipes and frees afterwards).
//   * 64-bit integers cross as BigInt (linked with -sWASM_BIGINT).
//   * Packed records (section layouts below) are little-endian.
//   * Mutators take `record`: when non-zero, the function also writes the
//     framed journal record of the change (backends/journal.h) to the output
//     buffer, which the IndexedDB backend stores as one small record.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "backends/changes.h"
#include "backends/journal.h"
#include "session/binary_codec.h"
#include "session/byte_reader.h"
#include "session/secret.h"
#include "session/session.h"
#include "session/string_codec.h"
#include "wasm/api/call_result.h"
#include "wasm/api/formats.h"
#include "wasm/api/transfer.h"

namespace tgsession {
namespace wasm_api {
namespace {

struct State {
  std::vector<std::unique_ptr<HeldSession>> slots;  // handle = index + 1
  std::vector<int32_t> free_handles;
};

State& G() {
  static State* const state = new State;
  return *state;
}

int32_t FailHandle(const absl::Status& status) {
  Fail(status);
  return 0;
}

HeldSession* GetHeld(int32_t h) {
  State& g = G();
  if (h <= 0 || static_cast<size_t>(h) > g.slots.size() || g.slots[h - 1] == nullptr) {
    Fail(absl::InvalidArgumentError("invalid or freed session handle"));
    return nullptr;
  }
  return g.slots[h - 1].get();
}

Session* Get(int32_t h) {
  HeldSession* held = GetHeld(h);
  return held == nullptr ? nullptr : &held->session;
}

int32_t Put(HeldSession s) {
  State& g = G();
  auto owned = std::make_unique<HeldSession>(std::move(s));
  if (!g.free_handles.empty()) {
    int32_t h = g.free_handles.back();
    g.free_handles.pop_back();
    g.slots[h - 1] = std::move(owned);
    return h;
  }
  g.slots.push_back(std::move(owned));
  return static_cast<int32_t>(g.slots.size());
}

int32_t SetOut(std::string bytes) { return wasm_api::SetOut(SecretString(std::move(bytes))); }

// Little-endian writer for the packed sections.
class Writer {
 public:
  void U8(uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) s_.push_back(static_cast<char>(v >> (8 * i)));
  }
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void I64(int64_t v) {
    const uint64_t u = static_cast<uint64_t>(v);
    for (int i = 0; i < 8; ++i) s_.push_back(static_cast<char>(u >> (8 * i)));
  }
  void Str(absl::string_view v) {
    U32(static_cast<uint32_t>(v.size()));
    s_.append(v.data(), v.size());
  }
  std::string Take() { return std::move(s_); }

 private:
  std::string s_;
};

// Packed peer: i64 id, i64 access_hash, u8 type, u8 channel_kind (0xFF none),
// u8 is_community (19 bytes).
void WritePeer(Writer& w, const CachedPeer& p) {
  w.I64(p.id);
  w.I64(p.access_hash);
  w.U8(static_cast<uint8_t>(p.type));
  w.U8(p.channel_kind ? static_cast<uint8_t>(*p.channel_kind) : 0xFF);
  w.U8(p.is_community ? 1 : 0);
}

absl::StatusOr<CachedPeer> MakePeer(int64_t id, int64_t hash, int32_t type, int32_t kind, int32_t community) {
  if (type < 0 || type > 2) return absl::InvalidArgumentError("peer type must be user, channel or chat");
  if (kind != 0xFF && (kind < 0 || kind > 2)) {
    return absl::InvalidArgumentError("channel kind must be Broadcast, Megagroup, Gigagroup or null");
  }
  CachedPeer p;
  p.id = id;
  p.access_hash = hash;
  p.type = static_cast<PeerType>(type);
  if (kind != 0xFF) p.channel_kind = static_cast<ChannelKind>(kind);
  p.is_community = community != 0;
  return p;
}

// A batch as the JavaScript API packs it (tgs_apply_changes), read whole
// before anything is applied.
absl::StatusOr<OwnedSessionChanges> ReadChanges(const char* p, size_t n) {
  ByteReader r(reinterpret_cast<const uint8_t*>(p), n);
  OwnedSessionChanges c;
  uint32_t count;
  if (!r.U32(&count) || !r.Need(uint64_t{count} * 19)) return absl::InvalidArgumentError("batch peers truncated");
  c.peers.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    int64_t id, hash;
    uint8_t type, kind, community;
    r.I64(&id);
    r.I64(&hash);
    r.U8(&type);
    r.U8(&kind);
    r.U8(&community);
    absl::StatusOr<CachedPeer> peer = MakePeer(id, hash, type, kind, community);
    if (!peer.ok()) return absl::InvalidArgumentError(absl::StrCat("batch peer ", i, ": ", peer.status().message()));
    c.peers.push_back(*peer);
  }
  if (!r.U32(&count) || !r.Need(uint64_t{count} * 20)) return absl::InvalidArgumentError("batch min peers truncated");
  c.min_peers.resize(count);
  for (CachedMinPeer& m : c.min_peers) {
    r.I64(&m.user_id);
    r.I64(&m.peer_id);
    r.I32(&m.msg_id);
  }
  // Each update takes at least 5 bytes: the count cannot outgrow the input.
  if (!r.U32(&count) || !r.Need(uint64_t{count} * 5)) return absl::InvalidArgumentError("batch updates truncated");
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t kind;
    UpdateStateChange u;
    bool ok = r.U8(&kind);
    switch (ok ? kind : 0xFF) {
      case 1:
        ok = r.I32(&u.pts) && r.I32(&u.date) && r.I32(&u.seq);
        u = UpdateStateChange::Primary(u.pts, u.date, u.seq);
        break;
      case 2:
        ok = r.I32(&u.qts);
        u = UpdateStateChange::Secondary(u.qts);
        break;
      case 3:
        ok = r.I64(&u.channel_id) && r.I32(&u.pts);
        u = UpdateStateChange::Channel(u.channel_id, u.pts);
        break;
      case 4: {
        UpdatesState st;
        uint32_t channels;
        ok = r.I32(&st.pts) && r.I32(&st.qts) && r.I32(&st.date) && r.I32(&st.seq) && r.U32(&channels) &&
             r.Need(uint64_t{channels} * 12);
        for (uint32_t k = 0; ok && k < channels; ++k) {
          int64_t id;
          int32_t pts;
          r.I64(&id);
          r.I32(&pts);
          st.SetChannelPts(id, pts);
        }
        u = UpdateStateChange::All(std::move(st));
        break;
      }
      default:
        return absl::InvalidArgumentError(absl::StrCat("batch update ", i, ": unknown kind"));
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("batch update ", i, " truncated"));
    c.updates.push_back(std::move(u));
  }
  if (!r.AtEnd()) return absl::InvalidArgumentError("trailing bytes after the batch");
  return c;
}

// Applies `op` to `s` and, when asked, puts its journal record in the output
// buffer. Returns the output length (0 without a record) or -1.
int32_t ApplyOp(Session& s, const journal::Op& op, int32_t record) {
#ifdef TGS_API_NO_JOURNAL  // size measurement only (wasm/measure)
  record = 0;
#endif
  if (record) {
    std::string rec;
    absl::Status st = journal::AppendRecord(op, &rec);
    if (!st.ok()) return Fail(st);
    op.ApplyTo(s);
    return SetOut(std::move(rec));
  }
  op.ApplyTo(s);
  ClearError();
  return 0;
}

}  // namespace
}  // namespace wasm_api
}  // namespace tgsession

using namespace tgsession;            // NOLINT: a C ABI file
using namespace tgsession::wasm_api;  // NOLINT

extern "C" {

// --- errors and the output buffer -------------------------------------------


// --- lifecycle ----------------------------------------------------------------

// A new session: empty, or (with_defaults) ferogram's default DC table with
// home DC 2.
EMSCRIPTEN_KEEPALIVE int32_t tgs_session_new(int32_t with_defaults) {
  ClearError();
  HeldSession held;
  if (with_defaults) held.session = NewSessionWithDefaults();
  return Put(std::move(held));
}

EMSCRIPTEN_KEEPALIVE void tgs_session_free(int32_t h) {
  State& g = G();
  if (h <= 0 || static_cast<size_t>(h) > g.slots.size() || g.slots[h - 1] == nullptr) return;
  g.slots[h - 1].reset();  // Session's secrets wipe themselves
  g.free_handles.push_back(h);
}

EMSCRIPTEN_KEEPALIVE int32_t tgs_session_clone(int32_t h) {
  HeldSession* held = GetHeld(h);
  if (held == nullptr) return 0;
  ClearError();
  return Put(*held);
}

// 1 if equal, 0 if not, -1 on a bad handle.
EMSCRIPTEN_KEEPALIVE int32_t tgs_session_equals(int32_t a, int32_t b) {
  Session* x = Get(a);
  Session* y = Get(b);
  if (x == nullptr || y == nullptr) return -1;
  ClearError();
  return *x == *y ? 1 : 0;
}

// Number of live handles (for leak checks in tests).
EMSCRIPTEN_KEEPALIVE int32_t tgs_live_sessions() {
  const State& g = G();
  return static_cast<int32_t>(g.slots.size() - g.free_handles.size());
}

// --- formats --------------------------------------------------------------------

// Decodes `input` as the format named `format` ("" or "auto": detect). On
// success returns a handle and leaves the decode info in the output buffer
// (layout: see formats.h, DecodeResult::Pack).
EMSCRIPTEN_KEEPALIVE int32_t tgs_decode(const char* input, size_t input_len, const char* format,
                                        size_t format_len, int32_t strict) {
  absl::StatusOr<DecodeResult> r = DecodeFormat(In(input, input_len), In(format, format_len), strict != 0);
  if (!r.ok()) return FailHandle(r.status());
  std::string info = r->PackInfo();
  int32_t h = Put(std::move(r->held));
  SetOut(std::move(info));
  return h;
}

// Encodes session `h` as `format` (see EncodeFormat in formats.h for
// `option`, `user_id` and the packed result: data plus conversion summary).
// Returns the length of the result.
EMSCRIPTEN_KEEPALIVE int32_t tgs_encode(int32_t h, const char* format, size_t format_len, int32_t option,
                                        int64_t user_id) {
  HeldSession* held = GetHeld(h);
  if (held == nullptr) return -1;
  absl::StatusOr<std::string> r = EncodeFormat(*held, In(format, format_len), option, user_id);
  if (!r.ok()) return Fail(r.status());
  return SetOut(*std::move(r));
}

// The format names this module reads and writes, '\n'-separated: first line
// readable formats, second line writable ones (each ' '-separated).
EMSCRIPTEN_KEEPALIVE int32_t tgs_formats() { return SetOut(FormatList()); }

// Session `h` as transfer bytes (transfer.h) for the SQLite module.
EMSCRIPTEN_KEEPALIVE int32_t tgs_session_export(int32_t h) {
  HeldSession* held = GetHeld(h);
  if (held == nullptr) return -1;
  absl::StatusOr<SecretString> bytes = PackHeld(*held);
  if (!bytes.ok()) return Fail(bytes.status());
  return SetOut(bytes->Release());
}

// A new session from transfer bytes (what the SQLite module read); 0 on
// failure.
EMSCRIPTEN_KEEPALIVE int32_t tgs_session_import(const char* p, size_t n) {
  absl::StatusOr<HeldSession> held = UnpackHeld(In(p, n));
  if (!held.ok()) return FailHandle(held.status());
  ClearError();
  return Put(*std::move(held));
}

// --- reading -------------------------------------------------------------------

// Section layouts (all little-endian):
//   0 state:     i32 home_dc_id, i32 pts, qts, date, seq, u32 n, n x {i64 channel_id, i32 pts}
//   1 dcs:       u32 n, n x {i32 dc_id, u8 has_key, u8 flags, i64 first_salt,
//                            i32 time_offset, u32 addr_len, addr bytes}
//   2 peers:     u32 n, n x packed peer (WritePeer)
//   3 min peers: u32 n, n x {i64 user_id, i64 peer_id, i32 msg_id}
//   4 token:     the future auth token's bytes; -1 with code kNotFound if none
//   5 stats:     u32 x 10: home_dc_id, dcs_total, dcs_with_auth_key,
//                peers_total, users, channels, chats, min_peers,
//                channel_pts_entries, approx_bytes; then u8 updates_initialised
//   6 debug:     Session::DebugString() (secrets redacted), UTF-8
//   7 extras:    what other libraries' formats carry (PackExtras, formats.h)
EMSCRIPTEN_KEEPALIVE int32_t tgs_read(int32_t h, int32_t section) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  Writer w;
  switch (section) {
    case 0: {
      w.I32(s->home_dc_id);
      const UpdatesState& u = s->updates_state;
      w.I32(u.pts);
      w.I32(u.qts);
      w.I32(u.date);
      w.I32(u.seq);
      w.U32(static_cast<uint32_t>(u.channels().size()));
      for (const ChannelPts& c : u.channels()) {
        w.I64(c.channel_id);
        w.I32(c.pts);
      }
      break;
    }
    case 1:
      w.U32(static_cast<uint32_t>(s->dcs.size()));
      for (const DcEntry& e : s->dcs) {
        w.I32(e.dc_id);
        w.U8(e.auth_key ? 1 : 0);
        w.U8(e.flags.bits);
        w.I64(e.first_salt);
        w.I32(e.time_offset);
        w.Str(e.addr);
      }
      break;
    case 2:
      w.U32(static_cast<uint32_t>(s->peers.size()));
      for (const CachedPeer& p : s->peers) WritePeer(w, p);
      break;
    case 3:
      w.U32(static_cast<uint32_t>(s->min_peers.size()));
      for (const CachedMinPeer& m : s->min_peers) {
        w.I64(m.user_id);
        w.I64(m.peer_id);
        w.I32(m.msg_id);
      }
      break;
    case 4:
      if (!s->future_auth_token) return Fail(absl::NotFoundError("no future auth token"));
      return SetOut(std::string(reinterpret_cast<const char*>(s->future_auth_token->data()),
                                s->future_auth_token->size()));
    case 5: {
      const SessionStats st = s->Stats();
      for (size_t v : {static_cast<size_t>(static_cast<uint32_t>(st.home_dc_id)), st.dcs_total,
                       st.dcs_with_auth_key, st.peers_total, st.peers_users, st.peers_channels, st.peers_chats,
                       st.min_peers, st.channel_pts_entries, st.approx_bytes}) {
        w.U32(static_cast<uint32_t>(v));
      }
      w.U8(st.updates_initialised ? 1 : 0);
      break;
    }
    case 6:
      return SetOut(s->DebugString());
    case 7:
      return SetOut(PackExtras(GetHeld(h)->extras));
    default:
      return Fail(absl::InvalidArgumentError("unknown section"));
  }
  return SetOut(w.Take());
}

// The cached peer `id` (packed, 19 bytes), or 0 if none.
EMSCRIPTEN_KEEPALIVE int32_t tgs_find_peer(int32_t h, int64_t id) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  const CachedPeer* p = s->FindPeer(id);
  if (p == nullptr) return SetOut(std::string());
  Writer w;
  WritePeer(w, *p);
  return SetOut(w.Take());
}

// The auth key of DC `dc_id` (256 bytes: the first entry of that DC with a
// key), or 0 if it has none.
EMSCRIPTEN_KEEPALIVE int32_t tgs_auth_key(int32_t h, int32_t dc_id) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  for (const DcEntry& e : s->dcs) {
    if (e.dc_id == dc_id && e.auth_key) {
      return SetOut(std::string(reinterpret_cast<const char*>(e.auth_key->data()), AuthKey::kSize));
    }
  }
  return SetOut(std::string());
}

// --- changing ------------------------------------------------------------------

EMSCRIPTEN_KEEPALIVE int32_t tgs_set_home_dc(int32_t h, int32_t dc_id, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  return ApplyOp(*s, journal::Op::SetHomeDc(dc_id), record);
}

// Session::UpsertDc. `key` is 256 bytes or null (no key).
EMSCRIPTEN_KEEPALIVE int32_t tgs_upsert_dc(int32_t h, int32_t dc_id, const char* addr, size_t addr_len,
                                           const uint8_t* key, int64_t first_salt, int32_t time_offset,
                                           int32_t flags, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  if (flags < 0 || flags > 255) return Fail(absl::InvalidArgumentError("DC flags must fit in one byte"));
  if (addr_len > 65535) return Fail(absl::InvalidArgumentError("DC address longer than 65535 bytes"));
  DcEntry e;
  e.dc_id = dc_id;
  e.addr = std::string(In(addr, addr_len));
  if (key != nullptr) e.auth_key = AuthKey::FromRawUnchecked(key);
  e.first_salt = first_salt;
  e.time_offset = time_offset;
  e.flags = DcFlags(static_cast<uint8_t>(flags));
  return ApplyOp(*s, journal::Op::UpsertDc(e), record);
}

// Session::SetAuthKey (every entry of the DC); returns how many were set.
EMSCRIPTEN_KEEPALIVE int32_t tgs_set_auth_key(int32_t h, int32_t dc_id, const uint8_t* key) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  if (key == nullptr) return Fail(absl::InvalidArgumentError("auth key missing"));
  ClearError();
  return static_cast<int32_t>(s->SetAuthKey(dc_id, AuthKey::FromRawUnchecked(key)));
}

// kind 1 Primary(a=pts, b=date, c=seq), 2 Secondary(a=qts), 3 Channel(channel_id, a=pts).
EMSCRIPTEN_KEEPALIVE int32_t tgs_apply_update(int32_t h, int32_t kind, int32_t a, int32_t b, int32_t c,
                                              int64_t channel_id, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  UpdateStateChange change;
  switch (kind) {
    case 1:
      change = UpdateStateChange::Primary(a, b, c);
      break;
    case 2:
      change = UpdateStateChange::Secondary(a);
      break;
    case 3:
      change = UpdateStateChange::Channel(channel_id, a);
      break;
    default:
      return Fail(absl::InvalidArgumentError("unknown update state change"));
  }
  return ApplyOp(*s, journal::Op::UpdateState(change), record);
}

// UpdateStateChange::All from a packed state (section 0 without home_dc_id).
EMSCRIPTEN_KEEPALIVE int32_t tgs_set_update_state(int32_t h, const char* p, size_t n, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  auto i32 = [&](size_t at) {
    return static_cast<int32_t>(static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
                                static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24);
  };
  if (p == nullptr || n < 20) return Fail(absl::InvalidArgumentError("update state truncated"));
  const uint32_t count = static_cast<uint32_t>(i32(16));
  if ((n - 20) / 12 < count || n != 20 + static_cast<size_t>(count) * 12) {
    return Fail(absl::InvalidArgumentError("update state has the wrong length"));
  }
  UpdatesState st;
  st.pts = i32(0);
  st.qts = i32(4);
  st.date = i32(8);
  st.seq = i32(12);
  for (uint32_t k = 0; k < count; ++k) {
    const size_t at = 20 + static_cast<size_t>(k) * 12;
    const int64_t id = static_cast<int64_t>(static_cast<uint64_t>(static_cast<uint32_t>(i32(at))) |
                                            static_cast<uint64_t>(static_cast<uint32_t>(i32(at + 4))) << 32);
    st.SetChannelPts(id, i32(at + 8));
  }
  const UpdateStateChange change = UpdateStateChange::All(std::move(st));
  return ApplyOp(*s, journal::Op::UpdateState(change), record);
}

// Session::CachePeer. type 0 user, 1 channel, 2 chat; kind 0..2 or 0xFF (none).
EMSCRIPTEN_KEEPALIVE int32_t tgs_cache_peer(int32_t h, int64_t id, int64_t access_hash, int32_t type,
                                            int32_t kind, int32_t is_community, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  absl::StatusOr<CachedPeer> p = MakePeer(id, access_hash, type, kind, is_community);
  if (!p.ok()) return Fail(p.status());
  return ApplyOp(*s, journal::Op::CachePeer(*p), record);
}

// Removes a cached peer; 1 if it existed.
EMSCRIPTEN_KEEPALIVE int32_t tgs_remove_peer(int32_t h, int64_t id) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  ClearError();
  return s->peers.Remove(id) ? 1 : 0;
}

// SessionBackend::ApplyChanges: peers, min peers and update-state changes as
// one unit (one journal record with `record`). Packed, little-endian:
//   u32 n, n x packed peer (19 bytes, as WritePeer)
//   u32 n, n x {i64 user_id, i64 peer_id, i32 msg_id}
//   u32 n, n x {u8 kind; 1: i32 pts, date, seq; 2: i32 qts;
//               3: i64 channel_id, i32 pts; 4 (all): i32 pts, qts, date,
//               seq, u32 count, count x {i64 channel_id, i32 pts}}
// Everything is read and checked before anything is applied.
EMSCRIPTEN_KEEPALIVE int32_t tgs_apply_changes(int32_t h, const char* p, size_t n, int32_t record) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  absl::StatusOr<OwnedSessionChanges> c = ReadChanges(p, n);
  if (!c.ok()) return Fail(c.status());
  const SessionChanges view = c->view();
  return ApplyOp(*s, journal::Op::Batch(view), record);
}

EMSCRIPTEN_KEEPALIVE int32_t tgs_cache_min_peer(int32_t h, int64_t user_id, int64_t peer_id, int32_t msg_id) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  s->CacheMinPeer({user_id, peer_id, msg_id});
  ClearError();
  return 0;
}

// Sets (present != 0) or clears the future auth token.
EMSCRIPTEN_KEEPALIVE int32_t tgs_set_token(int32_t h, const char* p, size_t n, int32_t present) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
  if (present) {
    s->future_auth_token.emplace(In(p, n));
  } else {
    s->future_auth_token.reset();
  }
  ClearError();
  return 0;
}

// Sets the extras other libraries' formats need (Pyrogram: the user id).
// Each field: has_x = 0 leaves it unknown. is_bot/test_mode: -1 unknown.
EMSCRIPTEN_KEEPALIVE int32_t tgs_set_extras(int32_t h, int32_t has_user_id, int64_t user_id, int32_t is_bot,
                                            int32_t test_mode, int32_t has_api_id, int32_t api_id) {
  HeldSession* held = GetHeld(h);
  if (held == nullptr) return -1;
  interop::SessionExtras& e = held->extras;
  e.user_id = has_user_id ? std::optional<int64_t>(user_id) : std::nullopt;
  e.is_bot = is_bot < 0 ? std::nullopt : std::optional<bool>(is_bot != 0);
  e.test_mode = test_mode < 0 ? std::nullopt : std::optional<bool>(test_mode != 0);
  e.api_id = has_api_id ? std::optional<int32_t>(api_id) : std::nullopt;
  ClearError();
  return 0;
}

// Applies journal records (concatenated framed records, as the mutators
// write them) to `h`. Returns how many were applied. A record that does not
// check out is kDataLoss: IndexedDB stores each record whole, so there is no
// torn tail to forgive.
EMSCRIPTEN_KEEPALIVE int32_t tgs_replay(int32_t h, const char* p, size_t n) {
  Session* s = Get(h);
  if (s == nullptr) return -1;
#ifdef TGS_API_NO_JOURNAL
  return Fail(absl::UnimplementedError("built without the journal"));
#endif
  std::string journal(journal::kHeaderSize, '\0');  // Replay skips the header
  journal.append(In(p, n).data(), In(p, n).size());
  Session copy = *s;
  absl::StatusOr<journal::ReplayResult> r = journal::Replay(journal, &copy);
  SecureZero(&journal[0], journal.size());
  if (!r.ok()) return Fail(r.status());
  if (r->torn_bytes != 0) {
    return Fail(absl::DataLossError("stored session journal record is damaged"));
  }
  *s = std::move(copy);
  ClearError();
  return static_cast<int32_t>(r->records);
}

}  // extern "C"

// The ferogram binary session format, versions 1 to 8, plus tgsession's
// lossless extension, version 9.
//
// Layout (little-endian; "vN+" marks the version that added a field):
//
//   u8   version (absent in v1: v1 starts directly with home_dc_id)
//   i32  home_dc_id
//   u8   dc_count                                  (u32 in v9)
//   dc_count x {
//     i32 dc_id
//     u8  has_key; if 1: 256-byte auth key
//     i64 first_salt
//     i32 time_offset
//     u8  addr_len, addr bytes ("ip:port")          (u16 addr_len in v9)
//     u8  flags                                    v3+
//   }
//   -- v1 ends here --
//   i32 pts, qts, date, seq
//   u16 channel_count x { i64 channel_id, i32 pts } (u32 count in v9)
//   u16 peer_count x {                             (u32 count in v9)
//     i64 id, i64 access_hash
//     u8  type: 0 user, 1 channel, 2 chat
//     u8  channel_kind: 0 broadcast, 1 megagroup, 2 gigagroup, 0xFF none   v6+
//     u8  is_community                                                      v8+
//   }
//   u16 min_peer_count x { i64 user_id, i64 peer_id, i32 msg_id }   v4+ (u32 in v9)
//   u8  has_token; if 1: u16 len, token bytes      v7+ (u32 len in v9)
//   -- v9 only --
//   u32 CRC-32C of every byte before it
//
// Version 9 starts with the bytes 09 't' 'g' 's'. It exists because v8's count
// and length fields are u8/u16 and ferogram wraps them silently (a 65,536-peer
// session saves as 0 peers). We never wrap: EncodeBinary writes v8 whenever
// the session fits (so ferogram reads our files), v9 only when it does not,
// and fails with kOutOfRange if v8 was demanded and the session does not fit.
//
// Reading: every input ferogram's from_bytes reads is read the same way,
// except for the deliberate differences listed, with their reasons and the
// tests that pin them against the real crate, in docs/ferogram-differences.md.
// Every count is checked against the bytes left before anything is allocated.
// Errors are kDataLoss and name the byte offset and field, e.g.
// "session truncated at byte 1291 reading peer 40 access_hash".
#ifndef TGSESSION_SESSION_BINARY_CODEC_H_
#define TGSESSION_SESSION_BINARY_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "session/session.h"

namespace tgsession {

inline constexpr int kFerogramBinaryVersion = 8;  // what ferogram 0.6.x writes
inline constexpr int kExtendedBinaryVersion = 9;  // tgsession's lossless extension

// Bounds applied while decoding untrusted bytes. Each stops one way a hostile
// or corrupted input could make us allocate or loop far beyond what a real
// session needs. Counts are additionally checked against the bytes actually
// left, so the limits matter only for inputs that really are that large.
struct DecodeLimits {
  // Whole encoded session. The largest real sessions are a few MB; 256 MiB
  // keeps a 10-million-peer session loadable while refusing absurd files.
  size_t max_input_bytes = 256u << 20;
  // DC table entries (Telegram has ~5 DCs with a few addresses each).
  uint32_t max_dcs = 65535;
  // Address bytes per DC entry ("[v6]:port" needs < 50).
  uint32_t max_addr_bytes = 65535;
  // Per-channel pts entries, cached peers and min-peer contexts.
  uint32_t max_channels = 16u << 20;
  uint32_t max_peers = 16u << 20;
  uint32_t max_min_peers = 16u << 20;
  // Future auth token bytes (Telegram's are tens of bytes).
  uint32_t max_token_bytes = 1u << 20;
  // Bytes after a complete session that DecodeMode::kCompatible tolerates.
  // ferogram ignores any amount; a few bytes of padding or garbage are worth
  // reading past, megabytes mean the input is something else entirely.
  size_t max_trailing_bytes = 4096;
};

enum class DecodeMode {
  kCompatible,  // accept what ferogram accepts, report anomalies as warnings
  kStrict,      // reject anything a correct writer would never produce
};

struct DecodeOptions {
  DecodeLimits limits;
  DecodeMode mode = DecodeMode::kCompatible;
};

// What a read noticed besides the session itself: the one report of every
// decoder (binary, strings, other libraries' formats; interop/formats.h).
struct DecodeInfo {
  int version = 0;             // the format's version as read: binary 1..9, compact string 1..2
  bool read_as_v1_fallback = false;  // first byte looked like v2..v8 but v1 fit
  size_t trailing_bytes = 0;   // bytes after the session (kCompatible only)
  size_t anomaly_count = 0;    // all anomalies, including unlisted ones
  // Human-readable: anomalies (the binary decoder lists the first
  // kMaxWarnings) and facts worth knowing (a zero key read as none, a
  // deduced value), which are not counted as anomalies.
  std::vector<std::string> warnings;
  // The layout read, in words: "v8", "V2, IPv4", "schema 7"...
  std::string layout;
  static constexpr size_t kMaxWarnings = 16;
  // Where the secrets lie in the input: every auth key is in
  // [0, secrets_end) (the header and DC table) and the future auth token in
  // [secrets_tail_begin, input size). Peers, channel pts and min peers lie
  // between. A caller holding its own copy of the input (a base64-decoded
  // buffer, a file read into memory) wipes these two ranges instead of every
  // byte of a possibly multi-megabyte copy.
  size_t secrets_end = 0;
  size_t secrets_tail_begin = 0;
};

// Decodes a session in any binary version 1..9.
absl::StatusOr<Session> DecodeBinary(absl::string_view data, const DecodeOptions& options = {},
                                     DecodeInfo* info = nullptr);

// Decodes `data` strictly as the given version (1..9, no disambiguation).
// For tests and tools that know what they hold.
absl::StatusOr<Session> DecodeBinaryAsVersion(absl::string_view data, int version,
                                              const DecodeOptions& options = {},
                                              DecodeInfo* info = nullptr);

enum class VersionPolicy {
  kAuto,           // v8 when the session fits in it, otherwise v9
  kFerogramOnly,   // v8, or kOutOfRange naming what does not fit
  kExtended,       // always v9
};

struct EncodeOptions {
  VersionPolicy policy = VersionPolicy::kAuto;
};

// OK when `session` can be written as `version` (8 or 9) without losing
// anything; otherwise kOutOfRange naming the first field that does not fit.
absl::Status CheckFitsBinaryVersion(const Session& session, int version);

// 8 if the session fits in v8, else 9.
int ChooseBinaryVersion(const Session& session);

// Exact size of the encoding of `session` as `version` (8 or 9). Only
// meaningful when CheckFitsBinaryVersion(session, version) is OK.
size_t BinaryEncodedSize(const Session& session, int version);

// Encodes into `out`, which must be at least BinaryEncodedSize() bytes.
// Returns the number of bytes written. No allocation.
absl::StatusOr<size_t> EncodeBinaryTo(const Session& session, int version, absl::Span<uint8_t> out);

// Encodes into a new string: exactly one allocation of exactly the right size.
absl::StatusOr<std::string> EncodeBinary(const Session& session, const EncodeOptions& options = {});

// The version EncodeBinary will use for `session` under `options`, or the
// error it would return.
absl::StatusOr<int> SelectBinaryVersion(const Session& session, const EncodeOptions& options);

// CRC-32C (Castagnoli) used by v9 and the file journal.
uint32_t Crc32c(const uint8_t* data, size_t n, uint32_t crc = 0);
inline uint32_t Crc32c(absl::string_view s, uint32_t crc = 0) {
  return Crc32c(reinterpret_cast<const uint8_t*>(s.data()), s.size(), crc);
}

}  // namespace tgsession

#endif  // TGSESSION_SESSION_BINARY_CODEC_H_

// Internal helpers for the interop decoders and encoders: a wiped buffer for
// decoded session bytes, a bounds-checked reader that names the field and
// byte offset in its errors, and an anomaly collector. Not part of the API.
#ifndef TGSESSION_SESSION_INTEROP_WIRE_H_
#define TGSESSION_SESSION_INTEROP_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/interop/read_options.h"
#include "session/secret.h"
#include "session/session.h"

namespace tgsession {
namespace interop {
namespace internal {

// Bytes decoded from a session string. They hold an auth key, so the buffer
// is wiped when it goes away.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  ~SecretBuffer();

  // Decodes `text` strictly (base64.h); `what` prefixes any error.
  absl::Status DecodeBase64(absl::string_view text, Base64Format format, absl::string_view what);

  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(buf_.data()); }
  size_t size() const { return len_; }

 private:
  std::string buf_;
  size_t len_ = 0;
};

// Reads fixed-width fields from a byte range. Every read must be preceded by
// Need() (or a length check covering it); Need() fails with kInvalidArgument
// naming the field and the offset.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size, absl::string_view what) : d_(data), n_(size), what_(what) {}

  size_t pos() const { return p_; }
  size_t size() const { return n_; }
  size_t remaining() const { return n_ - p_; }
  absl::Status Need(size_t n, absl::string_view field) const;

  uint8_t U8() { return d_[p_++]; }
  uint16_t U16BE();
  uint32_t U32BE();
  uint64_t U64BE();
  uint32_t U32LE();
  uint64_t U64LE();
  const uint8_t* Bytes(size_t n) {
    const uint8_t* p = d_ + p_;
    p_ += n;
    return p;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t p_ = 0;
  absl::string_view what_;
};

// Anomalies (see read_options.h): an error in kStrict mode, a counted warning in
// kCompatible mode.
class Anomalies {
 public:
  Anomalies(DecodeMode mode, DecodeInfo* info, absl::string_view what)
      : mode_(mode), info_(info), what_(what) {}
  absl::Status Report(const std::string& message);
  // A warning that is not an anomaly (e.g. a zero key, a port GramJS misreads).
  void Note(const std::string& message);

 private:
  DecodeMode mode_;
  DecodeInfo* info_;
  absl::string_view what_;
};

// The start of every string decoder: kInvalidArgument if `text` is empty or
// longer than options.max_chars; otherwise resets *info (when not null) and
// returns the text without the Unicode white space around it.
absl::StatusOr<absl::string_view> StartDecode(absl::string_view text, const ReadOptions& options,
                                              absl::string_view what, DecodeInfo* info);

// True if every byte of the key is zero (Telethon and mtcute treat such a key
// as absent; a real MTProto key is never all zeros).
bool IsAllZero(const AuthKey& key);

// True for an IPv4 or IPv6 literal or a DNS host name: 1..253 bytes of
// [A-Za-z0-9.:-]. What a DC address must look like before we connect to it.
bool IsHostText(absl::string_view s);

// A session string that is not valid UTF-8 cannot appear in an error message
// as is; this shortens and escapes a fragment for messages.
std::string Quote(absl::string_view s);

// The entry of the home DC that single-DC formats (Telethon, GramJS,
// Pyrogram, mtcute strings) export: one with an auth key, preferring a
// non-media entry, then IPv4. kFailedPrecondition naming `target` when the
// home DC has no entry with a key.
absl::StatusOr<const DcEntry*> HomeEntryWithKey(const Session& s, absl::string_view target);

}  // namespace internal
}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_WIRE_H_

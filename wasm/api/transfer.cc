#include "wasm/api/transfer.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "session/binary_codec.h"
#include "session/status_macros.h"

namespace tgsession {
namespace wasm_api {
namespace {

constexpr uint8_t kVersion = 1;

void U8(SecretString* s, uint8_t v) { s->Append(absl::string_view(reinterpret_cast<const char*>(&v), 1)); }
void U32(SecretString* s, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  s->Append(absl::string_view(b, 4));
}
void I64(SecretString* s, int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  U32(s, static_cast<uint32_t>(u));
  U32(s, static_cast<uint32_t>(u >> 32));
}
void Str(SecretString* s, absl::string_view v) {
  U32(s, static_cast<uint32_t>(v.size()));
  s->Append(v);
}
template <typename T>
uint8_t Bit(const std::optional<T>& v, int bit) {
  return v ? static_cast<uint8_t>(1u << bit) : 0;
}

// Bounded little-endian reads; the first failure names the field and offset.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  absl::Status U8(const char* field, uint8_t* v) {
    TGS_RETURN_IF_ERROR(Need(field, 1));
    *v = static_cast<uint8_t>(in_[pos_++]);
    return absl::OkStatus();
  }
  absl::Status U32(const char* field, uint32_t* v) {
    TGS_RETURN_IF_ERROR(Need(field, 4));
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return absl::OkStatus();
  }
  absl::Status I64(const char* field, int64_t* v) {
    uint32_t lo = 0, hi = 0;
    TGS_RETURN_IF_ERROR(U32(field, &lo));
    TGS_RETURN_IF_ERROR(U32(field, &hi));
    *v = static_cast<int64_t>(static_cast<uint64_t>(hi) << 32 | lo);
    return absl::OkStatus();
  }
  absl::Status Str(const char* field, absl::string_view* v) {
    uint32_t n = 0;
    TGS_RETURN_IF_ERROR(U32(field, &n));
    TGS_RETURN_IF_ERROR(Need(field, n));
    *v = in_.substr(pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }
  size_t pos() const { return pos_; }
  size_t left() const { return in_.size() - pos_; }

 private:
  absl::Status Need(const char* field, uint64_t n) const {
    if (in_.size() - pos_ >= n) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("session transfer: ", field, " truncated at byte ", pos_));
  }
  absl::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<SecretString> PackHeld(const HeldSession& held) {
  EncodeOptions eo;
  eo.policy = VersionPolicy::kExtended;
  TGS_ASSIGN_OR_RETURN(std::string binary, EncodeBinary(held.session, eo));
  const SecretString session(std::move(binary));
  const interop::SessionExtras& e = held.extras;
  SecretString out;
  U8(&out, kVersion);
  U8(&out, static_cast<uint8_t>(held.source));
  Str(&out, session.view());
  U8(&out, Bit(e.user_id, 0) | Bit(e.is_bot, 1) | Bit(e.test_mode, 2) | Bit(e.api_id, 3) | Bit(e.takeout_id, 4));
  I64(&out, e.user_id.value_or(0));
  U8(&out, e.is_bot.value_or(false) ? 1 : 0);
  U8(&out, e.test_mode.value_or(false) ? 1 : 0);
  U32(&out, static_cast<uint32_t>(e.api_id.value_or(0)));
  I64(&out, e.takeout_id.value_or(0));
  U32(&out, static_cast<uint32_t>(e.peers.size()));
  for (const auto& [id, p] : e.peers) {
    I64(&out, id);
    U8(&out, Bit(p.username, 0) | Bit(p.phone, 1) | Bit(p.name, 2) | Bit(p.is_bot, 3));
    Str(&out, p.username.value_or(""));
    Str(&out, p.phone.value_or(""));
    Str(&out, p.name.value_or(""));
    U8(&out, p.is_bot.value_or(false) ? 1 : 0);
  }
  return out;
}

absl::StatusOr<HeldSession> UnpackHeld(absl::string_view bytes) {
  Reader r(bytes);
  uint8_t version = 0, source = 0, bits = 0, flag = 0;
  TGS_RETURN_IF_ERROR(r.U8("version", &version));
  if (version != kVersion) {
    return absl::InvalidArgumentError(absl::StrCat("session transfer: version ", version, " at byte 0, expected 1"));
  }
  TGS_RETURN_IF_ERROR(r.U8("source format", &source));
  if (source > static_cast<uint8_t>(interop::Format::kMtcuteString)) {
    return absl::InvalidArgumentError(absl::StrCat("session transfer: unknown source format ", source, " at byte 1"));
  }
  HeldSession held;
  held.source = static_cast<interop::Format>(source);
  absl::string_view session;
  TGS_RETURN_IF_ERROR(r.Str("session", &session));
  TGS_ASSIGN_OR_RETURN(held.session, DecodeBinary(session));

  interop::SessionExtras& e = held.extras;
  int64_t user_id = 0, takeout_id = 0;
  uint8_t is_bot = 0, test_mode = 0;
  uint32_t api_id = 0, peers = 0;
  TGS_RETURN_IF_ERROR(r.U8("extras", &bits));
  TGS_RETURN_IF_ERROR(r.I64("user_id", &user_id));
  TGS_RETURN_IF_ERROR(r.U8("is_bot", &is_bot));
  TGS_RETURN_IF_ERROR(r.U8("test_mode", &test_mode));
  TGS_RETURN_IF_ERROR(r.U32("api_id", &api_id));
  TGS_RETURN_IF_ERROR(r.I64("takeout_id", &takeout_id));
  if (bits & 1) e.user_id = user_id;
  if (bits & 2) e.is_bot = is_bot != 0;
  if (bits & 4) e.test_mode = test_mode != 0;
  if (bits & 8) e.api_id = static_cast<int32_t>(api_id);
  if (bits & 16) e.takeout_id = takeout_id;
  TGS_RETURN_IF_ERROR(r.U32("peer count", &peers));
  // Each peer takes at least 22 bytes: the count cannot outgrow the input.
  if (peers > r.left() / 22) {
    return absl::InvalidArgumentError(
        absl::StrCat("session transfer: ", peers, " peers at byte ", r.pos() - 4, " exceed the input"));
  }
  for (uint32_t i = 0; i < peers; ++i) {
    int64_t id = 0;
    absl::string_view username, phone, name;
    const size_t at = r.pos();
    TGS_RETURN_IF_ERROR(r.I64("peer id", &id));
    TGS_RETURN_IF_ERROR(r.U8("peer extras", &bits));
    TGS_RETURN_IF_ERROR(r.Str("peer username", &username));
    TGS_RETURN_IF_ERROR(r.Str("peer phone", &phone));
    TGS_RETURN_IF_ERROR(r.Str("peer name", &name));
    TGS_RETURN_IF_ERROR(r.U8("peer is_bot", &flag));
    interop::PeerExtras p;
    if (bits & 1) p.username = std::string(username);
    if (bits & 2) p.phone = std::string(phone);
    if (bits & 4) p.name = std::string(name);
    if (bits & 8) p.is_bot = flag != 0;
    if (!e.peers.emplace(id, std::move(p)).second) {
      return absl::InvalidArgumentError(absl::StrCat("session transfer: peer ", id, " twice (byte ", at, ")"));
    }
  }
  if (r.left() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("session transfer: ", r.left(), " trailing bytes at byte ", r.pos()));
  }
  return held;
}

}  // namespace wasm_api
}  // namespace tgsession

#include "session/interop/wire.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "session/byte_io.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace internal {
namespace {

// The value `get` reads at d[*pos], advancing *pos past it (the caller has
// checked with Need that the bytes are there).
template <typename T>
T Take(T (*get)(const uint8_t*), const uint8_t* d, size_t* pos) {
  const T v = get(d + *pos);
  *pos += sizeof(T);
  return v;
}

}  // namespace

SecretBuffer::~SecretBuffer() {
  if (!buf_.empty()) SecureZero(&buf_[0], buf_.size());
}

absl::Status SecretBuffer::DecodeBase64(absl::string_view text, Base64Format format, absl::string_view what) {
  if (!buf_.empty()) SecureZero(&buf_[0], buf_.size());
  buf_.assign(Base64DecodedMaxLength(text.size()), '\0');
  absl::StatusOr<size_t> n = Base64DecodeTo(text, reinterpret_cast<uint8_t*>(&buf_[0]), format);
  if (!n.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", n.status().message()));
  len_ = *n;
  return absl::OkStatus();
}

absl::Status Reader::Need(size_t n, absl::string_view field) const {
  if (remaining() < n) {
    return absl::InvalidArgumentError(absl::StrCat(what_, ": truncated at byte ", p_, " reading ", field, " (", n,
                                                   " bytes needed, ", remaining(), " left)"));
  }
  return absl::OkStatus();
}

uint16_t Reader::U16BE() { return Take(byte_io::GetU16BE, d_, &p_); }
uint32_t Reader::U32BE() { return Take(byte_io::GetU32BE, d_, &p_); }
uint64_t Reader::U64BE() { return Take(byte_io::GetU64BE, d_, &p_); }
uint32_t Reader::U32LE() { return Take(byte_io::GetU32LE, d_, &p_); }
uint64_t Reader::U64LE() { return Take(byte_io::GetU64LE, d_, &p_); }

absl::Status Anomalies::Report(const std::string& message) {
  if (mode_ == DecodeMode::kStrict) return absl::InvalidArgumentError(absl::StrCat(what_, ": ", message));
  if (info_ != nullptr) {
    info_->warnings.push_back(message);
    info_->anomaly_count += 1;
  }
  return absl::OkStatus();
}

void Anomalies::Note(const std::string& message) {
  if (info_ != nullptr) info_->warnings.push_back(message);
}

absl::StatusOr<absl::string_view> StartDecode(absl::string_view text, const ReadOptions& options,
                                              absl::string_view what, DecodeInfo* info) {
  if (text.size() > options.max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", text.size(), " characters is over the limit of ", options.max_chars));
  }
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": empty"));
  if (info != nullptr) *info = DecodeInfo();
  return TrimUnicodeWhitespace(text);
}

bool IsAllZero(const AuthKey& key) {
  uint8_t acc = 0;
  for (uint8_t b : key.bytes()) acc |= b;
  return acc == 0;
}

bool IsHostText(absl::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string Quote(absl::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMax)), "\"");
  if (s.size() > kMax) absl::StrAppend(&out, "...");
  return out;
}

absl::StatusOr<const DcEntry*> HomeEntryWithKey(const Session& s, absl::string_view target) {
  const DcEntry* best = nullptr;
  // As Session::DcFor orders them (CDN entries last: a fuzz finding).
  auto rank = [](const DcEntry* e) { return DcPreferenceRank(*e, false); };
  for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
    if (!e->auth_key) continue;
    if (best == nullptr || rank(e) < rank(best)) best = e;
  }
  if (best == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "home DC ", s.home_dc_id, " has no entry with an auth key: nothing to write as ", target));
  }
  return best;
}

}  // namespace internal
}  // namespace interop
}  // namespace tgsession

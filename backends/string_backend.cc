#include "backends/string_backend.h"

#include "session/base64.h"
#include "session/status_macros.h"

namespace tgsession {

absl::Status StringSessionBackend::Save(const Session& session) {
  TGS_ASSIGN_OR_RETURN(std::string encoded, EncodeNativeString(session));
  SecretString next(std::move(encoded));
  absl::MutexLock lock(&mu_);
  text_ = std::move(next);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Session>> StringSessionBackend::Load() {
  absl::MutexLock lock(&mu_);
  if (TrimUnicodeWhitespace(text_.view()).empty()) return std::optional<Session>();
  TGS_ASSIGN_OR_RETURN(Session s, DecodeNativeString(text_.view(), options_));
  return std::optional<Session>(std::move(s));
}

absl::Status StringSessionBackend::Delete() {
  absl::MutexLock lock(&mu_);
  text_ = SecretString();
  return absl::OkStatus();
}

std::string StringSessionBackend::Current() const {
  absl::MutexLock lock(&mu_);
  return text_.str();
}

}  // namespace tgsession

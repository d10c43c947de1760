// StringSessionBackend: the session as a native session string (base64url of
// the binary form), for serverless deployments that keep state in an
// environment variable or a database column. Current() returns the string
// after each save; an empty (or blank) string means "no session".
#ifndef TGSESSION_BACKENDS_STRING_BACKEND_H_
#define TGSESSION_BACKENDS_STRING_BACKEND_H_

#include <string>

#include "absl/synchronization/mutex.h"
#include "backends/backend.h"
#include "session/secret.h"
#include "session/string_codec.h"

namespace tgsession {

class StringSessionBackend : public SessionBackend {
 public:
  StringSessionBackend() = default;
  // Starts from an existing string ("" for none). It is decoded on Load().
  explicit StringSessionBackend(std::string initial, StringDecodeOptions options = {})
      : text_(std::move(initial)), options_(options) {}

  absl::Status Save(const Session& session) override;
  absl::StatusOr<std::optional<Session>> Load() override;
  absl::Status Delete() override;
  std::string Name() const override { return "string"; }

  // The current native string ("" when deleted or never saved). A secret:
  // whoever has it controls the account.
  std::string Current() const;

 private:
  mutable absl::Mutex mu_;
  SecretString text_ ABSL_GUARDED_BY(mu_);
  StringDecodeOptions options_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_STRING_BACKEND_H_

// Details of an error, kept beside its one-line message: what a program shows
// only when asked (SQLite's whole integrity report, where the message names
// its first problem). The message alone must stand on its own.
#ifndef TGSESSION_SESSION_STATUS_DETAILS_H_
#define TGSESSION_SESSION_STATUS_DETAILS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"

namespace tgsession {

inline constexpr absl::string_view kStatusDetailsUrl = "tgsession/details";

// `status` with `details` attached (replacing any earlier details). Never
// put secrets in details: they are printed like the message.
inline absl::Status WithDetails(absl::Status status, absl::string_view details) {
  if (!status.ok()) status.SetPayload(kStatusDetailsUrl, absl::Cord(details));
  return status;
}

// The details attached by WithDetails, if any.
inline std::optional<std::string> StatusDetails(const absl::Status& status) {
  std::optional<absl::Cord> d = status.GetPayload(kStatusDetailsUrl);
  if (!d) return std::nullopt;
  return std::string(*d);
}

}  // namespace tgsession

#endif  // TGSESSION_SESSION_STATUS_DETAILS_H_

// What converting a session to another format keeps, loses and lacks: the
// summary Formats::Write returns (formats.h).
//
// Nothing is invented: a value the target needs and nobody knows is either
// reported as missing with what was written instead (when a neutral value
// exists, e.g. an empty update state) or makes the export fail with
// kFailedPrecondition (Pyrogram needs the account's user id; pass it through
// SessionExtras). Values deduced from the data (a Pyrogram DC address from
// Pyrogram's own table, test mode from a Telegram test-DC address) are
// always reported as warnings.
#ifndef TGSESSION_SESSION_INTEROP_CONVERT_H_
#define TGSESSION_SESSION_INTEROP_CONVERT_H_

#include <string>

#include "session/interop/extras.h"
#include "session/interop/formats.h"

namespace tgsession {
namespace interop {

// What exporting `in` as `to` will keep, lose and lack, and the extras to
// export with (test mode deduced from a test-DC address when the source does
// not say, with a warning).
struct ExportPlan {
  SessionExtras extras;
  ConversionSummary summary;
};
ExportPlan PlanExport(const ImportedSession& in, Format to);

// A one-line description of a session for messages (no secrets):
// "DC 2 at 149.154.167.51:443, key, user 123456789".
std::string DescribeForMessage(const ImportedSession& s);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_CONVERT_H_

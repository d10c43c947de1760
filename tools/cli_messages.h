// What the tgsession CLI prints on standard error, and how: one line per
// message, whatever the message holds, and no argument that may be a secret
// echoed back.
//
// Every message goes through MessageSink, which makes it one line:
// control characters (newlines included), DEL, C1 controls, Unicode line
// separators and bidi overrides are escaped ("\n", "\x1b", "\u202e"), bytes
// that are not UTF-8 are escaped ("\xff"), and a line longer than
// kMaxMessageBytes is cut. File names, table names and addresses read from
// hostile files therefore cannot split a message, forge another line or
// drive the terminal. Details a status carries (status_details.h: SQLite's
// whole integrity report) follow on lines of their own only with --verbose.
//
// Arguments that may be secrets (an INPUT that is no file is a session
// string, perhaps damaged; a value given to the wrong option may be one) are
// never echoed: DescribeArgument names at most a 4-character prefix and the
// length.
#ifndef TGSESSION_TOOLS_CLI_MESSAGES_H_
#define TGSESSION_TOOLS_CLI_MESSAGES_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tgsession {
namespace cli {

// Longest message line (a list of every format's reason for refusing a text
// is ~900 bytes); the rest is cut with a note.
inline constexpr size_t kMaxMessageBytes = 2000;

// `text` as one line of plain text; see the file comment.
std::string OneLine(absl::string_view text, size_t max_bytes = kMaxMessageBytes);

// An argument that may be a secret, described without echoing it:
// "\"1ApW…\" (353 bytes)" for a long one, "(7 bytes)" for a short one.
std::string DescribeArgument(absl::string_view arg);

// A lowercase word such as a format or option name ("telethon-strin",
// "--jsn"), quoted; anything else described as DescribeArgument does.
std::string QuoteIfPlainWord(absl::string_view arg);

// Standard error of the CLI.
class MessageSink {
 public:
  MessageSink(std::ostream& err, bool verbose) : err_(err), verbose_(verbose) {}

  // "tgsession: <text>".
  void Say(absl::string_view text);
  // "tgsession: <context>: <message>" (no context when empty), plus the
  // status's details: on lines of their own with --verbose, otherwise a
  // note that --verbose shows them.
  void Error(absl::string_view context, const absl::Status& status);

 private:
  std::ostream& err_;
  bool verbose_;
};

}  // namespace cli
}  // namespace tgsession

#endif  // TGSESSION_TOOLS_CLI_MESSAGES_H_

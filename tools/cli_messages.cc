#include "tools/cli_messages.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "session/status_details.h"
#include "session/utf8.h"

namespace tgsession {
namespace cli {
namespace {

// Length of the UTF-8 sequence a lead byte starts, or 0 for a byte that
// cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

uint32_t CodePoint(absl::string_view seq) {
  const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(seq[i])); };
  switch (seq.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// Code points a terminal acts on or that change how the line reads: C0 and
// C1 controls, DEL, the line and paragraph separators, and the bidi
// embedding, override and isolate controls.
bool IsHiddenControl(uint32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

void AppendEscaped(uint32_t c, std::string* out) {
  switch (c) {
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  if (c < 0x80) {
    absl::StrAppendFormat(out, "\\x%02x", c);
  } else {
    absl::StrAppendFormat(out, "\\u%04x", c);
  }
}

}  // namespace

std::string OneLine(absl::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes; ) {
    const size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    const absl::string_view seq = text.substr(i, n == 0 ? 1 : n);
    if (n == 0 || seq.size() < n || (n > 1 && !IsValidUtf8(seq))) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const uint32_t c = CodePoint(seq);
    if (IsHiddenControl(c)) {
      AppendEscaped(c, &out);
    } else {
      out.append(seq.data(), seq.size());
    }
    i += n;
  }
  if (i < text.size()) absl::StrAppend(&out, "… (", text.size() - i, " more bytes)");
  return out;
}

std::string DescribeArgument(absl::string_view arg) {
  // A prefix of at most 4 letters and digits, and only of a long argument:
  // too little of a session string or key to matter, enough to recognise
  // which one it was.
  constexpr size_t kPrefix = 4, kMinForPrefix = 32;
  size_t prefix = 0;
  if (arg.size() >= kMinForPrefix) {
    while (prefix < kPrefix && absl::ascii_isalnum(static_cast<unsigned char>(arg[prefix]))) ++prefix;
  }
  const std::string size = absl::StrCat("(", arg.size(), arg.size() == 1 ? " byte)" : " bytes)");
  if (prefix == 0) return size;
  return absl::StrCat("\"", arg.substr(0, prefix), "…\" ", size);
}

std::string QuoteIfPlainWord(absl::string_view arg) {
  constexpr size_t kMaxWord = 32;
  absl::string_view word = arg;
  while (!word.empty() && word.front() == '-' && arg.size() - word.size() < 2) word.remove_prefix(1);
  bool plain = !word.empty() && arg.size() <= kMaxWord && absl::ascii_isalnum(static_cast<unsigned char>(word[0]));
  for (char c : word) {
    plain = plain && ((c >= 'a' && c <= 'z') || absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-' ||
                      c == '_' || c == '.');
  }
  if (plain) return absl::StrCat("\"", arg, "\"");
  return DescribeArgument(arg);
}

void MessageSink::Say(absl::string_view text) { err_ << "tgsession: " << OneLine(text) << "\n"; }

void MessageSink::Error(absl::string_view context, const absl::Status& status) {
  // File-system errors name their path already: the context (usually that
  // path) is not said twice.
  const bool says_context = context.empty() || absl::StrContains(status.message(), context);
  std::string line = says_context ? std::string(status.message()) : absl::StrCat(context, ": ", status.message());
  const std::optional<std::string> details = StatusDetails(status);
  if (details && !verbose_) absl::StrAppend(&line, " (--verbose shows the details)");
  Say(line);
  if (details && verbose_) {
    for (absl::string_view d : absl::StrSplit(*details, '\n', absl::SkipWhitespace())) {
      err_ << "tgsession:   " << OneLine(d) << "\n";
    }
  }
}

}  // namespace cli
}  // namespace tgsession

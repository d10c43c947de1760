// The one JSON writer of tgsession: RapidJSON's Writer (PrettyWriter when
// pretty) into a buffer that is wiped before it is freed, since documents
// may hold keys. Sessions (json.h) and everything the tgsession CLI prints as
// JSON are written through it, so every string is escaped the same way.
//
// Strings are JSON text, which is Unicode: quotes, backslashes and control
// characters are escaped by RapidJSON, other UTF-8 is written as it is. Bytes
// that are not UTF-8 (a name or address read from someone else's file) have
// no JSON form. StringMember writes them with every invalid sequence replaced
// by U+FFFD (Rust's String::from_utf8_lossy rule, which is what ferogram's
// serde output shows) and adds the member "<key>_hex" with the exact bytes in
// lowercase hex, so nothing is lost and a reader can tell a replacement from
// a real U+FFFD. For valid UTF-8 there is no "_hex" member.
#ifndef TGSESSION_SESSION_JSON_WRITER_H_
#define TGSESSION_SESSION_JSON_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace tgsession {

class JsonWriter {
 public:
  // `pretty`: one member per line, indented by two spaces.
  explicit JsonWriter(bool pretty);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  // A member name (ours: ASCII).
  void Key(absl::string_view key);
  // "key": value, plus "key_hex" when `value` is not UTF-8 (see above).
  void StringMember(absl::string_view key, absl::string_view value);
  // A string that is UTF-8 by construction (hex, enum names, "<redacted>").
  void Utf8String(absl::string_view value);
  void Int64(int64_t v);
  void Uint64(uint64_t v);
  void Bool(bool v);
  void Null();
  // "key": value, for members whose value is one number or flag.
  void Int64Member(absl::string_view key, int64_t v);
  void Uint64Member(absl::string_view key, uint64_t v);
  void BoolMember(absl::string_view key, bool v);

  // The document written so far (call when it is complete).
  std::string str() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_JSON_WRITER_H_

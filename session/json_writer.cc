#include "session/json_writer.h"

#include <optional>


#include "rapidjson/prettywriter.h"
#include "rapidjson/writer.h"
#include "session/utf8.h"
#include "session/wiping_json.h"

// Each method inlines RapidJSON's whole call tree (down to the buffer's
// Put), as the writer code did when it was one template function per writer.
#if defined(__GNUC__) || defined(__clang__)
#define TGS_FLATTEN __attribute__((flatten))
#else
#define TGS_FLATTEN
#endif

namespace tgsession {
namespace {

using Compact = rapidjson::Writer<WipingJsonStringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, WipingJsonAllocator>;
using Pretty =
    rapidjson::PrettyWriter<WipingJsonStringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, WipingJsonAllocator>;

rapidjson::SizeType Size(absl::string_view s) { return static_cast<rapidjson::SizeType>(s.size()); }

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

}  // namespace

struct JsonWriter::Impl {
  WipingJsonStringBuffer buf;
  std::optional<Pretty> pretty;
  std::optional<Compact> compact;

  // Calls `f` with whichever writer is in use.
  template <typename F>
  void With(F f) {
    if (pretty) {
      f(*pretty);
    } else {
      f(*compact);
    }
  }
};

JsonWriter::JsonWriter(bool pretty) : impl_(new Impl) {
  if (pretty) {
    impl_->pretty.emplace(impl_->buf);
    impl_->pretty->SetIndent(' ', 2);
  } else {
    impl_->compact.emplace(impl_->buf);
  }
}

JsonWriter::~JsonWriter() = default;

TGS_FLATTEN void JsonWriter::StartObject() {
  impl_->With([](auto& w) { w.StartObject(); });
}
TGS_FLATTEN void JsonWriter::EndObject() {
  impl_->With([](auto& w) { w.EndObject(); });
}
TGS_FLATTEN void JsonWriter::StartArray() {
  impl_->With([](auto& w) { w.StartArray(); });
}
TGS_FLATTEN void JsonWriter::EndArray() {
  impl_->With([](auto& w) { w.EndArray(); });
}
TGS_FLATTEN void JsonWriter::Key(absl::string_view key) {
  impl_->With([&](auto& w) { w.Key(key.data(), Size(key)); });
}
TGS_FLATTEN void JsonWriter::Utf8String(absl::string_view value) {
  impl_->With([&](auto& w) { w.String(value.data(), Size(value)); });
}
TGS_FLATTEN void JsonWriter::Int64(int64_t v) {
  impl_->With([&](auto& w) { w.Int64(v); });
}
TGS_FLATTEN void JsonWriter::Uint64(uint64_t v) {
  impl_->With([&](auto& w) { w.Uint64(v); });
}
TGS_FLATTEN void JsonWriter::Bool(bool v) {
  impl_->With([&](auto& w) { w.Bool(v); });
}
TGS_FLATTEN void JsonWriter::Null() {
  impl_->With([](auto& w) { w.Null(); });
}

TGS_FLATTEN void JsonWriter::StringMember(absl::string_view key, absl::string_view value) {
  Key(key);
  if (IsValidUtf8(value)) {
    Utf8String(value);
    return;
  }
  Utf8String(Utf8Lossy(value));
  Key(std::string(key) + "_hex");
  Utf8String(Hex(value));
}

void JsonWriter::Int64Member(absl::string_view key, int64_t v) {
  Key(key);
  Int64(v);
}
void JsonWriter::Uint64Member(absl::string_view key, uint64_t v) {
  Key(key);
  Uint64(v);
}
void JsonWriter::BoolMember(absl::string_view key, bool v) {
  Key(key);
  Bool(v);
}

std::string JsonWriter::str() const { return std::string(impl_->buf.GetString(), impl_->buf.GetSize()); }

}  // namespace tgsession

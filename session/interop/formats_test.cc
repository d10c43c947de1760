// The registry's own promises: one row per format, codecs only where a build
// has them, the status codes of each refusal, and what detection reports.
// Per-format reading and writing is tested against real libraries' samples
// in tests/interop_vectors_test.cc and session/interop/files/session_files_test.cc.
#include "session/interop/formats.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"

namespace tgsession {
namespace interop {
namespace {

Session OneDc() {
  Session s;
  s.home_dc_id = 2;
  DcEntry e = DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags());
  uint8_t key[AuthKey::kSize];
  for (size_t i = 0; i < AuthKey::kSize; ++i) key[i] = static_cast<uint8_t>(i + 1);
  e.auth_key = AuthKey(key);
  s.dcs.push_back(std::move(e));
  return s;
}

TEST(FormatsTest, OneRowPerFormat) {
  std::set<std::string> names;
  int i = 0;
  for (const FormatSpec& spec : AllFormats()) {
    EXPECT_EQ(static_cast<int>(spec.format), i++) << spec.name;
    EXPECT_TRUE(names.insert(std::string(spec.name)).second) << spec.name;
    EXPECT_EQ(FormatFromName(spec.name), spec.format);
    EXPECT_EQ(&Spec(spec.format), &Spec(spec.format));
    EXPECT_EQ(Spec(spec.format).name, spec.name);
    EXPECT_FALSE(spec.description.empty());
    EXPECT_TRUE(FormatHolds(spec.format, Field::kAuthKey)) << spec.name;
    // What runs in WebAssembly is exactly what needs neither SQLite nor folders.
    EXPECT_EQ(PortableFormats().CanRead(spec.format), !spec.native_only) << spec.name;
    EXPECT_EQ(spec.native_only, spec.detection == Detection::kSqlite || spec.detection == Detection::kFolder);
  }
  EXPECT_EQ(i, static_cast<int>(Format::kMtcuteString) + 1);
  EXPECT_EQ(FormatFromName("telethon"), std::nullopt);
  EXPECT_FALSE(Spec(Format::kGramjsStore).writable);
  EXPECT_FALSE(FormatHolds(Format::kTelethonString, Field::kPeers));
  EXPECT_TRUE(FormatHolds(Format::kTelethonSqlite, Field::kPeers));
}

TEST(FormatsTest, WhatABuildCannotDoIsRefusedWithItsCode) {
  const Formats& portable = PortableFormats();
  EXPECT_EQ(portable.Read("x", Format::kTelethonSqlite).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(portable.Read("x", Format::kGramjsStore).status().code(), absl::StatusCode::kInvalidArgument);
  ImportedSession in;
  in.session = OneDc();
  EXPECT_EQ(portable.Write(in, Format::kGramjsStore).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(portable.Write(in, Format::kPyrogramSqlite).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_FALSE(portable.CanWrite(Format::kGramjsStore));
  // Detection of an SQLite file without the SQLite formats.
  const std::string sqlite = std::string("SQLite format 3\0", 16) + std::string(84, '\0');
  absl::StatusOr<ImportedSession> r = portable.Detect(sqlite);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented) << r.status();
  // ferogram's formats alone do not read other libraries' strings.
  EXPECT_FALSE(FerogramFormats().CanRead(Format::kTelethonString));
  EXPECT_EQ(FerogramFormats().Read("x", Format::kTelethonString).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(FormatsTest, DetectionNamesWhatItFound) {
  const Formats& f = PortableFormats();
  absl::StatusOr<ImportedSession> r = f.Detect("");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "empty input")) << r.status();
  r = f.Detect(" \n\t ");
  EXPECT_TRUE(absl::StrContains(r.status().message(), "only white space")) << r.status();
  r = f.Detect(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(40, '\x07'));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "a PNG image")) << r.status();
  r = f.Detect("hello world");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "not a session in any known format")) << r.status();
  r = f.Detect("aGVsbG8gd29ybGQ");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "not a session string in any known format: as telethon-string"))
      << r.status();
}

// One DecodeInfo whatever the format: version, layout, trailing bytes.
TEST(FormatsTest, OneReportForEveryFormat) {
  const Session s = OneDc();
  std::string bin = *EncodeBinary(s);
  absl::StatusOr<ImportedSession> r = PortableFormats().Detect(bin);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, Format::kFerogramBinary);
  EXPECT_EQ(r->info.version, 8);
  EXPECT_EQ(r->info.layout, "v8");
  bin.push_back('\0');
  r = PortableFormats().Read(bin, Format::kFerogramBinary);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->info.trailing_bytes, 1u);
  EXPECT_EQ(r->info.anomaly_count, 1u);
  ReadOptions strict;
  strict.mode = DecodeMode::kStrict;
  EXPECT_EQ(PortableFormats().Read(bin, Format::kFerogramBinary, strict).status().code(),
            absl::StatusCode::kDataLoss);

  r = PortableFormats().Detect(*EncodeCompactString(*SessionToCompact(s, 42)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, Format::kFerogramCompact);
  EXPECT_EQ(r->info.layout, "V2, IPv4");
  EXPECT_EQ(r->extras.user_id, 42);

  absl::StatusOr<ExportResult> telethon = PortableFormats().Write(*r, Format::kTelethonString);
  ASSERT_TRUE(telethon.ok()) << telethon.status();
  EXPECT_EQ(telethon->summary.dropped.size(), 1u);  // the user id
  r = PortableFormats().Detect(telethon->data.view());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, Format::kTelethonString);
  EXPECT_EQ(r->info.layout, "IPv4");
  EXPECT_EQ(r->session, s);
}

TEST(FormatsTest, WriteOptionsReachTheCodecs) {
  ImportedSession in;
  in.session = OneDc();
  WriteOptions v9;
  v9.binary.policy = VersionPolicy::kExtended;
  absl::StatusOr<ExportResult> out = PortableFormats().Write(in, Format::kFerogramBinary, v9);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(static_cast<uint8_t>(out->data.view()[0]), kExtendedBinaryVersion);
  EXPECT_EQ(out->summary.warnings.size(), 1u);
  WriteOptions v1;
  v1.compact_version = 1;
  // V1 needs the salt, seq_no and layer a V2 source lacks (ferogram panics).
  EXPECT_EQ(PortableFormats().Write(in, Format::kFerogramCompact, v1).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace interop
}  // namespace tgsession

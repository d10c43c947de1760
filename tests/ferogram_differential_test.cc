// Differential test against the real ferogram-session 0.6.5
// (../shared/tools/ferogram-oracle, found through $TGS_FEROGRAM_ORACLE,
// which tools/setup.sh sets when the file exists): a bounded campaign over
// all three decoders and both encoders, and one test per deliberate
// difference (docs/ferogram-differences.md) that pins our behaviour always
// and ferogram's whenever the oracle is there.
//
// The campaign's size: $TGS_DIFFERENTIAL_INPUTS inputs per decoder (default
// 20,000), seed $TGS_DIFFERENTIAL_SEED (default 1). tools/differential.sh
// runs longer ones.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"
#include "tests/differential/campaign.h"
#include "tests/differential/compare.h"
#include "tests/differential/generator.h"
#include "tests/differential/oracle_client.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace differential {
namespace {

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(FerogramDifferentialTest, Campaign) {
  const std::optional<std::string> oracle = FindOracle();
  if (!oracle) GTEST_SKIP() << kOracleMissing;
  absl::StatusOr<std::unique_ptr<DifferentialChecker>> checker = DifferentialChecker::Start(*oracle);
  ASSERT_TRUE(checker.ok()) << checker.status();
  CampaignOptions o;
  o.seed = EnvNumber("TGS_DIFFERENTIAL_SEED", 1);
  o.inputs_per_decoder = EnvNumber("TGS_DIFFERENTIAL_INPUTS", 20000);
  o.vectors_dir = testing::VectorsDir();
  o.regression_dir = testing::RunfilePath("tests/vectors/differential");
  const absl::Status run = RunCampaign(o, checker->get());
  // Printed for tools/test_all.sh, which shows this test's output in CI.
  std::cout << "campaign seed " << o.seed << "\n" << Report(**checker) << std::flush;
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ((*checker)->unlisted(), 0u) << "differences not listed in docs/ferogram-differences.md (above)";
  for (int check : {kBinary, kNative, kCompact}) {
    EXPECT_GE((*checker)->tally(check).inputs, o.inputs_per_decoder) << CheckName(check);
  }
}

// --- the harness itself, without the oracle -------------------------------
//
// Oracle lines made from our own JSON (the oracle's session JSON has the
// same shape) and then spoiled: the comparer must notice.

std::string OracleLine(const Session& s, bool with_reencode) {
  std::string line = absl::StrCat("{\"ok\":true,\"session\":", OracleJson(s));
  if (with_reencode) {
    absl::StrAppend(&line, ",\"to_bytes_hex\":\"", absl::BytesToHexString(*EncodeBinary(s)), "\",\"to_string\":\"",
                    *EncodeNativeString(s), "\"");
  }
  return line + "}";
}

Session SampleSession() {
  Session s = NewSessionWithDefaults();
  s.updates_state.pts = 77;
  s.CachePeer(CachedPeer::Channel(5, 6, ChannelKind::kGigagroup));
  s.CacheMinPeer({1, 2, 3});
  return s;
}

TEST(DifferentialCompareTest, AgreesWithTheSameSession) {
  const Session s = SampleSession();
  const std::string bytes = *EncodeBinary(s);
  const Verdict v = CheckBinary(bytes, OracleLine(s, true));
  EXPECT_EQ(v.difference, Difference::kNone) << v.detail;
  EXPECT_EQ(v.reencodes, 2);
  const Verdict n = CheckNative(*EncodeNativeString(s), OracleLine(s, true));
  EXPECT_EQ(n.difference, Difference::kNone) << n.detail;
}

TEST(DifferentialCompareTest, NamesTheFirstFieldThatDiffers) {
  const Session s = SampleSession();
  Session other = s;
  other.peers.Assign({CachedPeer::Channel(5, 6, ChannelKind::kMegagroup)});
  const Verdict v = CheckBinary(*EncodeBinary(s), OracleLine(other, false));
  EXPECT_EQ(v.difference, Difference::kUnlisted);
  EXPECT_NE(v.detail.find("peers[0].channel_kind: ours \"Gigagroup\", ferogram \"Megagroup\""), std::string::npos)
      << v.detail;
}

TEST(DifferentialCompareTest, ComparesReencodingsByteForByte) {
  const Session s = SampleSession();
  const std::string bytes = *EncodeBinary(s);
  std::string line = OracleLine(s, true);
  const size_t hex = line.find("\"to_bytes_hex\":\"") + 16 + 2 * 40;  // byte 40 of to_bytes
  line[hex] = line[hex] == '0' ? '1' : '0';
  const Verdict v = CheckBinary(bytes, line);
  EXPECT_EQ(v.difference, Difference::kUnlisted);
  EXPECT_NE(v.detail.find("to_bytes differs from our EncodeBinary at byte 40"), std::string::npos) << v.detail;
}

TEST(DifferentialCompareTest, AcceptAgainstRefuse) {
  const std::string bytes = *EncodeBinary(SampleSession());
  const Verdict v = CheckBinary(bytes, R"({"ok":false,"error":"truncated session","kind":"InvalidData"})");
  EXPECT_EQ(v.difference, Difference::kUnlisted);
  EXPECT_TRUE(v.ours_ok);
  EXPECT_FALSE(v.theirs_ok);
  // A panic of the crate is never an agreement.
  EXPECT_EQ(CheckBinary("", R"({"ok":false,"panic":"boom","location":null})").difference, Difference::kUnlisted);
}

TEST(DifferentialCompareTest, CompactFieldsAndReencodings) {
  const std::string text = testing::ReadFileOrDie(testing::VectorsDir() + "/ferogram/string_session/ss_v2_ipv6.txt");
  const CompactSession c = *DecodeCompactString(text);
  const std::string good = absl::StrCat(
      R"({"ok":true,"compact":{"variant":"V2","version":2,"dc_id":)", c.dc_id, R"(,"ip":")", c.ip.ToString(),
      R"(","ip_type":6,"port":)", c.port, R"(,"user_id":)", c.user_id, R"(,"auth_key_hex":")",
      c.auth_key.RevealHex(kRevealSecrets), R"("},"encode":")", *EncodeCompactString(c), R"(","encode_v1":null})");
  EXPECT_EQ(CheckCompact(text, good).difference, Difference::kNone) << CheckCompact(text, good).detail;
  std::string bad_ip = good;
  bad_ip.replace(bad_ip.find(c.ip.ToString()), c.ip.ToString().size(), "::1");
  const Verdict v = CheckCompact(text, bad_ip);
  EXPECT_EQ(v.difference, Difference::kUnlisted);
  EXPECT_NE(v.detail.find("compact.ip"), std::string::npos) << v.detail;
}

TEST(OracleClientTest, ReportsAnOracleThatExits) {
  const std::optional<std::string> oracle = FindOracle();
  if (!oracle) GTEST_SKIP() << kOracleMissing;
  // A bad command line: the oracle prints its usage and exits with 2.
  absl::StatusOr<std::unique_ptr<OracleProcess>> p = OracleProcess::Start(*oracle, {"no-such-command"});
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<std::vector<std::string>> out = (*p)->Frames({"x"});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(out.status().message().find("exited with status 2"), absl::string_view::npos) << out.status();
}

// --- the differences, one test each (docs/ferogram-differences.md) ----------
//
// Each asserts our behaviour, then, when the oracle is there, ferogram's:
// the harness's verdict for the input must be the listed difference, plus
// the facts the document states about ferogram's answer.

class FerogramDifferencesTest : public ::testing::Test {
 protected:
  void SetUp() override { oracle_ = FindOracle(); }

  // The oracle's line for one input (a frame, or for encode-binary a JSON
  // line), or nullopt without the oracle.
  std::optional<std::string> Ask(std::vector<std::string> args, const std::string& input) {
    if (!oracle_) return std::nullopt;
    const bool lines = args[0] == "encode-binary";
    absl::StatusOr<std::unique_ptr<OracleProcess>> p = OracleProcess::Start(*oracle_, std::move(args));
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return std::nullopt;
    const std::vector<std::string> in = {input};
    absl::StatusOr<std::vector<std::string>> out = lines ? (*p)->Lines(in) : (*p)->Frames(in);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return std::nullopt;
    return (*out)[0];
  }
  std::optional<std::string> AskBinary(const std::string& bytes) {
    return Ask({"decode-binary", "--with-reencode"}, bytes);
  }
  std::optional<std::string> AskCompact(const std::string& text) { return Ask({"decode-compact"}, text); }

  static rapidjson::Document Parse(const std::string& line) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    EXPECT_FALSE(d.HasParseError()) << line;
    return d;
  }

  std::optional<std::string> oracle_;
};

// A v8 session (one DC with a key, a peer, a token) as WireSession, for
// tests that then spoil one part of it.
WireSession SmallV8() {
  WireSession w;
  w.version = 8;
  w.home_dc_id = 2;
  WireSession::Dc dc;
  dc.dc_id = 2;
  dc.has_key = 1;
  dc.key.assign(AuthKey::kSize, '\x5a');
  dc.addr = "149.154.167.51:443";
  w.dcs.push_back(dc);
  w.pts = 100;
  w.peers.push_back({1001, -5, 1, 1, 0});
  w.has_token = 1;
  w.token = "token";
  return w;
}

DecodeOptions Strict() {
  DecodeOptions o;
  o.mode = DecodeMode::kStrict;
  return o;
}

TEST_F(FerogramDifferencesTest, LenientValue) {
  WireSession w = SmallV8();
  w.dcs.push_back(w.dcs[0]);
  w.dcs[1].has_key = 2;                   // neither 0 nor 1: "no key", nothing follows
  w.peers.push_back({1002, 7, 3, 7, 2});  // type 3, kind 7, community 2
  w.has_token = 2;
  w.token.clear();
  const std::string bytes = WriteWire(w).bytes;
  DecodeInfo info;
  absl::StatusOr<Session> s = DecodeBinary(bytes, DecodeOptions(), &info);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(info.anomaly_count, 5u);
  EXPECT_EQ(info.warnings.size(), 5u);
  EXPECT_FALSE(s->dcs[1].auth_key.has_value());
  const CachedPeer& p = s->peers.items()[1];
  EXPECT_TRUE(p.is_user());
  EXPECT_FALSE(p.channel_kind.has_value());
  EXPECT_TRUE(p.is_community);
  EXPECT_FALSE(s->future_auth_token.has_value());
  EXPECT_EQ(DecodeBinary(bytes, Strict()).status().code(), absl::StatusCode::kDataLoss);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    const Verdict v = CheckBinary(bytes, *line);
    EXPECT_EQ(v.difference, Difference::kLenientValue) << v.detail;
    EXPECT_TRUE(v.theirs_ok);
  }
}

TEST_F(FerogramDifferencesTest, TrailingBytes) {
  WireSession w = SmallV8();
  w.trailing = "\xde\xad\xbe\xef";
  const std::string bytes = WriteWire(w).bytes;
  DecodeInfo info;
  ASSERT_TRUE(DecodeBinary(bytes, DecodeOptions(), &info).ok());
  EXPECT_EQ(info.trailing_bytes, 4u);
  EXPECT_EQ(info.warnings.size(), 1u);
  EXPECT_EQ(DecodeBinary(bytes, Strict()).status().code(), absl::StatusCode::kDataLoss);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    EXPECT_EQ(CheckBinary(bytes, *line).difference, Difference::kTrailingBytes);
  }
  // The compact string likewise.
  const std::string compact = testing::ReadFileOrDie(testing::VectorsDir() + "/ferogram/string_session/ss_v2_ipv4.txt");
  absl::StatusOr<std::string> raw = Base64Decode(compact, kBase64UrlNoPad);
  ASSERT_TRUE(raw.ok());
  const std::string longer = Base64Encode(*raw + "xyz", kBase64UrlNoPad);
  ASSERT_TRUE(DecodeCompactString(longer, StringDecodeOptions(), &info).ok());
  EXPECT_EQ(info.trailing_bytes, 3u);
  if (std::optional<std::string> line = AskCompact(longer)) {
    EXPECT_EQ(CheckCompact(longer, *line).difference, Difference::kTrailingBytes);
  }
}

TEST_F(FerogramDifferencesTest, TrailingBytesOverLimit) {
  const size_t limit = DecodeLimits().max_trailing_bytes;
  EXPECT_EQ(limit, 4096u);
  WireSession w = SmallV8();
  w.trailing.assign(limit, 'x');
  EXPECT_TRUE(DecodeBinary(WriteWire(w).bytes).ok());
  w.trailing.push_back('x');
  const std::string bytes = WriteWire(w).bytes;
  EXPECT_EQ(DecodeBinary(bytes).status().code(), absl::StatusCode::kDataLoss);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    const Verdict v = CheckBinary(bytes, *line);
    EXPECT_EQ(v.difference, Difference::kTrailingBytesOverLimit) << v.detail;
    EXPECT_TRUE(v.theirs_ok);
  }
  const std::string compact = testing::ReadFileOrDie(testing::VectorsDir() + "/ferogram/string_session/ss_v1_ipv6.txt");
  absl::StatusOr<std::string> raw = Base64Decode(compact, kBase64UrlNoPad);
  ASSERT_TRUE(raw.ok());
  const std::string longer = Base64Encode(*raw + std::string(limit + 1, 'x'), kBase64UrlNoPad);
  EXPECT_EQ(DecodeCompactString(longer).status().code(), absl::StatusCode::kInvalidArgument);
  if (std::optional<std::string> line = AskCompact(longer)) {
    EXPECT_EQ(CheckCompact(longer, *line).difference, Difference::kTrailingBytesOverLimit);
  }
}

TEST_F(FerogramDifferencesTest, NonUtf8Address) {
  WireSession w = SmallV8();
  w.dcs[0].addr = "149.154.167.51\xff:443";
  const std::string bytes = WriteWire(w).bytes;
  DecodeInfo info;
  absl::StatusOr<Session> s = DecodeBinary(bytes, DecodeOptions(), &info);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->dcs[0].addr, w.dcs[0].addr);  // byte for byte
  EXPECT_EQ(info.warnings.size(), 1u);
  absl::StatusOr<std::string> again = EncodeBinary(*s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, bytes);  // a re-save changes nothing
  EXPECT_EQ(DecodeBinary(bytes, Strict()).status().code(), absl::StatusCode::kDataLoss);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    const Verdict v = CheckBinary(bytes, *line);
    EXPECT_EQ(v.difference, Difference::kNonUtf8Address) << v.detail;
    const rapidjson::Document d = Parse(*line);
    EXPECT_STREQ(d["session"]["dcs"][0]["addr"].GetString(), "149.154.167.51\xef\xbf\xbd:443");  // U+FFFD
    EXPECT_EQ(d["to_bytes_hex"].GetStringLength(), 2 * (bytes.size() + 2));  // its re-save grew by 2 bytes
  }
  // A 255-byte address with one bad byte: ferogram's replacement makes it
  // 257 bytes, its save wraps the length, and it cannot read the file back.
  w.dcs[0].addr = std::string(254, 'a') + "\xff";
  const std::string longest = WriteWire(w).bytes;
  absl::StatusOr<Session> kept = DecodeBinary(longest);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*EncodeBinary(*kept), longest);
  if (std::optional<std::string> line = AskBinary(longest)) {
    EXPECT_EQ(CheckBinary(longest, *line).difference, Difference::kNonUtf8Address);
    const rapidjson::Document d = Parse(*line);
    const std::string resaved = testing::HexToBytes(d["to_bytes_hex"].GetString());
    if (std::optional<std::string> back = AskBinary(resaved)) {
      EXPECT_FALSE(Parse(*back)["ok"].GetBool()) << *back;
    }
  }
}

TEST_F(FerogramDifferencesTest, V1HomeDc2To8) {
  for (int home = 2; home <= 8; ++home) {
    SCOPED_TRACE(home);
    const std::string bytes =
        testing::ReadFileOrDie(absl::StrCat(testing::VectorsDir(), "/ferogram/malformed/v1_home_dc_", home, ".bin"));
    DecodeInfo info;
    absl::StatusOr<Session> s = DecodeBinary(bytes, DecodeOptions(), &info);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_TRUE(info.read_as_v1_fallback);
    EXPECT_EQ(info.version, 1);
    EXPECT_EQ(s->home_dc_id, home);
    EXPECT_EQ(s->dcs.size(), 5u);
    if (std::optional<std::string> line = AskBinary(bytes)) {
      EXPECT_EQ(CheckBinary(bytes, *line).difference, Difference::kV1HomeDc2To8);
      EXPECT_FALSE(Parse(*line)["ok"].GetBool());  // "truncated session"
    }
  }
  // Where ferogram's versioned reading succeeds it reads a wrong session:
  // home DC 3 with four key-less DCs reads as v3, home DC 67108864, 1 DC.
  WireSession w;
  w.version = 1;
  w.home_dc_id = 3;
  for (const DcEntry& e : DefaultDcTable()) {
    if (w.dcs.size() == 4) break;
    WireSession::Dc dc;
    dc.dc_id = e.dc_id;
    dc.addr = e.addr;
    w.dcs.push_back(dc);
  }
  const std::string bytes = WriteWire(w).bytes;
  absl::StatusOr<Session> s = DecodeBinary(bytes);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->home_dc_id, 3);
  EXPECT_EQ(s->dcs.size(), 4u);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    const Verdict v = CheckBinary(bytes, *line);
    EXPECT_EQ(v.difference, Difference::kV1HomeDc2To8) << v.detail;
    const rapidjson::Document d = Parse(*line);
    ASSERT_TRUE(d["ok"].GetBool());
    EXPECT_EQ(d["session"]["home_dc_id"].GetInt(), 67108864);
    EXPECT_EQ(d["session"]["dcs"].Size(), 1u);
  }
}

TEST_F(FerogramDifferencesTest, V9) {
  Session s = NewSessionWithDefaults();
  s.CachePeer(CachedPeer::User(1, 2));
  EncodeOptions o;
  o.policy = VersionPolicy::kExtended;
  absl::StatusOr<std::string> v9 = EncodeBinary(s, o);
  ASSERT_TRUE(v9.ok());
  DecodeInfo info;
  absl::StatusOr<Session> back = DecodeBinary(*v9, DecodeOptions(), &info);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(info.version, 9);
  EXPECT_EQ(*back, s);
  if (std::optional<std::string> line = AskBinary(*v9)) {
    EXPECT_EQ(CheckBinary(*v9, *line).difference, Difference::kV9);
  }
  // A v1 file whose first four bytes are v9's header (home DC 0x73677409)
  // and whose checksum does not hold: ferogram reads it, we refuse it.
  WireSession w;
  w.version = 1;
  w.home_dc_id = 0x73677409;  // 09 't' 'g' 's' little-endian
  w.dcs.push_back(SmallV8().dcs[0]);
  const std::string v1 = WriteWire(w).bytes;
  EXPECT_EQ(DecodeBinary(v1).status().code(), absl::StatusCode::kDataLoss);
  absl::StatusOr<Session> as_v1 = DecodeBinaryAsVersion(v1, 1);
  ASSERT_TRUE(as_v1.ok()) << as_v1.status();
  if (std::optional<std::string> line = AskBinary(v1)) {
    EXPECT_EQ(CheckBinary(v1, *line).difference, Difference::kV9);
    EXPECT_TRUE(Parse(*line)["ok"].GetBool());
  }
}

TEST_F(FerogramDifferencesTest, ExceedsV8) {
  Session s = NewSessionWithDefaults();
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 65536; ++i) peers.push_back(CachedPeer::User(100 + i, i));
  s.peers.Assign(std::move(peers));
  EncodeOptions v8;
  v8.policy = VersionPolicy::kFerogramOnly;
  EXPECT_EQ(EncodeBinary(s, v8).status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<std::string> auto_version = EncodeBinary(s);
  ASSERT_TRUE(auto_version.ok());
  EXPECT_EQ((*auto_version)[0], 9);
  if (std::optional<std::string> line = Ask({"encode-binary"}, OracleJson(s))) {
    const Verdict v = CheckEncode(s, *line);
    EXPECT_EQ(v.difference, Difference::kExceedsV8) << v.detail;
    // Its v8 file reads back with no peers at all (the count wrapped to 0).
    const rapidjson::Document d = Parse(*line);
    const std::string hex(d["hex"].GetString(), d["hex"].GetStringLength());
    if (std::optional<std::string> back = AskBinary(testing::HexToBytes(hex))) {
      EXPECT_EQ(Parse(*back)["session"]["peers"].Size(), 0u);
    }
  }
}

TEST_F(FerogramDifferencesTest, CompactV1FromV2) {
  const std::string text = testing::ReadFileOrDie(testing::VectorsDir() + "/ferogram/string_session/ss_v2_ipv4.txt");
  absl::StatusOr<CompactSession> c = DecodeCompactString(text);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(EncodeCompactString(*c, 1).status().code(), absl::StatusCode::kFailedPrecondition);
  if (std::optional<std::string> line = AskCompact(text)) {
    EXPECT_EQ(CheckCompact(text, *line).difference, Difference::kNone);
    EXPECT_TRUE(Parse(*line)["encode_v1"].IsNull());
  }
  if (oracle_) {
    absl::StatusOr<std::unique_ptr<OracleProcess>> p = OracleProcess::Start(*oracle_, {"panic-selftest"});
    ASSERT_TRUE(p.ok());
    absl::StatusOr<std::vector<std::string>> out = (*p)->Read(1);
    ASSERT_TRUE(out.ok()) << out.status();
    const rapidjson::Document d = Parse((*out)[0]);
    ASSERT_TRUE(d.HasMember("panic")) << (*out)[0];
    EXPECT_STREQ(d["panic"].GetString(), "cannot encode V2 session as V1: missing server_salt, seq_no, layer");
  }
}

TEST_F(FerogramDifferencesTest, InputOverLimit) {
  EXPECT_EQ(DecodeLimits().max_input_bytes, size_t{256} << 20);
  EXPECT_EQ(StringDecodeLimits().max_chars, size_t{64} << 20);
  const std::string bytes = WriteWire(SmallV8()).bytes;
  DecodeOptions small;
  small.limits.max_input_bytes = bytes.size() - 1;
  EXPECT_EQ(DecodeBinary(bytes, small).status().code(), absl::StatusCode::kResourceExhausted);
  small.limits.max_input_bytes = bytes.size();
  EXPECT_TRUE(DecodeBinary(bytes, small).ok());
  const std::string text = Base64Encode(bytes, kBase64UrlNoPad);
  StringDecodeOptions short_text;
  short_text.limits.max_chars = text.size() - 1;
  EXPECT_EQ(DecodeNativeString(text, short_text).status().code(), absl::StatusCode::kInvalidArgument);
  if (std::optional<std::string> line = AskBinary(bytes)) {
    EXPECT_TRUE(Parse(*line)["ok"].GetBool());  // ferogram has no such limit
  }
}

}  // namespace
}  // namespace differential
}  // namespace tgsession

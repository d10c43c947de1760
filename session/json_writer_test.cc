#include "session/json_writer.h"

#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/json.h"
#include "session/session.h"

namespace tgsession {
namespace {

// Parses as a strict reader would: UTF-8 validated.
rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

std::string Str(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

TEST(JsonWriterTest, EscapesWhatJsonRequires) {
  const std::string hostile = std::string("O'Brien \"q\" \\ \n\t\x01\x1f\x7f ") + std::string(1, '\0') +
                              "\xD0\x9E\xD0\xBB\xD0\xB5\xD0\xB3 \xE2\x80\xA8";
  for (bool pretty : {false, true}) {
    JsonWriter w(pretty);
    w.StartObject();
    w.StringMember("name", hostile);
    w.EndObject();
    rapidjson::Document d = Parse(w.str());
    EXPECT_EQ(Str(d["name"]), hostile);
    EXPECT_FALSE(d.HasMember("name_hex"));
  }
  JsonWriter w(false);
  w.StartArray();
  w.Utf8String("a\"b");
  w.Int64(-9223372036854775807 - 1);
  w.Uint64(18446744073709551615u);
  w.Bool(true);
  w.Null();
  w.EndArray();
  EXPECT_EQ(w.str(), "[\"a\\\"b\",-9223372036854775808,18446744073709551615,true,null]");
}

TEST(JsonWriterTest, NumberAndFlagMembersAreKeyThenValue) {
  JsonWriter w(false);
  w.StartObject();
  w.Int64Member("i", -9223372036854775807 - 1);
  w.Uint64Member("u", 18446744073709551615u);
  w.BoolMember("b", false);
  w.EndObject();
  EXPECT_EQ(w.str(), "{\"i\":-9223372036854775808,\"u\":18446744073709551615,\"b\":false}");
}

TEST(JsonWriterTest, BytesThatAreNotUtf8KeepTheirExactForm) {
  for (const std::string& bad : {std::string("bad \xFF\xFE"), std::string("cut \xD0"), std::string("\xED\xA0\x80"),
                                 std::string("\xC0\xAF"), std::string("\xF4\x90\x80\x80")}) {
    JsonWriter w(true);
    w.StartObject();
    w.StringMember("name", bad);
    w.EndObject();
    rapidjson::Document d = Parse(w.str());
    EXPECT_NE(Str(d["name"]).find("\xEF\xBF\xBD"), std::string::npos) << w.str();
    std::string hex;
    for (unsigned char c : bad) {
      static constexpr char kDigits[] = "0123456789abcdef";
      hex += kDigits[c >> 4];
      hex += kDigits[c & 15];
    }
    EXPECT_EQ(Str(d["name_hex"]), hex);
  }
}

TEST(JsonWriterTest, SessionAddressesThatAreNotUtf8RoundTrip) {
  Session s = NewSessionWithDefaults();
  ASSERT_FALSE(s.dcs.empty());
  s.dcs[0].addr = std::string("\xFF\xFE:1");
  const std::string json = SessionToJson(s, {});
  rapidjson::Document d = Parse(json);
  EXPECT_EQ(Str(d["dcs"][0]["addr"]), "\xEF\xBF\xBD\xEF\xBF\xBD:1");
  EXPECT_EQ(Str(d["dcs"][0]["addr_hex"]), "fffe3a31");
  EXPECT_FALSE(d["dcs"][1].HasMember("addr_hex"));
  JsonWriteOptions reveal;
  reveal.reveal_secrets = true;
  absl::StatusOr<Session> back = SessionFromJson(SessionToJson(s, reveal));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  // addr_hex must hold the bytes addr shows.
  std::string forged = SessionToJson(s, reveal);
  forged.replace(forged.find("fffe3a31"), 8, "fffe3a32");
  EXPECT_EQ(SessionFromJson(forged).status().code(), absl::StatusCode::kInvalidArgument);
  std::string odd = SessionToJson(s, reveal);
  odd.replace(odd.find("fffe3a31"), 8, "fffe3a3");
  EXPECT_EQ(SessionFromJson(odd).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tgsession

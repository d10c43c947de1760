#include "wasm/api/transfer.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "session/interop/formats.h"
#include "session/session.h"

namespace tgsession {
namespace wasm_api {
namespace {

HeldSession Rich() {
  HeldSession h;
  h.source = interop::Format::kTelethonSqlite;
  h.session = NewSessionWithDefaults();
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(i * 5 + 1);
  h.session.dcs[1].auth_key = AuthKey(raw);
  h.session.CachePeer(CachedPeer::User(777000, -42));
  h.session.CachePeer(CachedPeer::Channel(1001, 43690, ChannelKind::kMegagroup));
  h.session.updates_state.pts = 99;
  h.extras.user_id = 123456789;
  h.extras.is_bot = false;
  h.extras.api_id = 6;
  interop::PeerExtras p;
  p.username = "durov";
  p.name = "Pavel";
  p.is_bot = false;
  h.extras.peers[777000] = p;
  interop::PeerExtras phone_only;
  phone_only.phone = "";
  h.extras.peers[-1000000001001] = phone_only;
  return h;
}

TEST(TransferTest, RoundTripsEverything) {
  const HeldSession h = Rich();
  absl::StatusOr<SecretString> bytes = PackHeld(h);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<HeldSession> back = UnpackHeld(bytes->view());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->source, h.source);
  EXPECT_EQ(back->session, h.session);
  EXPECT_EQ(back->extras, h.extras);
  EXPECT_FALSE(back->extras.test_mode.has_value());
  EXPECT_FALSE(back->extras.takeout_id.has_value());
}

TEST(TransferTest, EveryTruncationFailsWithInvalidArgument) {
  absl::StatusOr<SecretString> bytes = PackHeld(Rich());
  ASSERT_TRUE(bytes.ok());
  const std::string full = bytes->str();
  for (size_t n = 0; n < full.size(); ++n) {
    absl::StatusOr<HeldSession> back = UnpackHeld(absl::string_view(full).substr(0, n));
    ASSERT_FALSE(back.ok()) << n;
    // Inside the session string the binary decoder speaks (kDataLoss or
    // kInvalidArgument); outside it, the transfer reader names the field.
    EXPECT_TRUE(back.status().code() == absl::StatusCode::kInvalidArgument ||
                back.status().code() == absl::StatusCode::kDataLoss)
        << n << ": " << back.status();
  }
}

TEST(TransferTest, RejectsVersionFormatTrailingAndOversizedCounts) {
  absl::StatusOr<SecretString> bytes = PackHeld(Rich());
  ASSERT_TRUE(bytes.ok());
  std::string s = bytes->str();
  std::string bad = s;
  bad[0] = 2;
  EXPECT_EQ(UnpackHeld(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad = s;
  bad[1] = 100;
  EXPECT_EQ(UnpackHeld(bad).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnpackHeld(s + "x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(UnpackHeld(s + "x").status().message().find("trailing"), absl::string_view::npos);
  // A peer count far beyond the input is refused before anything is read.
  HeldSession none;
  absl::StatusOr<SecretString> empty = PackHeld(none);
  ASSERT_TRUE(empty.ok());
  std::string huge = empty->str();
  huge.replace(huge.size() - 4, 4, std::string("\xff\xff\xff\x0f", 4));
  absl::Status st = UnpackHeld(huge).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("exceed"), absl::string_view::npos) << st;
}

}  // namespace
}  // namespace wasm_api
}  // namespace tgsession

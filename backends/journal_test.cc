#include "backends/journal.h"

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "session/byte_io.h"
#include "session/crc32c.h"

namespace tgsession {
namespace {

// The record checksum (LevelDB's mask over CRC-32C), written out here so
// the test can forge records that pass it.
uint32_t MaskedCrc(absl::string_view payload) {
  const uint32_t crc = crc32c::Value(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

// Replaces the payload of the journal's only record and fixes its frame.
std::string WithPayload(const std::string& journal, const std::string& payload) {
  std::string out = journal.substr(0, journal::kHeaderSize);
  uint8_t frame[journal::kRecordOverhead];
  byte_io::PutU32LE(frame, static_cast<uint32_t>(payload.size()));
  byte_io::PutU32LE(frame + 4, MaskedCrc(payload));
  out.append(reinterpret_cast<const char*>(frame), sizeof frame);
  out += payload;
  return out;
}

std::string OneRecord(const journal::Op& op) {
  std::string j = journal::EncodeHeader(journal::Header{});
  EXPECT_TRUE(journal::AppendRecord(op, &j).ok());
  return j;
}

TEST(JournalTest, WholeUpdateStateReplays) {
  UpdatesState state;
  state.pts = 7;
  state.SetChannelPts(100, 1);
  state.SetChannelPts(200, 2);
  const UpdateStateChange change = UpdateStateChange::All(state);
  const std::string j = OneRecord(journal::Op::UpdateState(change));
  Session s;
  const absl::StatusOr<journal::ReplayResult> r = journal::Replay(j, &s);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(s.updates_state, state);
}

// A record (with a valid checksum: anyone can compute one) whose channel
// count times the 12-byte entry wraps a 32-bit size_t: 357,913,942 * 12 =
// 2^32 + 8, and 8 bytes follow. The bound was checked on the product, so on
// armhf it passed and the 5.7 GB table made the process abort; it must be
// refused as corrupt on every target.
TEST(JournalTest, ChannelCountWhoseSizeWraps32BitsIsCorrupt) {
  const UpdateStateChange change = UpdateStateChange::All(UpdatesState());
  const std::string j = OneRecord(journal::Op::UpdateState(change));
  std::string payload = j.substr(journal::kHeaderSize + journal::kRecordOverhead);
  ASSERT_EQ(payload.size(), 2u + 16u + 4u);  // op, kind, 4 counters, count
  byte_io::PutU32LE(reinterpret_cast<uint8_t*>(&payload[payload.size() - 4]), 357913942u);
  payload.append(8, '\x01');
  Session s;
  const absl::StatusOr<journal::ReplayResult> r = journal::Replay(WithPayload(j, payload), &s);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "channel count")) << r.status();
}

}  // namespace
}  // namespace tgsession

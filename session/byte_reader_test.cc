#include "session/byte_reader.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace tgsession {
namespace {

TEST(ByteReaderTest, ReadsLittleEndianFieldsInOrder) {
  const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xF8, 0xFF, 0xFF, 0xFF,
                           0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0xAA, 0xBB};
  ByteReader r(bytes, sizeof bytes);
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  int32_t i32;
  int64_t i64;
  ASSERT_TRUE(r.U8(&u8));
  ASSERT_TRUE(r.U16(&u16));
  ASSERT_TRUE(r.U32(&u32));
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0302);
  EXPECT_EQ(u32, 0x07060504u);
  ASSERT_TRUE(r.I32(&i32));
  EXPECT_EQ(i32, -8);
  ASSERT_TRUE(r.I64(&i64));
  EXPECT_EQ(static_cast<uint64_t>(i64), 0x8070605040302010u);
  EXPECT_EQ(r.pos(), 19u);
  const uint8_t* rest = r.Bytes(2);
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(rest[1], 0xBB);
  EXPECT_TRUE(r.AtEnd());
}

TEST(ByteReaderTest, AReadPastTheEndFailsAndLeavesThePosition) {
  const uint8_t bytes[] = {1, 2, 3};
  ByteReader r(bytes, sizeof bytes);
  uint8_t u8;
  uint32_t u32;
  int64_t i64;
  ASSERT_TRUE(r.U8(&u8));
  EXPECT_FALSE(r.U32(&u32));
  EXPECT_FALSE(r.I64(&i64));
  EXPECT_EQ(r.Bytes(3), nullptr);
  EXPECT_EQ(r.pos(), 1u);
  EXPECT_NE(r.Bytes(2), nullptr);
  EXPECT_TRUE(r.AtEnd());
  EXPECT_FALSE(r.U8(&u8));
}

TEST(ByteReaderTest, CountsTimesSizesDoNotWrap) {
  const uint8_t bytes[8] = {};
  ByteReader r(bytes, sizeof bytes);
  // 2^32 records of 19 bytes: wraps a 32-bit size_t, not the 64-bit Need.
  EXPECT_FALSE(r.Need(uint64_t{0xFFFFFFFFu} * 19));
  EXPECT_TRUE(r.Need(8));
  EXPECT_FALSE(r.Need(9));
}

TEST(ByteReaderTest, NullDataReadsAsEmpty) {
  ByteReader r(nullptr, 100);
  uint8_t u8;
  EXPECT_TRUE(r.AtEnd());
  EXPECT_FALSE(r.U8(&u8));
}

}  // namespace
}  // namespace tgsession

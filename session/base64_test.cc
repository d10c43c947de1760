#include "session/base64.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "session/internal/cpu_features.h"

namespace tgsession {
namespace {

// A deliberately simple reference encoder.
std::string RefEncode(const std::string& in, Base64Format f) {
  const char* sym = f.alphabet == Base64Alphabet::kUrlSafe
                        ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += sym[(acc >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += sym[(acc << (6 - bits)) & 63];
  if (f.padding == Base64Padding::kRequired) {
    while (out.size() % 4 != 0) out += '=';
  }
  return out;
}

std::string Random(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Every test runs once per kernel this machine has (portable always).
struct Kernels {
  const char* name;
  internal::CpuFeatures features;
};

internal::CpuFeatures With(bool avx2, bool avx512vbmi, bool wasm_simd128 = false) {
  internal::CpuFeatures f;
  f.avx2 = avx2;
  f.avx512vbmi = avx512vbmi;
  f.wasm_simd128 = wasm_simd128;
  return f;
}

class Base64Test : public testing::TestWithParam<Kernels> {
 protected:
  void SetUp() override {
    const internal::CpuFeatures want = GetParam().features;
    const internal::CpuFeatures have = internal::DetectedCpuFeatures();
    if ((want.avx2 && !have.avx2) || (want.avx512vbmi && !have.avx512vbmi) ||
        (want.wasm_simd128 && !have.wasm_simd128)) {
      GTEST_SKIP() << "kernel not available here";
    }
    internal::SetCpuFeaturesForTesting(want);
  }
  void TearDown() override { internal::ResetCpuFeaturesForTesting(); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, Base64Test,
                         testing::Values(Kernels{"portable", With(false, false)}, Kernels{"avx2", With(true, false)},
                                         Kernels{"avx512vbmi", With(true, true)},
                                         Kernels{"wasm_simd128", With(false, false, true)}),
                         [](const testing::TestParamInfo<Kernels>& info) { return std::string(info.param.name); });

TEST_P(Base64Test, MatchesReferenceForManyLengthsAndBothAlphabets) {
  std::mt19937 rng(7);
  for (Base64Format f : {kBase64UrlNoPad, kBase64UrlPadded, kBase64StdPadded,
                         Base64Format{Base64Alphabet::kStandard, Base64Padding::kNone}}) {
    for (size_t n = 0; n < 700; ++n) {
      const std::string in = Random(rng, n);
      const std::string want = RefEncode(in, f);
      ASSERT_EQ(Base64Encode(in, f), want) << n;
      // In place, as EncodeNativeString does.
      std::string buf(Base64EncodedLength(n, f), '\0');
      std::copy(in.begin(), in.end(), buf.begin());
      Base64EncodeInPlace(&buf[0], n, f);
      ASSERT_EQ(buf, want) << n;
      absl::StatusOr<std::string> back = Base64Decode(want, f);
      ASSERT_TRUE(back.ok()) << n << " " << back.status();
      ASSERT_EQ(*back, in) << n;
    }
  }
}

TEST_P(Base64Test, LargeInputsRoundTrip) {
  std::mt19937 rng(9);
  for (size_t n : {size_t{100000}, size_t{1587670}, size_t{2421763}}) {
    const std::string in = Random(rng, n);
    const std::string text = Base64Encode(in);
    EXPECT_EQ(text, RefEncode(in, kBase64UrlNoPad));
    EXPECT_EQ(*Base64Decode(text), in);
  }
}

TEST_P(Base64Test, BadSymbolReportedAtItsOffsetAnywhere) {
  std::mt19937 rng(3);
  const std::string text = Base64Encode(Random(rng, 3000));
  for (size_t pos : {size_t{0}, size_t{5}, size_t{31}, size_t{32}, size_t{63}, size_t{64}, size_t{127},
                     size_t{128}, size_t{1000}, size_t{3967}, size_t{3999}}) {
    for (char bad : {'!', '+', '/', '=', ' ', '\x80', '\0'}) {
      std::string t = text;
      t[pos] = bad;
      absl::StatusOr<std::string> r = Base64Decode(t);
      ASSERT_FALSE(r.ok()) << pos << " " << int(bad);
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(absl::StrContains(r.status().message(), absl::StrCat("offset ", pos))) << r.status();
    }
  }
}

TEST_P(Base64Test, DecodesInPlace) {
  std::mt19937 rng(5);
  for (size_t n = 0; n < 2000; n += 1 + n / 7) {
    const std::string in = Random(rng, n);
    std::string buf = Base64Encode(in);
    buf.resize(std::max(buf.size(), Base64DecodedMaxLength(buf.size())));
    absl::StatusOr<size_t> got = Base64DecodeTo(absl::string_view(buf.data(), Base64EncodedLength(n, kBase64UrlNoPad)),
                                                reinterpret_cast<uint8_t*>(&buf[0]), kBase64UrlNoPad);
    ASSERT_TRUE(got.ok()) << n << " " << got.status();
    ASSERT_EQ(*got, n);
    ASSERT_EQ(buf.substr(0, n), in) << n;
  }
}

// kInvalidArgument, with `what` in the message.
void ExpectRefused(const absl::StatusOr<std::string>& r, absl::string_view what) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), what)) << r.status() << " lacks: " << what;
}

TEST_P(Base64Test, StrictnessMatchesRustBase64) {
  ExpectRefused(Base64Decode("A"), "length 1: no encoding has length % 4 == 1");
  ExpectRefused(Base64Decode("AAAAA"), "length 5");
  ExpectRefused(Base64Decode("AB"), "non-canonical base64url: last symbol 'B' at offset 1");
  EXPECT_TRUE(Base64Decode("AA").ok());
  EXPECT_TRUE(Base64Decode("").ok());
  ExpectRefused(Base64Decode("AA=="), "unexpected padding '=' at offset 2");  // no padding allowed
  EXPECT_TRUE(Base64Decode("AA==", kBase64UrlPadded).ok());
  ExpectRefused(Base64Decode("AA", kBase64UrlPadded), "padded text must be a multiple of 4");
  ExpectRefused(Base64Decode("A===", kBase64StdPadded), "unexpected padding '=' at offset 1");
  ExpectRefused(Base64Decode("AA=A", kBase64StdPadded), "unexpected padding '=' at offset 2");
  // Standard symbols in url-safe text.
  ExpectRefused(Base64Decode("+/+/"), "invalid base64url symbol '+' at offset 0");
  EXPECT_TRUE(Base64Decode("+/+/", kBase64StdPadded).ok());
}

TEST_P(Base64Test, TrimsUnicodeWhitespaceLikeRust) {
  EXPECT_EQ(TrimUnicodeWhitespace("  abc\n\t"), "abc");
  EXPECT_EQ(TrimUnicodeWhitespace("\xC2\xA0" "abc" "\xE3\x80\x80"), "abc");   // NBSP, ideographic space
  EXPECT_EQ(TrimUnicodeWhitespace("\xE2\x80\xA8" "a b" "\xE2\x80\x89"), "a b");
  EXPECT_EQ(TrimUnicodeWhitespace("\xE2\x80\x8B" "a"), "\xE2\x80\x8B" "a");  // ZWSP is not White_Space
  EXPECT_EQ(TrimUnicodeWhitespace("   "), "");
}

}  // namespace
}  // namespace tgsession

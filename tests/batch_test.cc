// Batch: the record buffer that crosses the Wasm boundary, in particular the
// zero-copy input ranges (byte offsets into the input, decoded byte for byte).
#include "rillmark/batch.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../wasm/core/src/utf8.h"

namespace rillmark {
namespace {

std::vector<uint32_t> Words(const Batch& b) { return {b.words().begin(), b.words().end()}; }

TEST(BatchInput, AsciiRangesAreByteOffsets) {
  std::string in = "data: hello\n\ndata: world\n\n";
  Batch b;
  b.SetInput(in);
  ASSERT_TRUE(b.PushInputString(std::string_view(in).substr(6, 5)));
  ASSERT_TRUE(b.PushInputString(std::string_view(in).substr(19, 5)));
  EXPECT_EQ(Words(b), (std::vector<uint32_t>{6, 11, 19, 24}));
  EXPECT_TRUE(b.uses_input());
  EXPECT_TRUE(b.text().empty());
}

TEST(BatchInput, AsciiStringsOfANonAsciiInputAreByteRangesOthersAreNot) {
  // JS decodes the input one code unit per byte: ASCII bytes keep their
  // offsets whatever precedes them; a string with "é" must go to the blob.
  std::string in = "\xC3\xA9:xy|z\xC3\xA9";
  Batch b;
  b.SetInput(in);
  size_t x = in.find('x'), z = in.find('z');
  ASSERT_TRUE(b.PushInputString(std::string_view(in).substr(z, 1)));
  ASSERT_TRUE(b.PushInputString(std::string_view(in).substr(x, 2)));  // any order
  EXPECT_FALSE(b.PushInputString(std::string_view(in).substr(z, 3)));  // "zé"
  EXPECT_EQ(Words(b), (std::vector<uint32_t>{6, 7, 3, 5}));
}

TEST(BatchInput, FallsBackOutsideTheInputOrForNonAsciiOfAnIllFormedInput) {
  std::string in = "abc\xFF" "def";
  std::string other = "abc";
  Batch b;
  b.SetInput(in);
  EXPECT_FALSE(b.PushInputString(other));                            // not in the input
  EXPECT_FALSE(b.PushInputString(std::string_view(in).substr(2, 3)));  // "c\xFF" + "d"
  EXPECT_FALSE(b.PushInputString(std::string_view()));
  EXPECT_TRUE(b.words().empty());
  EXPECT_FALSE(b.uses_input());
  EXPECT_TRUE(b.PushInputString(std::string_view(in).substr(4, 3)));  // ASCII "def" is exact anyway
}

TEST(BatchInput, ClearForgetsTheInput) {
  std::string in = "one two";
  Batch b;
  b.SetInput(in);
  ASSERT_TRUE(b.PushInputString(std::string_view(in).substr(4, 3)));
  EXPECT_TRUE(b.uses_input());
  b.Clear();
  EXPECT_FALSE(b.uses_input());
  EXPECT_FALSE(b.PushInputString(std::string_view(in).substr(0, 3)));
  b.PushString("x\xC3\xA9");
  EXPECT_EQ(Words(b), (std::vector<uint32_t>{0, 2}));
}

TEST(BatchInput, ReportsWhetherTheInputIsWellFormed) {
  Batch b;
  std::string ascii = "data: x\n", utf8 = "data: \xC3\xA9\n", bad = "data: \xC3\n";
  b.SetInput(ascii);
  EXPECT_TRUE(b.InputWellFormed());
  EXPECT_TRUE(b.input_ascii());
  b.SetInput(utf8);
  EXPECT_TRUE(b.InputWellFormed());
  EXPECT_FALSE(b.input_ascii());
  b.SetInput(bad);
  EXPECT_FALSE(b.InputWellFormed());
  EXPECT_FALSE(b.PushInputString(std::string_view(bad).substr(6, 2)));
}

// A plain reading of RFC 3629's grammar, byte by byte: the reference for the
// word-skipping validator.
bool ReferenceValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t need = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
    if (need == 9 || i + need >= s.size() + (need == 0)) return false;
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (size_t k = 1; k <= need; ++k) {
      if (b(i + k) < lo || b(i + k) > hi) return false;
      lo = 0x80;
      hi = 0xBF;
    }
    i += need + 1;
  }
  return true;
}

TEST(Utf8, ValidatorAgreesWithAByteByByteReadingOnMostlyAsciiText) {
  std::mt19937 rng(3);
  const char* pieces[] = {"\xC3\xA9", "\xE2\x86\x92", "\xF0\x9F\x98\x80", "\xC3", "\xE2\x86", "\xFF", "\xC0\xAF",
                          "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"};
  int invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string s(rng() % 40, 'a');
    size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    s.insert(at, pieces[rng() % 10]);
    s.append(rng() % 30, 'b');
    if (rng() % 3 == 0) s.append(pieces[rng() % 10]);
    bool want = ReferenceValidUtf8(s);
    invalid += !want;
    ASSERT_EQ(detail::IsValidUtf8(s), want) << round;
  }
  EXPECT_GT(invalid, 500);
}

// SameBytes compares in overlapping words: every length, a difference at
// every position.
TEST(SameBytes, FindsEveryDifferenceAtEveryLength) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'a');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(detail::SameBytes(a, std::string(a)));
    EXPECT_FALSE(detail::SameBytes(a, a + "x"));
    for (size_t k = 0; k < n; ++k) {
      std::string b = a;
      b[k] ^= 0x20;
      EXPECT_FALSE(detail::SameBytes(a, b)) << n << " " << k;
    }
  }
}

}  // namespace
}  // namespace rillmark

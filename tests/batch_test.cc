// Batch: the record buffer that crosses the Wasm boundary, in particular the
// zero-copy input ranges (byte offsets into the input, decoded byte for byte).
#include "rillmark/batch.h"

#include <gtest/gtest.h>

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

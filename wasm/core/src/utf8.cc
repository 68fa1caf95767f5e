#include "utf8.h"

#include <cstring>

#ifdef RILLMARK_WASM_SIMD
#include <wasm_simd128.h>
#endif

namespace rillmark::detail {
namespace {

// Length of the well-formed sequence starting at s[i], or 0 when ill-formed;
// `*bad_len` gets the length of the maximal ill-formed subpart to replace
// (WHATWG Encoding, "UTF-8 decoder": one U+FFFD per maximal subpart).
size_t SequenceLength(const unsigned char* s, size_t n, size_t i, size_t* bad_len) {
  unsigned char c = s[i];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *bad_len = 1;
    return 0;
  }
  size_t k = 1;
  for (; k <= need; ++k) {
    if (i + k >= n) break;
    unsigned char b = s[i + k];
    if (b < lo || b > hi) break;
    lo = 0x80;
    hi = 0xBF;
  }
  if (k == need + 1) return need + 1;
  *bad_len = k;
  return 0;
}

RILLMARK_SIMD_FN bool AllAscii(const unsigned char* p, size_t n) {
  // OR 32 bytes together per test: one branch per block, not per word.
  size_t i = 0;
#ifdef RILLMARK_WASM_SIMD
  for (; i + 64 <= n; i += 64) {
    v128_t v = wasm_v128_or(wasm_v128_or(wasm_v128_load(p + i), wasm_v128_load(p + i + 16)),
                            wasm_v128_or(wasm_v128_load(p + i + 32), wasm_v128_load(p + i + 48)));
    if (wasm_i8x16_bitmask(v)) return false;
  }
#endif
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) return false;
  }
  uint64_t acc = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  unsigned char tail = 0;
  for (; i < n; ++i) tail |= p[i];
  return ((acc & 0x8080808080808080ULL) | (tail & 0x80)) == 0;
}

}  // namespace

bool IsAscii(std::string_view s) { return AllAscii(reinterpret_cast<const unsigned char*>(s.data()), s.size()); }

bool IsValidUtf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  if (AllAscii(s, n)) return true;
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      // Mostly-ASCII text (a network chunk with one "→"): skip ASCII 8 bytes
      // at a time, not byte by byte.
      ++i;
      uint64_t w;
      while (i + 8 <= n && (std::memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0)) i += 8;
      continue;
    }
    size_t bad = 0;
    size_t len = SequenceLength(s, n, i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendSanitizedUtf8(std::string& out, std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  size_t run = 0;  // start of the current run of good bytes
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    size_t len = SequenceLength(s, n, i, &bad);
    if (len) {
      i += len;
      continue;
    }
    out.append(sv.data() + run, i - run);
    out.append("\xEF\xBF\xBD");
    i += bad;
    run = i;
  }
  out.append(sv.data() + run, n - run);
}

size_t Utf16Length(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  if (AllAscii(s, n)) return n;
  size_t units = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = s[i];
    units += (c & 0xC0) != 0x80;  // one unit per lead byte
    units += c >= 0xF0;           // a surrogate pair for 4-byte sequences
  }
  return units;
}

size_t Utf8PrefixLength(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

void AppendCodepoint(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace rillmark::detail

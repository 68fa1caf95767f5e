// Private UTF-8 helpers (namespace rillmark::detail).
#ifndef RILLMARK_SRC_UTF8_H_
#define RILLMARK_SRC_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// The Wasm build scans bytes 16 at a time with Wasm SIMD (the build defines
// RILLMARK_WASM_SIMD): only the functions marked RILLMARK_SIMD_FN use it, the
// rest of the module is not auto-vectorised (that costs size, not speed).
#ifdef RILLMARK_WASM_SIMD
#define RILLMARK_SIMD_FN __attribute__((target("simd128")))
#else
#define RILLMARK_SIMD_FN
#endif

namespace rillmark::detail {

/// True when every byte of `s` is ASCII (16 or 8 bytes at a time).
bool IsAscii(std::string_view s);

/// True when `s` is well-formed UTF-8 (RFC 3629: no surrogates, no overlongs).
bool IsValidUtf8(std::string_view s);

/// Appends `s` to `out`, replacing each maximal ill-formed subsequence with
/// U+FFFD exactly as the WHATWG Encoding Standard's UTF-8 decoder does, so text
/// decoded here and text decoded by a browser's TextDecoder agree.
void AppendSanitizedUtf8(std::string& out, std::string_view s);

/// Number of UTF-16 code units of well-formed UTF-8 `s`.
size_t Utf16Length(std::string_view s);

/// Length of the longest prefix of `s` (at most `max_bytes`) that does not end
/// inside a multi-byte character; for excerpts.
size_t Utf8PrefixLength(std::string_view s, size_t max_bytes);

/// a == b for the short strings of the hot paths (field names, event types,
/// ids). Wasm has no inline memcmp: std::string_view's == calls musl's
/// byte-at-a-time one, which showed up in profiles; this compares words.
inline bool SameBytes(std::string_view a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  const char *p = a.data(), *q = b.data();
  auto load32 = [](const char* s) {
    uint32_t v;
    __builtin_memcpy(&v, s, 4);
    return v;
  };
  auto load64 = [](const char* s) {
    uint64_t v;
    __builtin_memcpy(&v, s, 8);
    return v;
  };
  if (n < 4) {
    for (size_t i = 0; i < n; ++i)
      if (p[i] != q[i]) return false;
    return true;
  }
  if (n <= 8) return load32(p) == load32(q) && load32(p + n - 4) == load32(q + n - 4);  // two overlapping words
  for (; n > 8; n -= 8, p += 8, q += 8)
    if (load64(p) != load64(q)) return false;
  return load64(p + n - 8) == load64(q + n - 8);  // the last 8 bytes, overlapping
}

/// Appends the UTF-8 encoding of `cp` (U+FFFD when out of range or a surrogate).
void AppendCodepoint(std::string& out, uint32_t cp);

}  // namespace rillmark::detail

#endif  // RILLMARK_SRC_UTF8_H_

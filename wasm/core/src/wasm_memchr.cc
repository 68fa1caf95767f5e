// memchr for the Wasm build, 16 bytes a step with Wasm SIMD. Emscripten's
// libc (musl) compares 4 bytes a step, and every std::string::find(char) of
// the core ends in memchr: 7.6 % of a flush per token in Node. Linked in
// place of musl's (this object defines the symbol, so the linker never pulls
// musl's memchr.o); built with -fno-builtin so the tail loop does not turn
// back into a call to memchr.
#ifdef RILLMARK_WASM_SIMD
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

extern "C" __attribute__((target("simd128"))) void* memchr(const void* s, int c, size_t n) {
  const auto* p = static_cast<const unsigned char*>(s);
  const auto ch = static_cast<unsigned char>(c);
  const v128_t needle = wasm_i8x16_splat(static_cast<int8_t>(ch));
  for (; n >= 16; n -= 16, p += 16) {
    uint32_t hit = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p), needle));
    if (hit) return const_cast<unsigned char*>(p + __builtin_ctz(hit));
  }
  for (; n > 0; --n, ++p)
    if (*p == ch) return const_cast<unsigned char*>(p);
  return nullptr;
}
#endif

// Oracle: any chunking gives the same text; nothing crashes (ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rillmark/token_decoder.h"

namespace {
struct Text : rillmark::TokenHandler {
  std::string s;
  void OnText(std::string_view t) override { s += t; }
};
std::string Run(rillmark::TokenFormat::Kind kind, std::string_view in, size_t piece) {
  Text t;
  rillmark::TokenFormat f;
  f.kind = kind;
  if (kind == rillmark::TokenFormat::Kind::kCustom) f.path = "/a/0";
  rillmark::TokenDecoder d(f, &t, rillmark::TokenDecoderOptions{256, 32, true});
  for (size_t i = 0; i < in.size(); i += piece) d.Feed(in.substr(i, piece));
  d.End();
  return t.s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto kind = static_cast<rillmark::TokenFormat::Kind>(data[0] % 6);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string whole = Run(kind, in, in.size() + 1);
  if (Run(kind, in, 1 + data[0] % 7) != whole) std::abort();
  return 0;
}

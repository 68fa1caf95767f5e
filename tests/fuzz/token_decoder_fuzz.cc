// Oracles: any chunking gives the same text; one decoder over a stream of
// events behaves like a fresh decoder per event (which always parses the whole
// JSON: checks the same-shape shortcut); nothing crashes (ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rillmark/token_decoder.h"

namespace {
struct Log : rillmark::TokenHandler {
  std::string s;
  void OnText(std::string_view t) override { s += t; }
  void OnError(rillmark::Status e, std::string_view m) override {
    s += "\x01E";
    s += static_cast<char>('0' + static_cast<int>(e));
    s.append(m);
  }
  void OnDone() override { s += "\x01" "D"; }
};
rillmark::TokenFormat Format(rillmark::TokenFormat::Kind kind) {
  rillmark::TokenFormat f;
  f.kind = kind;
  if (kind == rillmark::TokenFormat::Kind::kCustom) f.path = "/a/0";
  return f;
}
std::string Run(rillmark::TokenFormat::Kind kind, std::string_view in, size_t piece) {
  Log log;
  rillmark::TokenDecoder d(Format(kind), &log, rillmark::TokenDecoderOptions{256, 32, true});
  for (size_t i = 0; i < in.size(); i += piece) d.Feed(in.substr(i, piece));
  d.End();
  return log.s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto kind = static_cast<rillmark::TokenFormat::Kind>(data[0] % 6);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  // ADK carries state from event to event (the final aggregate after partial
  // deltas is not appended): not comparable with fresh decoders.
  if ((data[0] & 0x80) && kind != rillmark::TokenFormat::Kind::kAdk) {
    // The input's lines (CR or LF) are JSON payloads: "data: <line>\n\n" each.
    std::string all, apart;
    for (size_t pos = 0; pos <= in.size();) {
      size_t nl = in.find_first_of("\r\n", pos);
      if (nl == std::string_view::npos) nl = in.size();
      std::string event = "data: " + std::string(in.substr(pos, nl - pos)) + "\n\n";
      all += event;
      apart += Run(kind, event, event.size() + 1);
      pos = nl + 1;
    }
    if (Run(kind, all, all.size() + 1) != apart) std::abort();
    return 0;
  }
  std::string whole = Run(kind, in, in.size() + 1);
  if (Run(kind, in, 1 + data[0] % 7) != whole) std::abort();
  return 0;
}

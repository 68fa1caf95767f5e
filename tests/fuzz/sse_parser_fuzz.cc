// Oracle: feeding the input whole, byte by byte, and split at a position
// derived from the input gives identical parser output.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rillmark/sse_parser.h"

namespace {
struct Log : rillmark::SseHandler {
  std::string s;
  void OnEvent(const rillmark::SseEvent& e) override {
    s += "E";
    s += e.type;
    s += '\x01';
    s += e.data;
    s += '\x01';
    s += e.id;
    s += '\x02';
  }
  void OnRetry(uint32_t ms) override { s += "R" + std::to_string(ms); }
  void OnComment(std::string_view t) override {
    s += "C";
    s += t;
  }
  void OnError(rillmark::Status, std::string_view) override { s += "X"; }
};

std::string Run(std::string_view in, size_t piece) {
  Log log;
  rillmark::SseParser p(&log, rillmark::SseParserOptions{64});
  for (size_t i = 0; i < in.size(); i += piece) p.Feed(in.substr(i, piece));
  p.End();
  return log.s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string whole = Run(in, size + 1);
  if (Run(in, 1) != whole) std::abort();
  if (size > 1 && Run(in, 1 + data[0] % (size - 1)) != whole) std::abort();
  return 0;
}

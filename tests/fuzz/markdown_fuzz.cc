// Oracle (invariant 2): streamed with flushes at input-chosen cut points,
// then finish(), the DOM equals the one-shot render.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../dom_model.h"
#include "rillmark/markdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 4096) return 0;
  uint8_t step = data[0];
  std::string md(reinterpret_cast<const char*>(data + 1), size - 1);
  rillmark::MarkdownRenderer r;
  rillmark::testing::DomModel dom;
  rillmark::Batch b;
  size_t pos = 0, k = 0;
  while (pos < md.size()) {
    size_t n = 1 + ((step >> (k++ % 8)) & 7);
    r.Append(std::string_view(md).substr(pos, n));
    pos += n;
    r.Flush(&b);
    if (dom.Apply(b) < 0) std::abort();
  }
  r.Finish(&b);
  dom.Apply(b);
  if (dom.Html() != rillmark::RenderMarkdownHtml(r.source())) std::abort();
  return 0;
}

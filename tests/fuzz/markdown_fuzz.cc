// Oracles: after every flush the DOM equals the one-shot render of the frozen
// part followed by the render of the completed live tail (invariant 1, which
// checks the fast paths and the patch stream; skipped with link definitions,
// which may arrive after their use), and after finish() the one-shot render of
// the whole input (invariant 2). Every other chunk that the renderer's
// prediction covers is shown as web/src shows it (no flush): the same
// oracles check the prediction.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "../../wasm/core/src/complete.h"
#include "../../wasm/core/src/render.h"
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
  std::vector<size_t> cuts{0};  // where the frozen blocks were cut, in order
  while (pos < md.size()) {
    size_t n = 1 + ((step >> (k++ % 8)) & 7);
    std::string_view chunk = std::string_view(md).substr(pos, n);
    pos += n;
    if (k % 2 == 0 && r.prediction().Covers(chunk)) {
      dom.ApplyPrediction(r.prediction(), chunk);
      if (r.AppendShown(chunk) != rillmark::Status::kOk) std::abort();
    } else {
      r.Append(chunk);
      r.Flush(&b);
      if (dom.Apply(b) < 0) std::abort();
    }
    if (r.frozen_bytes() != cuts.back()) cuts.push_back(r.frozen_bytes());
    // In container mode the live child is completed in its own context (see
    // markdown.cc); the corpus tests check those states against the whole
    // source on real documents, and finish() below checks them all.
    if (md.find("]:") == std::string::npos && !r.in_container()) {
      std::string_view src = r.source();
      std::string want = rillmark::RenderMarkdownHtml(src.substr(0, r.frozen_bytes()));
      rillmark::detail::Tokens t;
      rillmark::detail::RenderCompleted("", src.substr(r.frozen_bytes()), rillmark::DefaultMarkdownFlags(), &t);
      rillmark::detail::SerializeHtml(t, &want);
      // md4c may read the text across a cut taken earlier differently from
      // the whole (see FinishCorrectsWhatMd4cReadsDifferentlyAfterACut);
      // finish() corrects that. Elsewhere a difference is a bug.
      if (dom.Html() != want) {
        std::string parts;
        for (size_t i = 0; i < cuts.size(); ++i)
          parts += rillmark::RenderMarkdownHtml(src.substr(cuts[i], (i + 1 < cuts.size() ? cuts[i + 1] : src.size()) - cuts[i]));
        if (parts == rillmark::RenderMarkdownHtml(src)) std::abort();
      }
    }
  }
  r.Finish(&b);
  dom.Apply(b);
  if (dom.Html() != rillmark::RenderMarkdownHtml(md)) std::abort();  // the original, CRs and all
  return 0;
}

// Conformance driver: for every example of md4c's test/*.txt files, checks
// that streaming (split at every byte, and 1-byte chunks) gives exactly our
// one-shot render, and prints one JSON line per example with md4c's own
// md_html output for the same flags, for spec_conformance.py to compare
// through md4c's normalize.py.
#include <md4c-html.h>
#include <md4c.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../wasm/core/src/complete.h"
#include "../wasm/core/src/render.h"
#include "dom_model.h"
#include "rillmark/markdown.h"

namespace {

using rillmark::Batch;
using rillmark::MarkdownOptions;
using rillmark::MarkdownRenderer;
using rillmark::testing::DomModel;

struct Example {
  int number;
  std::string markdown, html;
};

std::vector<Example> ReadExamples(const std::string& path) {
  std::ifstream in(path);
  std::vector<Example> out;
  std::string line;
  const std::string fence(32, '`');
  int number = 0;
  while (std::getline(in, line)) {
    if (line.rfind(fence + " example", 0) != 0) continue;
    Example ex;
    ex.number = ++number;
    bool in_html = false;
    while (std::getline(in, line) && line.rfind(fence, 0) != 0) {
      if (!in_html && line == ".") {
        in_html = true;
        continue;
      }
      // The spec writes tabs as "→".
      for (size_t p; (p = line.find("\xE2\x86\x92")) != std::string::npos;) line.replace(p, 3, "\t");
      (in_html ? ex.html : ex.markdown) += line + "\n";
    }
    out.push_back(ex);
  }
  return out;
}

void AppendOut(const MD_CHAR* text, MD_SIZE size, void* user) { static_cast<std::string*>(user)->append(text, size); }

std::string Md4cHtml(const std::string& md, unsigned flags) {
  std::string out;
  md_html(md.data(), static_cast<MD_SIZE>(md.size()), AppendOut, &out, flags, 0);
  return out;
}

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// True when a line that looks like a link reference definition follows a
// line with a '[' that is not one (the same rule as e2e/spec.spec.js).
bool DefinitionAfterUse(const std::string& md) {
  bool use = false;
  size_t pos = 0;
  while (pos < md.size()) {
    size_t nl = std::min(md.find('\n', pos), md.size());
    std::string_view line(md.data() + pos, nl - pos);
    size_t s = line.find_first_not_of(' ');
    size_t close = line.find("]:");
    bool def = s < 4 && line[s] == '[' && close != std::string_view::npos &&
               line.substr(s + 1, close - s - 1).find(']') == std::string_view::npos;
    if (def && use) return true;
    if (!def && line.find('[') != std::string_view::npos) use = true;
    pos = nl + 1;
  }
  return false;
}

std::string Stream(const std::string& md, unsigned flags, const std::vector<size_t>& cuts, bool check_tail,
                   std::string* failure) {
  MarkdownOptions o;
  o.md_flags = flags;
  MarkdownRenderer r(o);
  DomModel dom;
  Batch b;
  size_t pos = 0;
  for (size_t cut : cuts) {
    r.Append(md.substr(pos, cut - pos));
    pos = cut;
    r.Flush(&b);
    if (dom.Apply(b) < 0) *failure = "bad op";
    if (check_tail) {
      rillmark::detail::Tokens t;
      rillmark::detail::RenderCompleted("", r.source(), flags, &t);
      std::string want;
      rillmark::detail::SerializeHtml(t, &want);
      if (dom.Html() != want && failure->empty())
        *failure = "invariant 1 after " + std::to_string(pos) + " bytes: " + dom.Html() + " != " + want;
    }
  }
  r.Append(md.substr(pos));
  r.Flush(&b);
  dom.Apply(b);
  r.Finish(&b);
  dom.Apply(b);
  return dom.Html();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: spec_dump FILE FLAGS\n");
    return 2;
  }
  unsigned flags = static_cast<unsigned>(std::stoul(argv[2], nullptr, 0)) | MD_FLAG_NOHTML;
  int stream_failures = 0;
  for (const Example& ex : ReadExamples(argv[1])) {
    std::string ours = rillmark::RenderMarkdownHtml(ex.markdown, [&] {
      MarkdownOptions o;
      o.md_flags = flags;
      return o;
    }());
    std::string failure;
    // A link definition that arrives after its use changes a frozen block:
    // invariant 1 holds only after finish() there.
    bool check_tail = !DefinitionAfterUse(ex.markdown);
    std::vector<size_t> bytes;
    for (size_t i = 1; i < ex.markdown.size(); ++i) bytes.push_back(i);
    if (Stream(ex.markdown, flags, bytes, check_tail, &failure) != ours && failure.empty())
      failure = "1-byte chunks differ from one-shot";
    for (size_t at = 0; at <= ex.markdown.size() && failure.empty(); ++at) {
      if (Stream(ex.markdown, flags, {at}, false, &failure) != ours) failure = "split at " + std::to_string(at);
    }
    if (!failure.empty()) ++stream_failures;
    std::printf("{\"example\":%d,\"markdown\":%s,\"spec\":%s,\"md4c\":%s,\"md4c_html_enabled\":%s,\"ours\":%s,"
                "\"stream_failure\":%s}\n",
                ex.number, Json(ex.markdown).c_str(), Json(ex.html).c_str(), Json(Md4cHtml(ex.markdown, flags)).c_str(),
                Json(Md4cHtml(ex.markdown, flags & ~MD_FLAG_NOHTML)).c_str(), Json(ours).c_str(),
                Json(failure).c_str());
  }
  return 0;
}

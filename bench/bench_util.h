// Workload generators shared by the benchmarks.
#ifndef RILLMARK_BENCH_BENCH_UTIL_H_
#define RILLMARK_BENCH_BENCH_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

namespace rillmark::bench {

inline std::string ReadFixture(const std::string& rel) {
  std::ifstream in(std::string(RILLMARK_FIXTURES "/") + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// An LLM-like stream: ~100-byte `data: {json}` events carrying `token_bytes`-byte deltas.
inline std::string OpenAiStream(const std::string& text, size_t token_bytes) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += token_bytes) {
    std::string t;
    for (char c : text.substr(i, token_bytes)) {
      if (c == '"' || c == '\\') t += '\\';
      if (c == '\n') {
        t += "\\n";
        continue;
      }
      t += c;
    }
    out += "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + t +
           "\"}}]}\n\n";
  }
  out += "data: [DONE]\n\n";
  return out;
}

/// A Markdown answer of about `bytes` bytes made of the fixture docs repeated.
inline std::string Answer(size_t bytes, const std::string& kind = "prose") {
  std::string out;
  if (kind == "code") {
    out = "```cpp\n";
    for (int i = 0; out.size() < bytes; ++i) out += "int value_" + std::to_string(i) + " = compute(" + std::to_string(i) + ");  // a line\n";
    return out;
  }
  if (kind == "list") {
    for (int i = 0; out.size() < bytes; ++i) out += "- item " + std::to_string(i) + " with **some** text and `code`\n";
    return out;
  }
  if (kind == "table") {
    out = "| id | name | value |\n|---|---|---|\n";
    for (int i = 0; out.size() < bytes; ++i) out += "| " + std::to_string(i) + " | row " + std::to_string(i) + " | **" + std::to_string(i * 7) + "** |\n";
    return out;
  }
  if (kind == "paragraph") {  // one paragraph of prose with inline markup, lines of ~500 bytes
    const char* sentences[] = {
        "Large language models answer **token by token**, and re-rendering the message does *quadratic* work. ",
        "Use `fetch()` with an `Authorization` header, then read the body as it arrives. ",
        "See the [HTML Standard](https://html.spec.whatwg.org/) for the wire format and ~~polling~~ streaming. ",
        "Frozen blocks are never touched again, so a user can select and copy text while it streams. "};
    for (int i = 0; out.size() < bytes; ++i) {
      out += sentences[i % 4];
      if (i % 5 == 4) out.back() = '\n';
    }
    return out;
  }
  const char* docs[] = {"docs/intro.md", "docs/lists.md", "docs/table.md", "docs/code.md"};
  for (int i = 0; out.size() < bytes; ++i) out += ReadFixture(docs[i % 4]) + "\n";
  return out.substr(0, bytes);
}

}  // namespace rillmark::bench

#endif  // RILLMARK_BENCH_BENCH_UTIL_H_

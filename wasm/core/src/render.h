// Private: md4c → token list, the HTML serializer, and the URL allow-list.
#ifndef RILLMARK_SRC_RENDER_H_
#define RILLMARK_SRC_RENDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rillmark/markdown.h"

namespace rillmark::detail {

struct Token {
  enum Kind : uint8_t { kOpen, kClose, kText };
  Kind kind;
  Tag tag;
  uint32_t begin;  // text bytes, or the encoded attributes of kOpen, in Tokens::strings
  uint32_t size;
};

/// A rendered tree in document order. Adjacent text is merged, so each kText is
/// one DOM text node. Void elements are kOpen directly followed by kClose.
/// Attributes of kOpen are encoded as (name byte, u32 length, value bytes)*.
struct Tokens {
  std::vector<Token> list;
  std::string strings;
  void clear() { list.clear(); strings.clear(); }
  std::string_view str(const Token& t) const { return std::string_view(strings).substr(t.begin, t.size); }
  bool Equal(size_t i, const Tokens& other, size_t j) const;
  /// Appends other.list[from, to) re-based into this arena.
  void AppendRange(const Tokens& other, size_t from, size_t to);
  /// Appends a text token holding `s` (a node of its own: no merging).
  void PushText(std::string_view s) {
    list.push_back({Token::kText, Tag::kNone, static_cast<uint32_t>(strings.size()), static_cast<uint32_t>(s.size())});
    strings.append(s);
  }
  size_t TopLevelCount() const;
};

/// Buffers a render reuses from call to call (a renderer keeps one): with
/// them, rendering a short tail allocates nothing.
struct RenderScratch {
  std::vector<Tag> open;  // the elements open during the render
};

/// Renders `text` with md4c into `out` (cleared first).
void RenderTokens(std::string_view text, unsigned md_flags, Tokens* out, RenderScratch* scratch = nullptr);

/// Serializes tokens to HTML (escaping text and attribute values).
void SerializeHtml(const Tokens& tokens, std::string* out);

/// Appends one attribute to the encoding of a kOpen token.
void PushAttr(std::string& enc, AttrName name, std::string_view value);

/// Decodes the attribute encoding of a kOpen token.
template <typename Fn>
void ForEachAttr(std::string_view encoded, Fn&& fn) {
  size_t i = 0;
  while (i + 5 <= encoded.size()) {
    auto name = static_cast<AttrName>(static_cast<uint8_t>(encoded[i]));
    uint32_t len = 0;
    for (int k = 0; k < 4; ++k) len |= uint32_t(static_cast<uint8_t>(encoded[i + 1 + k])) << (8 * k);
    fn(name, encoded.substr(i + 5, len));
    i += 5 + len;
  }
}

/// True when `url` (decoded) may be used as a link (or, with `image`, as an
/// image source): http, https, mailto, relative, '#'; images also
/// data:image/png|jpeg|gif|webp. Browsers ignore tab/CR/LF in URLs and strip
/// leading C0 controls and spaces, so those are removed before the check.
bool IsAllowedUrl(std::string_view url, bool image);

}  // namespace rillmark::detail

#endif  // RILLMARK_SRC_RENDER_H_

#include "render.h"

#include <md4c.h>

#include <algorithm>
#include <cstring>

#include "cold.h"
#include "entities.h"
#include "utf8.h"

namespace rillmark {

unsigned DefaultMarkdownFlags() { return MD_DIALECT_GITHUB | MD_FLAG_NOHTML; }

std::string_view TagName(Tag tag) {
  static constexpr std::string_view kNames[] = {
      "",      "p",     "h1",    "h2",    "h3", "h4",     "h5",    "h6",  "blockquote", "ul",
      "ol",    "li",    "pre",   "code",  "hr", "table",  "thead", "tbody", "tr",        "th",
      "td",    "em",    "strong", "del",  "a",  "img",    "br",    "input"};
  return kNames[static_cast<size_t>(tag)];
}

std::string_view AttrNameString(AttrName name) {
  static constexpr std::string_view kNames[] = {"",      "href",  "title", "src",     "alt",
                                                "class", "start", "align", "type",    "checked",
                                                "disabled"};
  return kNames[static_cast<size_t>(name)];
}

namespace detail {
namespace {

bool IsVoid(Tag t) { return t == Tag::kHr || t == Tag::kBr || t == Tag::kImg || t == Tag::kInput; }

// Entity text (e.g. "&amp;", "&#123;", "&#x1F600;") to UTF-8; unknown named
// entities stay verbatim (as md4c-html does).
RILLMARK_COLD void AppendEntity(std::string& out, std::string_view e) {
  if (e.size() > 3 && e[1] == '#') {
    uint32_t cp = 0;
    if (e[2] == 'x' || e[2] == 'X') {
      for (size_t i = 3; i + 1 < e.size(); ++i) {
        char c = e[i];
        uint32_t v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        cp = cp > 0x10FFFF ? cp : cp * 16 + v;
      }
    } else {
      for (size_t i = 2; i + 1 < e.size(); ++i) cp = cp > 0x10FFFF ? cp : cp * 10 + (e[i] - '0');
    }
    AppendCodepoint(out, cp);
    return;
  }
  // e is "&name;": the name is what the table holds.
  std::string_view value = e.size() > 2 ? LookupEntity(e.substr(1, e.size() - 2)) : std::string_view();
  out.append(value.empty() ? e : value);
}

std::string DecodeAttribute(const MD_ATTRIBUTE& a) {
  std::string out;
  if (!a.text) return out;
  for (int i = 0; a.substr_offsets[i] < a.size; ++i) {
    std::string_view part(a.text + a.substr_offsets[i], a.substr_offsets[i + 1] - a.substr_offsets[i]);
    switch (a.substr_types[i]) {
      case MD_TEXT_NULLCHAR: AppendCodepoint(out, 0); break;
      case MD_TEXT_ENTITY: AppendEntity(out, part); break;
      default: out.append(part); break;
    }
  }
  return out;
}

// Percent-encodes what md4c-html percent-encodes in URLs (all but ASCII
// alphanumerics, "-_.+!*(),%#@?=;:/,+$" and '&', which HTML escaping handles).
std::string EscapeUrl(std::string_view url) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(url.size());
  for (char ch : url) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                (c && std::strchr("-_.+!*(),%#@?=;:/,+$&", c));
    if (safe) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct Builder {
  Builder(Tokens* tokens, std::vector<Tag>& stack) : out(tokens), open(stack) {}
  Tokens* out;
  int image_depth = 0;       // inside ![…]: text goes to alt, tags are dropped
  size_t image_token = 0;    // index of the kOpen(img) being built
  std::string image_src, image_title, image_alt;
  bool image_has_title = false;

  std::vector<Tag>& open;     // tags opened and not closed yet

  void Open(Tag tag, const std::string& attrs = {}) {
    out->list.push_back({Token::kOpen, tag, static_cast<uint32_t>(out->strings.size()),
                         static_cast<uint32_t>(attrs.size())});
    out->strings.append(attrs);
    open.push_back(tag);
  }
  // md4c 0.4.8 can leave a span it never entered ("[a](x~~y) and b~~" leaves
  // a <del> whose opener sat in the link destination), or leave spans out of
  // order around a permissive autolink (found by the fuzzer): a span close
  // that is not the innermost open element is dropped, and a block close
  // closes what is still open inside it, so tokens always nest.
  void Close(Tag tag) {
    if (open.empty()) return;
    bool span = tag == Tag::kEm || tag == Tag::kStrong || tag == Tag::kDel || tag == Tag::kA || tag == Tag::kCode;
    if (open.back() != tag && (span || std::find(open.begin(), open.end(), tag) == open.end())) return;
    while (open.back() != tag) {
      out->list.push_back({Token::kClose, open.back(), 0, 0});
      open.pop_back();
    }
    open.pop_back();
    out->list.push_back({Token::kClose, tag, 0, 0});
  }
  void Text(std::string_view s) {
    if (s.empty()) return;
    if (image_depth) {
      image_alt.append(s);
      return;
    }
    auto& list = out->list;
    if (!list.empty() && list.back().kind == Token::kText &&
        list.back().begin + list.back().size == out->strings.size()) {
      list.back().size += static_cast<uint32_t>(s.size());
      out->strings.append(s);
    } else {
      out->PushText(s);
    }
  }
};

int EnterBlock(MD_BLOCKTYPE type, void* detail, void* user) {
  auto* b = static_cast<Builder*>(user);
  std::string attrs;
  switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE: b->Open(Tag::kBlockquote); break;
    case MD_BLOCK_UL: b->Open(Tag::kUl); break;
    case MD_BLOCK_OL: {
      auto* d = static_cast<MD_BLOCK_OL_DETAIL*>(detail);
      if (d->start != 1) PushAttr(attrs, AttrName::kStart, std::to_string(d->start));
      b->Open(Tag::kOl, attrs);
      break;
    }
    case MD_BLOCK_LI: {
      auto* d = static_cast<MD_BLOCK_LI_DETAIL*>(detail);
      if (d->is_task) {
        PushAttr(attrs, AttrName::kClass, "task-list-item");
        b->Open(Tag::kLi, attrs);
        std::string input;
        PushAttr(input, AttrName::kType, "checkbox");
        PushAttr(input, AttrName::kClass, "task-list-item-checkbox");
        PushAttr(input, AttrName::kDisabled, "");
        if (d->task_mark == 'x' || d->task_mark == 'X') PushAttr(input, AttrName::kChecked, "");
        b->Open(Tag::kInput, input);
        b->Close(Tag::kInput);
      } else {
        b->Open(Tag::kLi);
      }
      break;
    }
    case MD_BLOCK_HR: b->Open(Tag::kHr); b->Close(Tag::kHr); break;
    case MD_BLOCK_H: {
      unsigned level = static_cast<MD_BLOCK_H_DETAIL*>(detail)->level;
      b->Open(static_cast<Tag>(static_cast<unsigned>(Tag::kH1) + level - 1));
      break;
    }
    case MD_BLOCK_CODE: {
      auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
      b->Open(Tag::kPre);
      if (d->lang.text) PushAttr(attrs, AttrName::kClass, "language-" + DecodeAttribute(d->lang));
      b->Open(Tag::kCode, attrs);
      break;
    }
    case MD_BLOCK_HTML: break;  // not produced: NOHTML
    case MD_BLOCK_P: b->Open(Tag::kP); break;
    case MD_BLOCK_TABLE: b->Open(Tag::kTable); break;
    case MD_BLOCK_THEAD: b->Open(Tag::kThead); break;
    case MD_BLOCK_TBODY: b->Open(Tag::kTbody); break;
    case MD_BLOCK_TR: b->Open(Tag::kTr); break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD: {
      static const char* kAlign[] = {nullptr, "left", "center", "right"};
      MD_ALIGN align = static_cast<MD_BLOCK_TD_DETAIL*>(detail)->align;
      if (align != MD_ALIGN_DEFAULT) PushAttr(attrs, AttrName::kAlign, kAlign[align]);
      b->Open(type == MD_BLOCK_TH ? Tag::kTh : Tag::kTd, attrs);
      break;
    }
  }
  return 0;
}

int LeaveBlock(MD_BLOCKTYPE type, void* detail, void* user) {
  auto* b = static_cast<Builder*>(user);
  switch (type) {
    case MD_BLOCK_DOC: case MD_BLOCK_HTML: case MD_BLOCK_HR: break;
    case MD_BLOCK_QUOTE: b->Close(Tag::kBlockquote); break;
    case MD_BLOCK_UL: b->Close(Tag::kUl); break;
    case MD_BLOCK_OL: b->Close(Tag::kOl); break;
    case MD_BLOCK_LI: b->Close(Tag::kLi); break;
    case MD_BLOCK_H: {
      unsigned level = static_cast<MD_BLOCK_H_DETAIL*>(detail)->level;
      b->Close(static_cast<Tag>(static_cast<unsigned>(Tag::kH1) + level - 1));
      break;
    }
    case MD_BLOCK_CODE: b->Close(Tag::kCode); b->Close(Tag::kPre); break;
    case MD_BLOCK_P: b->Close(Tag::kP); break;
    case MD_BLOCK_TABLE: b->Close(Tag::kTable); break;
    case MD_BLOCK_THEAD: b->Close(Tag::kThead); break;
    case MD_BLOCK_TBODY: b->Close(Tag::kTbody); break;
    case MD_BLOCK_TR: b->Close(Tag::kTr); break;
    case MD_BLOCK_TH: b->Close(Tag::kTh); break;
    case MD_BLOCK_TD: b->Close(Tag::kTd); break;
  }
  return 0;
}

Tag SpanTag(MD_SPANTYPE type) {
  switch (type) {
    case MD_SPAN_EM: return Tag::kEm;
    case MD_SPAN_STRONG: return Tag::kStrong;
    case MD_SPAN_CODE: return Tag::kCode;
    case MD_SPAN_DEL: return Tag::kDel;
    case MD_SPAN_A: return Tag::kA;
    default: return Tag::kNone;  // extensions we do not enable
  }
}

int EnterSpan(MD_SPANTYPE type, void* detail, void* user) {
  auto* b = static_cast<Builder*>(user);
  if (b->image_depth) {
    if (type == MD_SPAN_IMG) ++b->image_depth;
    return 0;
  }
  if (type == MD_SPAN_IMG) {
    auto* d = static_cast<MD_SPAN_IMG_DETAIL*>(detail);
    std::string src = DecodeAttribute(d->src);
    b->image_src = IsAllowedUrl(src, true) ? EscapeUrl(src) : std::string();
    b->image_has_title = d->title.text != nullptr;
    b->image_title = b->image_has_title ? DecodeAttribute(d->title) : std::string();
    b->image_alt.clear();
    b->image_token = b->out->list.size();
    b->Open(Tag::kImg);  // attributes are written when the alt text is complete
    b->Close(Tag::kImg);
    b->image_depth = 1;
    return 0;
  }
  std::string attrs;
  if (type == MD_SPAN_A) {
    auto* d = static_cast<MD_SPAN_A_DETAIL*>(detail);
    std::string href = DecodeAttribute(d->href);
    if (IsAllowedUrl(href, false)) PushAttr(attrs, AttrName::kHref, EscapeUrl(href));
    if (d->title.text) PushAttr(attrs, AttrName::kTitle, DecodeAttribute(d->title));
  }
  Tag tag = SpanTag(type);
  if (tag != Tag::kNone) b->Open(tag, attrs);
  return 0;
}

int LeaveSpan(MD_SPANTYPE type, void*, void* user) {
  auto* b = static_cast<Builder*>(user);
  if (b->image_depth) {
    if (type == MD_SPAN_IMG && --b->image_depth == 0) {
      std::string attrs;
      if (!b->image_src.empty()) PushAttr(attrs, AttrName::kSrc, b->image_src);
      PushAttr(attrs, AttrName::kAlt, b->image_alt);
      if (b->image_has_title) PushAttr(attrs, AttrName::kTitle, b->image_title);
      Token& t = b->out->list[b->image_token];
      t.begin = static_cast<uint32_t>(b->out->strings.size());
      t.size = static_cast<uint32_t>(attrs.size());
      b->out->strings.append(attrs);
    }
    return 0;
  }
  Tag tag = SpanTag(type);
  if (tag != Tag::kNone) b->Close(tag);
  return 0;
}

int OnText(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto* b = static_cast<Builder*>(user);
  std::string_view s(text, size);
  switch (type) {
    case MD_TEXT_NULLCHAR: b->Text("\xEF\xBF\xBD"); break;
    case MD_TEXT_BR:
      if (b->image_depth) {
        b->Text(" ");
      } else {
        b->Open(Tag::kBr);
        b->Close(Tag::kBr);
      }
      break;
    case MD_TEXT_SOFTBR: b->Text(b->image_depth ? " " : "\n"); break;
    case MD_TEXT_ENTITY: {
      std::string decoded;
      AppendEntity(decoded, s);
      b->Text(decoded);
      break;
    }
    default: b->Text(s); break;  // NORMAL, CODE, and HTML (shown as text)
  }
  return 0;
}

void AppendEscaped(std::string* out, std::string_view s) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char* rep = nullptr;
    switch (s[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      default: continue;
    }
    out->append(s.data() + run, i - run);
    out->append(rep);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

}  // namespace

void PushAttr(std::string& enc, AttrName name, std::string_view value) {
  enc.push_back(static_cast<char>(name));
  uint32_t n = static_cast<uint32_t>(value.size());
  for (int k = 0; k < 4; ++k) enc.push_back(static_cast<char>((n >> (8 * k)) & 0xFF));
  enc.append(value);
}

bool Tokens::Equal(size_t i, const Tokens& other, size_t j) const {
  const Token& a = list[i];
  const Token& b = other.list[j];
  return a.kind == b.kind && a.tag == b.tag && a.size == b.size && str(a) == other.str(b);
}

void Tokens::AppendRange(const Tokens& other, size_t from, size_t to) {
  // The strings of one render's tokens lie in order, back to back: they are
  // copied in runs (one run for a whole render), not token by token.
  size_t run_begin = 0, run_end = 0;  // the run of other.strings not copied yet
  for (size_t i = from; i < to; ++i) {
    Token t = other.list[i];
    if (t.size && t.begin != run_end) {
      strings.append(other.strings.data() + run_begin, run_end - run_begin);
      run_begin = run_end = t.begin;
    }
    uint32_t at = static_cast<uint32_t>(strings.size() + (run_end - run_begin));
    run_end += t.size;
    t.begin = at;
    list.push_back(t);
  }
  strings.append(other.strings.data() + run_begin, run_end - run_begin);
}

size_t Tokens::TopLevelCount() const {
  size_t depth = 0, count = 0;
  for (const Token& t : list) {
    if (t.kind == Token::kOpen) {
      if (depth++ == 0) ++count;
    } else if (t.kind == Token::kClose) {
      --depth;
    } else if (depth == 0) {
      ++count;
    }
  }
  return count;
}

void RenderTokens(std::string_view text, unsigned md_flags, Tokens* out, RenderScratch* scratch) {
  out->clear();
  RenderScratch local;
  std::vector<Tag>& open = (scratch ? scratch : &local)->open;
  open.clear();
  Builder builder{out, open};
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = md_flags | MD_FLAG_NOHTML;
  parser.enter_block = EnterBlock;
  parser.leave_block = LeaveBlock;
  parser.enter_span = EnterSpan;
  parser.leave_span = LeaveSpan;
  parser.text = OnText;
  md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &builder);
}

void SerializeHtml(const Tokens& tokens, std::string* out) {
  for (const Token& t : tokens.list) {
    switch (t.kind) {
      case Token::kText: AppendEscaped(out, tokens.str(t)); break;
      case Token::kOpen:
        out->push_back('<');
        out->append(TagName(t.tag));
        ForEachAttr(tokens.str(t), [&](AttrName name, std::string_view value) {
          out->push_back(' ');
          out->append(AttrNameString(name));
          if (value.empty() && (name == AttrName::kDisabled || name == AttrName::kChecked)) return;
          out->append("=\"");
          AppendEscaped(out, value);
          out->push_back('"');
        });
        out->push_back('>');
        break;
      case Token::kClose:
        if (IsVoid(t.tag)) break;
        out->append("</");
        out->append(TagName(t.tag));
        out->push_back('>');
        break;
    }
  }
}

RILLMARK_COLD bool IsAllowedUrl(std::string_view raw, bool image) {
  std::string url;
  url.reserve(raw.size());
  bool leading = true;
  for (char c : raw) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') continue;  // WHATWG URL: removed anywhere
    if (leading && u <= 0x20) continue;                 // leading C0 control or space
    leading = false;
    url.push_back(c);
  }
  // A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" before any / ? #.
  size_t colon = std::string::npos;
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (c == ':') {
      colon = i;
      break;
    }
    bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) break;  // '/', '?', '#', or anything else first: relative
  }
  if (colon == std::string::npos) return true;  // relative or fragment
  std::string scheme = url.substr(0, colon);
  for (char& c : scheme) c = static_cast<char>(c | 0x20);
  if (scheme == "http" || scheme == "https") return true;
  if (!image) return scheme == "mailto";
  if (scheme != "data") return false;
  std::string rest = url.substr(colon + 1, 16);
  for (char& c : rest) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  for (std::string_view type : {"image/png", "image/jpeg", "image/gif", "image/webp"}) {
    if (rest.compare(0, type.size(), type) == 0 &&
        (rest.size() == type.size() || rest[type.size()] == ';' || rest[type.size()] == ','))
      return true;
  }
  return false;
}

}  // namespace detail

std::string RenderMarkdownHtml(std::string_view markdown, const MarkdownOptions& options) {
  std::string clean;
  if (!detail::IsValidUtf8(markdown)) {
    detail::AppendSanitizedUtf8(clean, markdown);
    markdown = clean;
  }
  detail::Tokens tokens;
  detail::RenderTokens(markdown, options.md_flags, &tokens);
  std::string html;
  detail::SerializeHtml(tokens, &html);
  return html;
}

}  // namespace rillmark

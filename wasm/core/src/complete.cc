#include "complete.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "cold.h"
#include "render.h"

namespace rillmark::detail {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr std::string_view kSpaceChars = " \t\n\r\f\v";  // the characters IsSpace takes
bool IsPunct(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 0x80 && u > 0x20 && !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
}
bool IsAlnum(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

size_t SkipIndent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  return i;
}

// A line that opens or closes a fence: up to 3 spaces, then 3+ ` or ~.
bool FenceRun(std::string_view line, char* ch, size_t* len, std::string_view* rest) {
  size_t i = SkipIndent(line);
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return false;
  char c = line[i];
  size_t j = i;
  while (j < line.size() && line[j] == c) ++j;
  if (j - i < 3) return false;
  *ch = c;
  *len = j - i;
  *rest = line.substr(j);
  return true;
}

bool OnlyChars(std::string_view s, std::string_view allowed) {
  return s.find_first_not_of(allowed) == std::string_view::npos;
}

// The column after character `c` at column `col` (a tab reaches the next
// multiple of 4).
size_t ColumnAfter(char c, size_t col) { return c == '\t' ? (col / 4 + 1) * 4 : col + 1; }

// Skips spaces and tabs from `*pos`, advancing the column `*col`.
RILLMARK_COLD void SkipWhitespace(std::string_view line, size_t* pos, size_t* col) {
  for (; *pos < line.size() && (line[*pos] == ' ' || line[*pos] == '\t'); ++*pos) *col = ColumnAfter(line[*pos], *col);
}

// The list item marker at line[at] ("-", "+", "*", or 1–9 digits and '.' or
// ')') when a space, a tab or the line end follows: its width, else 0.
// *start: an ordered marker's number (1 for bullets).
RILLMARK_COLD size_t ListMarker(std::string_view line, size_t at, unsigned long* start) {
  size_t end = at;
  *start = 1;
  if (line[at] == '-' || line[at] == '+' || line[at] == '*') {
    end = at + 1;
  } else {
    unsigned long n = 0;
    while (end < line.size() && end - at < 9 && line[end] >= '0' && line[end] <= '9') n = n * 10 + (line[end++] - '0');
    if (end == at || end >= line.size() || (line[end] != '.' && line[end] != ')')) return 0;
    ++end;
    *start = n;
  }
  if (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') return 0;
  return end - at;
}

// What block syntax is made of: a line of them alone (and spaces) may be a
// block start in the making.
constexpr std::string_view kMarkerChars = "-*+#>=_|:~`.) 0123456789\t";

// The bytes the inline scan of CompleteTail acts on.
constexpr auto kInlineSyntax = [] {
  std::array<bool, 256> table{};
  for (char c : std::string_view("\n|\\`*_~![]&<")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// True when t[from, to) is marker characters ending in no space: shown with
// what follows it on its line held back, it reads as block syntax on its
// own ("1.", "##", "> -") that the whole line is not.
bool MarkerAlone(std::string_view t, size_t from, size_t to) {
  return to > from && !IsSpace(t[to - 1]) && OnlyChars(t.substr(from, to - from), kMarkerChars);
}

// Hiding the unclosed '[' run around `b` joins the text before it on its
// line to a space (or the end) after it. Where that text is a marker alone
// the result reads as a block the source is not: "1.[ b" showed the list
// item "1. b", "##[[" a heading (found by the fuzzer). Such a run stays.
// ("## [a" hides its bracket: the heading is one already.)
bool HidingMakesMarkup(std::string_view t, size_t b) {
  size_t p = b, n = b;
  while (p > 0 && t[p - 1] == '[') --p;
  while (n < t.size() && t[n] == '[') ++n;
  if (p == 0 || (n < t.size() && !IsSpace(t[n]))) return false;
  size_t nl = t.rfind('\n', p - 1);
  return MarkerAlone(t, nl == std::string_view::npos ? 0 : nl + 1, p);
}

// A partial last line that is nothing yet but block syntax in the making:
// "-", "1.", "##", ">", "|", "---", "- [x", a fence opener and its info string.
bool IsPendingMarkerLine(std::string_view line) {
  std::string_view s = line.substr(SkipIndent(line));
  if (s.empty()) return false;
  if (OnlyChars(s, kMarkerChars)) return true;
  char ch;
  size_t len;
  std::string_view rest;
  // A fence opener, also in a quote or after a list marker ("> ```js").
  std::string_view f = s;
  for (unsigned long start; !f.empty();) {
    size_t marker = f[0] == '>' ? 1 : ListMarker(f, 0, &start);
    if (!marker) break;
    f.remove_prefix(marker);
    f.remove_prefix(std::min(f.find_first_not_of(" \t"), f.size()));
  }
  if (FenceRun(f, &ch, &len, &rest)) return ch == '~' || rest.find('`') == std::string_view::npos;
  // A list item whose task box is being typed: "- [", "- [ ", "1. [x".
  size_t i = 0;
  while (i < s.size() && (s[i] == '-' || s[i] == '*' || s[i] == '+' || (s[i] >= '0' && s[i] <= '9') ||
                          s[i] == '.' || s[i] == ')' || s[i] == ' ' || s[i] == '>'))
    ++i;
  if (i == 0 || i == s.size() || s[i] != '[') return false;
  return OnlyChars(s.substr(i), "[ xX]") && s.size() - i <= 3;
}

// A line that starts a new block inside a paragraph region: a list item, a
// quote, a heading, a table row, a fence, or a blank line.
bool LineStartsBlock(std::string_view t, size_t pos, size_t end) {
  size_t nl = t.find('\n', pos);
  std::string_view line = t.substr(pos, std::min(nl == std::string_view::npos ? end : nl, end) - pos);
  if (IsBlankLine(line)) return true;
  size_t j = SkipIndent(line);
  if (j >= line.size()) return false;
  char c = line[j];
  if (c == '#' || c == '>' || c == '|' || c == '`' || c == '~') return true;
  if ((c == '-' || c == '*' || c == '+') && (j + 1 == line.size() || line[j + 1] == ' ' || line[j + 1] == '\t'))
    return true;
  size_t d = j;
  while (d < line.size() && d - j < 9 && line[d] >= '0' && line[d] <= '9') ++d;
  return d > j && d < line.size() && (line[d] == '.' || line[d] == ')');
}

// End of the block the position `i` is in: the next line that starts a block.
// A table row (a line starting with '|') is a block of its own: cells and
// rows never share inline spans.
size_t BlockEnd(std::string_view t, size_t i, size_t end) {
  size_t line_begin = i == 0 ? 0 : t.rfind('\n', i - 1);
  line_begin = line_begin == std::string_view::npos || i == 0 ? 0 : line_begin + 1;
  std::string_view first = t.substr(line_begin, end - line_begin);
  size_t j = SkipIndent(first);
  if (j < first.size() && first[j] == '|') {
    size_t nl = t.find('\n', i);
    return nl == std::string_view::npos || nl + 1 >= end ? end : nl + 1;
  }
  size_t pos = i;
  while (true) {
    size_t nl = t.find('\n', pos);
    if (nl == std::string_view::npos || nl + 1 >= end) return end;
    if (LineStartsBlock(t, nl + 1, end)) return nl + 1;
    pos = nl + 1;
  }
}

// Columns of leading whitespace (counted from column 0 of `line`).
RILLMARK_COLD size_t Indentation(std::string_view line) {
  size_t pos = 0, col = 0;
  SkipWhitespace(line, &pos, &col);
  return col;
}

RILLMARK_COLD std::string_view TrimLeft(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  return i == std::string_view::npos ? std::string_view() : line.substr(i);
}

// A thematic break: 3+ of one of '-', '_', '*', with only spaces and tabs
// between and after them (the caller checks the indentation).
RILLMARK_COLD bool IsThematicBreak(std::string_view line) {
  std::string_view s = TrimLeft(line);
  if (s.empty() || (s[0] != '-' && s[0] != '_' && s[0] != '*')) return false;
  size_t marks = 0;
  for (char c : s) {
    if (c == s[0]) {
      ++marks;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return marks >= 3;
}

// A setext heading underline: only '=' or only '-', then spaces or tabs.
RILLMARK_COLD bool IsSetextUnderline(std::string_view line) {
  std::string_view s = TrimLeft(line);
  if (s.empty() || (s[0] != '=' && s[0] != '-')) return false;
  size_t run = s.find_first_not_of(s[0]);
  return run == std::string_view::npos || OnlyChars(s.substr(run), " \t\r");
}

// A line that starts a list item or a quote (the caller checks the
// indentation): '>', or '-', '+', '*' or 1–9 digits and '.' or ')' followed
// by a space, a tab or the line end.
RILLMARK_COLD bool StartsContainer(std::string_view line) {
  std::string_view s = TrimLeft(line);
  unsigned long start;
  return !s.empty() && (s[0] == '>' || ListMarker(s, 0, &start));
}

// md4c 0.4.8's table delimiter row (md_is_table_underline): cells of 3+ of
// ':'? '-'* ':'? separated by '|', at least one '|' on the line.
RILLMARK_COLD bool IsTableDelimiterRow(std::string_view line) {
  std::string_view s = TrimLeft(line);
  size_t i = 0;
  bool pipe = false;
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\v' || s[i] == '\f')) ++i;
  };
  if (i < s.size() && s[i] == '|') {
    pipe = true;
    ++i;
    skip_ws();
  }
  while (true) {
    size_t cell = i;
    if (i < s.size() && s[i] == ':') ++i;
    while (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() && s[i] == ':') ++i;
    if (i - cell < 3) return false;
    skip_ws();
    bool delimited = i < s.size() && s[i] == '|';
    if (delimited) {
      pipe = true;
      ++i;
      skip_ws();
    }
    if (i >= s.size() || s[i] == '\r') break;
    if (!delimited) return false;
  }
  return pipe;
}

}  // namespace

bool IsBlankLine(std::string_view line) { return OnlyChars(line, " \t\r"); }

bool IsAtxHeading(std::string_view line) {
  std::string_view s = line.substr(SkipIndent(line));
  size_t n = 0;
  while (n < s.size() && s[n] == '#') ++n;
  return n >= 1 && n <= 6 && (n == s.size() || s[n] == ' ' || s[n] == '\t');
}

// True when the line starting at `begin` starts a new block: it is the first
// line, or follows a blank line or an ATX heading. (The tail the renderer
// completes always starts at such a line, so the tail and the whole source
// agree on this.)
bool StartsBlock(std::string_view t, size_t begin) {
  if (begin == 0) return true;
  size_t prev = begin >= 2 ? t.rfind('\n', begin - 2) : std::string_view::npos;
  prev = prev == std::string_view::npos ? 0 : prev + 1;
  std::string_view line = t.substr(prev, begin - 1 - prev);
  return IsBlankLine(line) || IsAtxHeading(line);
}

bool OpensFence(std::string_view line, char* ch, size_t* len, size_t* indent) {
  std::string_view rest;
  char c;
  size_t n;
  // Outputs only on success: callers keep "no fence open" (len 0) otherwise
  // (a backtick run with a backtick in its info string once opened one here).
  if (!FenceRun(line, &c, &n, &rest) || (c == '`' && rest.find('`') != std::string_view::npos)) return false;
  *ch = c;
  *len = n;
  if (indent) *indent = SkipIndent(line);
  return true;
}

bool ClosesFence(std::string_view line, char ch, size_t len) {
  char c;
  size_t n;
  std::string_view rest;
  // Only spaces after the run: md4c 0.4.8 keeps "```\t" as a code line.
  return FenceRun(line, &c, &n, &rest) && c == ch && n >= len && OnlyChars(rest, " \r");
}

namespace {

// A line (from a container's content start) that a paragraph takes lazily
// when its containers do not go on: none that starts another block.
RILLMARK_COLD bool ContinuesParagraphLazily(std::string_view rest) {
  if (IsBlankLine(rest)) return false;
  char ch;
  size_t len;
  // (md4c 0.4.8 takes a fence opener at any indentation here.)
  if (Indentation(rest) >= 4) return !OpensFence(TrimLeft(rest), &ch, &len);
  return !IsThematicBreak(rest) && !StartsContainer(rest) && !IsAtxHeading(rest) && !OpensFence(rest, &ch, &len);
}

}  // namespace

RILLMARK_COLD size_t FenceScan::Match(std::string_view line, bool blank, size_t* pos_out, size_t* col_out) const {
  size_t pos = 0, col = 0;
  size_t k = 0;
  for (; k < depth_; ++k) {
    size_t p = pos, c = col;
    SkipWhitespace(line, &p, &c);
    if (open_[k].quote) {
      if (c - col > 3 || p >= line.size() || line[p] != '>') break;
      pos = p + 1;
      col = c + 1;
      if (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) col = ColumnAfter(line[pos++], col);
      continue;
    }
    if (blank) continue;  // a blank line goes on in a list item
    if (c - col < open_[k].indent) break;
    // Take the item's indentation: its columns, the whole of a tab across them.
    size_t target = col + open_[k].indent;
    while (col < target) col = ColumnAfter(line[pos++], col);
  }
  *pos_out = pos;
  if (col_out) *col_out = col;
  return k;
}

RILLMARK_COLD bool FenceScan::Open(std::string_view line, size_t* pos, size_t col) {
  bool pushed = false;
  while (depth_ < kMaxDepth) {
    size_t at = *pos, at_col = col;
    SkipWhitespace(line, &at, &at_col);
    if (at_col - col >= 4 || at >= line.size() || IsThematicBreak(line.substr(at))) break;
    if (line[at] == '>') {
      open_[depth_++] = {true, 0};
      *pos = at + 1;
      col = at_col + 1;
      // md4c 0.4.8 takes up to 4 columns after the '>' that opens a quote
      // into its marker (a list item there counts its indentation from
      // after them), one on the lines that go on in it (see Match).
      size_t p = *pos, c = col;
      SkipWhitespace(line, &p, &c);
      if (c - col <= 4) {
        *pos = p;
        col = c;
      } else {
        col = ColumnAfter(line[(*pos)++], col);
      }
      pushed = true;
      continue;
    }
    unsigned long start;
    size_t width = ListMarker(line, at, &start);
    if (!width) break;
    size_t after = at + width, after_col = at_col + width;
    SkipWhitespace(line, &after, &after_col);
    size_t gap = after_col - (at_col + width);
    bool empty = after >= line.size() || line[after] == '\r';
    // An empty item, or an ordered one not starting at 1, cannot interrupt a paragraph.
    if (para_ && !pushed && (empty || start != 1)) break;
    size_t spaces = empty || gap >= 5 ? 1 : gap;  // 5+: the item starts with indented code
    open_[depth_++] = {false, static_cast<uint32_t>(at_col - col + width + spaces)};
    if (empty) {
      *pos = line.size();
    } else if (gap >= 5) {
      *pos = at + width + 1;
      col = at_col + width + 1;  // (a tab there: taken whole)
    } else {
      *pos = after;
      col = after_col;
    }
    pushed = true;
  }
  if (pushed) {
    para_ = 0;
    if (table_ && table_depth_ < depth_) table_ = false;
  }
  return pushed;
}

RILLMARK_COLD void FenceScan::Close(size_t depth) {
  depth_ = depth;
  para_ = 0;
  if (table_ && table_depth_ > depth) table_ = false;
}

RILLMARK_COLD void FenceScan::Reset() {
  depth_ = len_ = table_depth_ = 0;
  ch_ = 0;
  table_ = ended_ = false;
  para_ = 0;
  code_may_follow_ = true;
}

RILLMARK_COLD size_t FenceScan::ContentStart(std::string_view line) const {
  size_t pos;
  return Match(line, IsBlankLine(line), &pos) == depth_ ? pos : std::string_view::npos;
}

RILLMARK_COLD FenceScan::Kind FenceScan::Line(std::string_view line) {
  bool code_may_follow = std::exchange(code_may_follow_, false);
  Kind kind = Read(line, code_may_follow);  // (sets code_may_follow_ after a heading or a break)
  if (kind == kBlank || kind == kClose || kind == kIndented) code_may_follow_ = true;
  return kind;
}

RILLMARK_COLD FenceScan::Kind FenceScan::Read(std::string_view line, bool code_may_follow) {
  ended_ = false;
  size_t pos, col;
  size_t matched = Match(line, IsBlankLine(line), &pos, &col);
  if (len_) {
    char fence_ch = ch_;
    size_t fence_len = len_;
    if (matched == depth_) {
      if (!ClosesFence(line.substr(pos), ch_, len_)) return kCode;
      len_ = 0;
      ended_ = true;
      para_ = 0;
      return kClose;
    }
    len_ = 0;  // its container ended: so does the fence (code is never lazy)
    ended_ = true;
    Close(matched);
    // md4c 0.4.8 looks for the closing fence first, where its containers
    // stopped: one there closes the fence (and ends them); a shorter run or
    // one with text after is eaten, and what follows it decides the line:
    // "```js" is a paragraph, "``" a blank line.
    std::string_view rest = line.substr(pos);
    size_t i = rest.find_first_not_of(" \t");
    if (i != std::string_view::npos && Indentation(rest) < 4 && rest[i] == fence_ch) {
      size_t after = rest.find_first_not_of(fence_ch, i);
      if (after == std::string_view::npos) after = rest.size();
      if (after - i >= fence_len && OnlyChars(rest.substr(after), " \r")) return kClose;
      if (IsBlankLine(rest.substr(after))) return kBlank;
      para_ = 1;
      return kText;
    }
  }
  if (matched < depth_) {
    if (para_ && ContinuesParagraphLazily(line.substr(pos))) {
      para_ = 2;
      return kText;
    }
    Close(matched);
  }
  bool pushed = Open(line, &pos, col);
  std::string_view rest = line.substr(pos);
  if (IsBlankLine(rest)) {
    para_ = 0;
    if (table_ && table_depth_ == depth_) table_ = false;
    return kBlank;
  }
  size_t indent = Indentation(rest);
  bool hr = indent < 4 && IsThematicBreak(rest);
  if (table_ && table_depth_ == depth_ && !pushed) {
    if (!hr) return kRow;  // md4c 0.4.8: even "~~~" or "# x"
    table_ = false;
  }
  // Indented code only after a blank line, code, a heading or a break (or
  // at a container's start); elsewhere md4c 0.4.8 takes a fence opener at
  // any indentation.
  bool indented_code = indent >= 4 && (code_may_follow || pushed);
  if (!indented_code && OpensFence(indent >= 4 ? TrimLeft(rest) : rest, &ch_, &len_)) {
    para_ = 0;
    return kOpen;
  }
  if (hr || IsAtxHeading(rest) || (para_ && indent < 4 && IsSetextUnderline(rest))) {
    para_ = 0;
    code_may_follow_ = true;  // md4c: a one-line block, like a blank line, ends the paragraph context
    return kText;
  }
  if (tables_ && para_ == 1 && IsTableDelimiterRow(rest)) {
    table_ = true;
    table_depth_ = depth_;
    para_ = 0;
    return kText;
  }
  if (indented_code) return kIndented;
  para_ = para_ ? 2 : 1;
  return kText;
}

RILLMARK_COLD bool InOpenFence(std::string_view t, std::string* fence) {
  FenceScan scan;
  size_t pos = 0;
  while (true) {
    size_t nl = t.find('\n', pos);
    if (nl == std::string_view::npos) break;
    scan.Line(t.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (scan.open() && fence) fence->assign(scan.fence_len(), scan.fence_char());
  return scan.open();
}

RILLMARK_COLD bool CompleteTail(std::string_view t, std::string* out, CompleteScratch* scratch) {
  size_t last_nl = t.rfind('\n');
  size_t body_end = last_nl == std::string_view::npos ? 0 : last_nl + 1;
  std::string_view last = t.substr(body_end);

  // One pass over the complete lines: is a fence open after them, and where
  // does the last paragraph start (after the last blank line, heading line
  // or closed fence: spans end with their block; its backtick runs are no
  // code spans: taken for one, a fence had completion add a closer, and md4c
  // open a new fence). `region_before_last` leaves out the last complete line.
  FenceScan scan;
  size_t region = 0, region_before_last = 0;
  for (size_t pos = 0; pos < body_end;) {
    size_t nl = t.find('\n', pos);
    std::string_view line = t.substr(pos, nl - pos);
    region_before_last = region;
    FenceScan::Kind kind = scan.Line(line);
    if (kind == FenceScan::kClose || kind == FenceScan::kBlank ||
        ((kind == FenceScan::kText || kind == FenceScan::kRow) && IsAtxHeading(line))) {
      region = nl + 1;
    } else if (scan.ended_fence()) {
      region = pos;  // the fence ended with its container: this line is new
    }
    pos = nl + 1;
  }
  // A partial last line that already shows it does not go on in the
  // containers of an open fence ends the fence (code is never lazy): it is
  // completed as the start of a new block (found by the fuzzer: "3. ```"
  // then "` wo" showed the backtick as text until the line ended).
  bool fence_ends_here = false;
  if (scan.open()) {
    // A partial closing fence would flash as code text: hold it back.
    size_t content = scan.ContentStart(last);
    std::string_view partial = content == std::string_view::npos ? last : last.substr(content);
    std::string_view s = partial.substr(SkipIndent(partial));
    size_t run = s.find_first_not_of(scan.fence_char());
    if (run == std::string_view::npos) run = s.size();
    if (run > 0 && OnlyChars(s.substr(run), " \t")) {
      out->append(t.substr(0, body_end));
      return false;
    }
    fence_ends_here = content == std::string_view::npos && !IsBlankLine(last);
    if (!fence_ends_here) {
      out->append(t);
      return true;
    }
    region = body_end;
  }

  bool suffix_only = true;
  size_t end = t.size();
  if (!last.empty() && IsPendingMarkerLine(last)) {
    end = body_end;
    suffix_only = false;
  }

  // A paragraph-start line that may be a link reference definition ("[label]:
  // url") is held back until it shows what it is: a definition renders nothing.
  if (end > body_end) {
    std::string_view line = t.substr(body_end, end - body_end);
    size_t s = SkipIndent(line);
    if (StartsBlock(t, body_end) && s < line.size() && line[s] == '[') {
      size_t close = line.find(']', s);
      if (close == std::string_view::npos || (close + 1 < line.size() && line[close + 1] == ':') ||
          close + 1 == line.size()) {
        end = body_end;
        suffix_only = false;
      }
    }
  }

  // A potential table header waits until the next line shows whether it is
  // followed by a delimiter row (else its pipes would flash, then vanish).
  {
    std::string_view tail_line = t.substr(body_end, end - body_end);
    if (body_end > 0 && !fence_ends_here && (tail_line.empty() || OnlyChars(tail_line, "|-: \t"))) {
      size_t h_begin = body_end >= 2 ? t.rfind('\n', body_end - 2) : std::string_view::npos;
      h_begin = h_begin == std::string_view::npos ? 0 : h_begin + 1;
      std::string_view h = t.substr(h_begin, body_end - 1 - h_begin);
      if (StartsBlock(t, h_begin) && h.find('|') != std::string_view::npos) {
        end = h_begin;
        suffix_only = false;
      }
    }
    if (end > body_end && last.find('|') != std::string_view::npos && StartsBlock(t, body_end)) {
      end = body_end;
      suffix_only = false;
    }
  }

  if (end <= last_nl) region = region_before_last;  // the last complete line is held back

  CompleteScratch local;
  CompleteScratch& work = scratch ? *scratch : local;
  auto& cuts = work.cuts;          // [begin, end) of t to hold back
  auto& stack = work.stack;        // opener runs not closed yet
  auto& brackets = work.brackets;  // positions of '[' (or of '!' for images)
  auto& suffix = work.suffix;
  cuts.clear();
  stack.clear();
  brackets.clear();
  suffix.clear();
  std::string_view replace_url;  // text that replaces a partial link URL
  size_t url_at = std::string_view::npos;
  size_t cut_from = end;  // everything from here on is held back
  bool line_start = true;
  size_t block_from = 1, block_to = 0;  // BlockEnd(t, i, end) for i in [block_from, block_to)
  size_t i = region;
  while (i < end) {
    // Most bytes are none of those below: skipped at one table lookup each.
    if (!line_start) {
      while (i < end && !kInlineSyntax[static_cast<unsigned char>(t[i])]) ++i;
      if (i >= end) break;
    }
    char c = t[i];
    if (line_start) {
      line_start = false;
      // A new block-level line resets inline state (headings, items, quotes, rows).
      size_t j = i;
      while (j < end && (t[j] == ' ' || t[j] == '>')) ++j;
      bool block = j < end && (t[j] == '#' || t[j] == '|' || ((t[j] == '-' || t[j] == '*' || t[j] == '+') &&
                                                             j + 1 < end && t[j + 1] == ' '));
      if (block) {
        stack.clear();
        brackets.clear();
      }
    }
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == '|') {
      // Cells are separate inline contexts.
      stack.clear();
      brackets.clear();
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= end) {
        cut_from = i;
        break;
      }
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t k = i;
      while (k < end && t[k] == '`') ++k;
      size_t run = k - i;
      // Look for a closing run of exactly the same length in the same block.
      // (Every position from a query's up to its answer has the same answer:
      // one scan per block, not one per backtick run.)
      if (i < block_from || i >= block_to) {
        block_from = i;
        block_to = BlockEnd(t, i, end);
      }
      size_t block_end = block_to;
      size_t s = k;
      bool closed = false;
      while (s < block_end) {
        size_t b = t.find('`', s);
        if (b == std::string_view::npos || b >= block_end) break;
        size_t e = b;
        while (e < block_end && t[e] == '`') ++e;
        if (e - b == run) {
          closed = true;
          s = e;
          break;
        }
        s = e;
      }
      if (closed) {
        i = s;
        continue;
      }
      if (block_end < end) {  // unclosed in an earlier block: a literal run
        i = k;
        continue;
      }
      if (k >= end) {
        cut_from = i;  // a bare run at the end: nothing to show yet
      } else {
        suffix.assign(run, '`');  // the rest is code
      }
      break;
    }
    if (c == '*' || c == '_' || c == '~') {
      size_t k = i;
      while (k < end && t[k] == c) ++k;
      size_t run = k - i;
      if (k >= end) {
        cut_from = i;  // a run at the very end may still become anything
        break;
      }
      char prev = i > 0 ? t[i - 1] : '\n';
      char next = t[k];
      bool left = !IsSpace(next) && (!IsPunct(next) || IsSpace(prev) || IsPunct(prev));
      bool right = !IsSpace(prev) && (!IsPunct(prev) || IsSpace(next) || IsPunct(next));
      bool can_open, can_close;
      if (c == '_') {
        can_open = left && (!right || IsPunct(prev));
        can_close = right && (!left || IsPunct(next));
      } else {
        can_open = left && !right;  // intraword '*' (2*3) is left alone
        can_close = right;
      }
      if (c == '~' && run != 2) can_open = false;  // single '~' is mostly prose (~5 min)
      bool matched = false;
      if (can_close) {
        for (size_t s = stack.size(); s-- > 0;) {
          if (stack[s].c == c) {
            size_t take = std::min(run, stack[s].len);
            stack[s].len -= take;
            if (stack[s].len == 0) stack.resize(s);
            else stack.resize(s + 1);
            matched = true;
            break;
          }
        }
      }
      if (!matched && can_open) stack.push_back({c, run, i});
      i = k;
      continue;
    }
    if (c == '!' && i + 1 >= end) {  // may become an image: "![…"
      cut_from = i;
      break;
    }
    if (c == '!' && i + 1 < end && t[i + 1] == '[') {
      brackets.push_back(i);
      i += 2;
      continue;
    }
    if (c == '[') {
      brackets.push_back(i);
      ++i;
      continue;
    }
    if (c == ']' && !brackets.empty()) {
      size_t b = brackets.back();
      brackets.pop_back();
      bool image = t[b] == '!';
      bool linkish = b == 0 || !IsAlnum(t[b - 1]) || image;
      if (i + 1 >= end) {
        if (linkish) {  // "[text]" may be followed by "(url)": show just the text
          if (image) {
            cut_from = b;
          } else {
            cuts.push_back({b, b + 1});
            cut_from = i;
          }
        }
        break;
      }
      if (t[i + 1] == '[' && linkish && !image) {
        // A reference link "[text][label]": show just the text; whether the
        // label resolves is known only once its definition arrives.
        size_t close = t.find(']', i + 2);
        size_t nl = t.find('\n', i + 2);
        cuts.push_back({b, b + 1});
        if (close != std::string_view::npos && close < end && close < nl) {
          cuts.push_back({i, close + 1});
          i = close + 1;
          continue;
        }
        cut_from = i;
        break;
      }
      if (t[i + 1] == '(') {
        int depth = 0;
        size_t k = i + 2;
        for (; k < end; ++k) {
          if (t[k] == '\\') { ++k; continue; }
          if (t[k] == '(') ++depth;
          if (t[k] == ')' && depth-- == 0) break;
          if (t[k] == '\n') break;
        }
        if (k < end && t[k] == ')') {
          i = k + 1;
          continue;
        }
        // The URL is still arriving: show the text, without a (broken) href.
        if (image) {
          cut_from = b;
        } else {
          url_at = i + 2;
          replace_url = "rillmark:pending)";
          cut_from = i + 2;
        }
        break;
      }
      ++i;
      continue;
    }
    if (c == '&') {
      size_t k = i + 1;
      while (k < end && (IsAlnum(t[k]) || t[k] == '#')) ++k;
      if (k >= end) {
        cut_from = i;
        break;
      }
      i = k;
      continue;
    }
    if (c == '<') {
      size_t k = i + 1;
      while (k < end && !IsSpace(t[k]) && t[k] != '<' && t[k] != '>') ++k;
      if (k >= end) {  // a possible autolink "<https://…" still arriving
        cut_from = i;
        break;
      }
      i = k;
      continue;
    }
    ++i;
  }
  // Unclosed '[' (no ']' yet) before the held-back point: hide the bracket.
  // Text after it is shown as it comes (only a ']' changes that), so these
  // cuts alone keep the result "suffix only".
  size_t open_brackets = 0;
  for (size_t b : brackets) {
    if (b >= cut_from) continue;
    if (t[b] == '!') {
      cut_from = std::min(cut_from, b);
    } else if ((b == 0 || !IsAlnum(t[b - 1])) && !HidingMakesMarkup(t, b)) {
      cuts.push_back({b, b + 1});
      ++open_brackets;
    }
  }
  if (cut_from < end) suffix_only = false;
  bool only_open_brackets = open_brackets == cuts.size();
  end = std::min(end, cut_from);
  // An opener with nothing but spaces after it before the end is held back
  // with them (after "**~", whose '~' is held back, "**" showed as text).
  // Every opener before `end` then has text after it and gets its closer.
  for (size_t s = stack.size(); s-- > 0;) {
    const OpenerRun& d = stack[s];
    if (d.pos >= end) continue;
    if (!OnlyChars(t.substr(d.pos + d.len, end - d.pos - d.len), kSpaceChars)) break;
    end = d.pos;
    suffix_only = false;
  }
  // What is held back of the last line may leave a marker alone on it:
  // "1.![ b" showed "1.", "a\n-&amp" a heading (a setext underline). The
  // line is held back whole then.
  if (end < t.size() && MarkerAlone(t, body_end, end)) {
    end = body_end;
    suffix_only = false;
  }
  // Heap sort: 1 KB less gzipped Wasm than std::sort's introsort, same O(n log n).
  std::make_heap(cuts.begin(), cuts.end());
  std::sort_heap(cuts.begin(), cuts.end());

  size_t start_len = out->size();
  size_t pos = 0;
  for (auto [b, e] : cuts) {
    if (b >= end) break;
    if (b < pos) continue;
    out->append(t.substr(pos, b - pos));
    pos = e;
    suffix_only = suffix_only && only_open_brackets;
  }
  if (pos < end) out->append(t.substr(pos, end - pos));
  if (url_at != std::string_view::npos && url_at <= end) out->append(replace_url);

  if (suffix.empty() && !stack.empty()) {
    // Closers must touch non-space text to count as closing (right-flanking).
    // (Trailing spaces are never shown at the end of a paragraph anyway, so
    // dropping them holds nothing back.) A literal run of the first closer's
    // character before it would join it into one delimiter run ("**a 2 * "
    // gave "**a 2 ***"): it is held back until text follows it. So is the
    // second slash of a scheme's "://" with nothing after it: md4c 0.4.8
    // takes the closer after it for part of a permissive URL ("**a http://").
    auto trim_end = [](std::string_view text, size_t n, std::string_view chars) {
      while (n > 0 && chars.find(text[n - 1]) != std::string_view::npos) --n;
      return n;
    };
    std::string_view done = std::string_view(*out).substr(start_len);
    size_t keep = trim_end(done, done.size(), kSpaceChars);
    size_t s = stack.size();
    while (s > 0 && stack[s - 1].pos >= end) --s;
    if (s > 0 && keep > 0 && done[keep - 1] == stack[s - 1].c) {
      keep = trim_end(done, trim_end(done, keep, std::string_view(&stack[s - 1].c, 1)), kSpaceChars);
      suffix_only = false;
    } else if (s > 0 && keep >= 3 && done.substr(keep - 3, 3) == "://") {
      --keep;
      suffix_only = false;
    }
    out->resize(start_len + keep);
  }
  out->append(suffix);
  for (size_t s = stack.size(); s-- > 0;)
    if (stack[s].pos < end) out->append(stack[s].len, stack[s].c);
  return suffix_only;
}

bool RenderCompleted(std::string_view defs, std::string_view part, unsigned md_flags, Tokens* out,
                     bool* unchanged, RenderMemo* memo, CompleteScratch* scratch) {
  std::string local;
  std::string& built = memo ? memo->scratch : scratch ? scratch->text : local;  // a memo lends its buffer
  built.assign(defs);
  if (!defs.empty()) built += '\n';
  size_t start = built.size();
  bool suffix_only = CompleteTail(part, &built, scratch);
  if (unchanged) *unchanged = std::string_view(built).substr(start) == part;
  if (memo) {
    // Spaces at the end show nowhere but in a code block ("a **" renders as
    // "a" does), or after a list marker alone on its line: "*" is text
    // there, "* " an item (completion holds such lines back; it took "~~~"
    // rows of a table for an open fence before FenceScan: found by the fuzzer).
    auto trimmed = [](std::string_view s) { return s.substr(0, s.find_last_not_of(' ') + 1); };
    memo->hit = memo->valid && (memo->text == built || (memo->spaces_ok && trimmed(memo->text) == trimmed(built)));
    if (memo->hit) return suffix_only;
    memo->text.swap(built);
    memo->valid = true;
  }
  const std::string& text = memo ? memo->text : built;
  RenderTokens(text, md_flags, out, scratch ? &scratch->render : nullptr);
  if (text.empty() || text.back() == '\n') return suffix_only;
  // The last line is partial. If it is a code line (text directly inside
  // <code> inside <pre>), drop md4c's line end. (A partial line that would
  // close the open fence never gets here: CompleteTail holds it back.)
  auto& list = out->list;
  size_t k = list.size();
  while (k > 0 && list[k - 1].kind == Token::kClose) --k;
  if (k == 0 || k + 1 >= list.size() || list[k - 1].kind != Token::kText) return suffix_only;
  if (list[k].tag != Tag::kCode || list[k + 1].tag != Tag::kPre) return suffix_only;
  Token& t = list[k - 1];
  if (t.size > 0 && out->strings[t.begin + t.size - 1] == '\n') {
    if (--t.size == 0) list.erase(list.begin() + (k - 1));
  }
  return suffix_only;
}

}  // namespace rillmark::detail

#include "rillmark/markdown.h"

#include <algorithm>
#include <array>
#include <vector>

#include "cold.h"
#include "complete.h"
#include "md4c.h"
#include "render.h"
#include "utf8.h"

namespace rillmark {

using detail::Token;
using detail::Tokens;

namespace {

constexpr size_t kMaxDefsBytes = 64 << 10;

constexpr bool IsAsciiLetter(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || IsAsciiLetter(c); }
constexpr bool IsSpanTag(Tag t) { return t == Tag::kEm || t == Tag::kStrong || t == Tag::kDel || t == Tag::kCode; }
// A byte of a span's opener or closer run: emphasis, strikethrough, code.
constexpr bool IsSpanMarker(char c) { return c == '`' || c == '*' || c == '_' || c == '~'; }

// Moves a DOM path past token `t`: path.back() is the index of the next child
// in the current parent.
void AdvancePath(std::vector<uint32_t>& path, const Token& t) {
  if (t.kind == Token::kOpen) {
    path.push_back(0);
  } else if (t.kind == Token::kClose) {
    path.pop_back();
    ++path.back();
  } else {
    ++path.back();
  }
}

// Writes a DOM path as an op operand: its depth, then the indices.
void PushPath(Batch* out, const std::vector<uint32_t>& path) {
  out->PushWord(static_cast<uint32_t>(path.size()));
  for (uint32_t x : path) out->PushWord(x);
}

// The rebuild part of EmitDiff: removes what follows `path` and writes
// b.list[from, end) anew (once per render that changes more than a text end:
// built for size).
RILLMARK_COLD void EmitRebuild(const Tokens& b, size_t from, Batch* out, const std::vector<uint32_t>& path) {
  out->PushWord(kOpTruncate);
  PushPath(out, path);
  for (size_t k = from; k < b.list.size(); ++k) {
    const Token& t = b.list[k];
    if (t.kind == Token::kText) {
      out->PushWord(kOpText);
      out->PushString(b.str(t));
    } else if (t.kind == Token::kClose) {
      out->PushWord(kOpClose);
    } else {
      out->PushWord(kOpOpen);
      out->PushWord(static_cast<uint32_t>(t.tag));
      size_t count_at = out->words().size();
      out->PushWord(0);
      uint32_t count = 0;
      detail::ForEachAttr(b.str(t), [&](AttrName name, std::string_view value) {
        out->PushWord(static_cast<uint32_t>(name));
        out->PushString(value);
        ++count;
      });
      out->SetWord(count_at, count);
    }
  }
}

// Writes the ops that turn the DOM of `a` into the DOM of `b` (both sequences
// of sibling nodes, as token lists): skip the common prefix, turn "the same
// text node grew" into appendText, and rebuild from the first other
// difference on. `path` holds the DOM path of the first node of both (it is
// walked along: the caller's buffer, so a diff allocates nothing once it has
// grown).
void EmitDiff(const Tokens& a, const Tokens& b, Batch* out, std::vector<uint32_t>& path) {
  auto advance = [&path](const Token& t) { AdvancePath(path, t); };
  size_t i = 0, n = std::min(a.list.size(), b.list.size());
  while (true) {
    while (i < n && a.Equal(i, b, i)) advance(a.list[i++]);
    if (i == a.list.size() && i == b.list.size()) return;
    if (i < n && a.list[i].kind == Token::kText && b.list[i].kind == Token::kText) {
      std::string_view old_text = a.str(a.list[i]), new_text = b.str(b.list[i]);
      if (new_text.size() > old_text.size() && new_text.compare(0, old_text.size(), old_text) == 0) {
        out->PushWord(kOpAppendText);
        PushPath(out, path);
        out->PushString(new_text.substr(old_text.size()));
        advance(a.list[i++]);
        continue;
      }
    }
    break;
  }
  EmitRebuild(b, i, out, path);
}

using Ranges = std::vector<std::pair<size_t, size_t>>;

// The [begin, end) token ranges of the children of the element opened at `open`
// (into `out`, a reused buffer).
RILLMARK_COLD void ChildRanges(const Tokens& t, size_t open, Ranges& out) {
  out.clear();
  size_t i = open + 1, depth = 0, begin = i;
  for (; i < t.list.size(); ++i) {
    const Token& k = t.list[i];
    if (depth == 0) begin = i;
    if (k.kind == Token::kOpen) {
      ++depth;
    } else if (k.kind == Token::kClose) {
      if (depth == 0) break;  // the container's own close
      --depth;
    }
    if (depth == 0) out.push_back({begin, i + 1});
  }
}

// True when the list item opened at `li` wraps its text in <p> (a loose list):
// one of its children is a <p>.
RILLMARK_COLD bool IsLooseItem(const Tokens& t, size_t li) {
  size_t depth = 0;
  for (size_t i = li + 1; i < t.list.size(); ++i) {
    const Token& k = t.list[i];
    if (k.kind == Token::kOpen) {
      if (depth == 0 && k.tag == Tag::kP) return true;
      ++depth;
    } else if (k.kind == Token::kClose) {
      if (depth == 0) return false;  // the item's own close
      --depth;
    }
  }
  return false;
}

// The list marker of a line at column 0: '-', '*', '+' or the delimiter of an
// ordered item ('.' or ')'), with `ordered`; 0 when the line is no list item.
RILLMARK_COLD char ListMarker(std::string_view line, bool* ordered) {
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && (line[1] == ' ' || line[1] == '\t')) {
    *ordered = false;
    return line[0];
  }
  size_t d = 0;
  while (d < line.size() && d < 9 && line[d] >= '0' && line[d] <= '9') ++d;
  if (d > 0 && d + 1 < line.size() && (line[d] == '.' || line[d] == ')') && (line[d + 1] == ' ' || line[d + 1] == '\t')) {
    *ordered = true;
    return line[d];
  }
  return 0;
}

}  // namespace

class MarkdownRenderer::Impl {
 public:
  explicit Impl(MarkdownOptions options) : opt_(options) {}
  // Runs once per renderer: built for size (it destroys every buffer below).
  RILLMARK_COLD ~Impl() = default;

  Status Append(std::string_view text) {
    if (source_.size() + text.size() > opt_.max_source_bytes) return Status::kTextTooLarge;
    pred_.kind = Prediction::kNone;
    // A multi-byte character may be split across appends: keep its bytes
    // until complete, so the source is always well-formed UTF-8.
    if (!carry_.empty()) {
      carry_.append(text);
      text = carry_;
    }
    size_t keep = IncompleteSuffix(text);
    std::string_view now = text.substr(0, text.size() - keep);
    size_t from = source_.size();
    if (detail::IsValidUtf8(now)) {
      source_.append(now);
    } else {
      detail::AppendSanitizedUtf8(source_, now);
    }
    NormalizeLineEnds(from);
    std::string rest(text.substr(text.size() - keep));
    carry_ = std::move(rest);
    return Status::kOk;
  }

  void Flush(Batch* out) {
    FlushAdded(out);
    Predict();
  }

  void FlushAdded(Batch* out) {
    out->Clear();
    if (source_.size() == flushed_) return;
    std::string_view added = std::string_view(source_).substr(flushed_);
    flushed_ = source_.size();
    bool top_level = container_ == Container::kNone;  // shown_ is the tail's render (not a container's)
    // The fast paths change shown_ in place (the container and fence ones
    // also when they give up): the memo no longer describes it.
    if (!top_level || fence_active_) {
      tail_memo_.valid = false;
      as_is_end_ = kNoEnd;
    }
    if (BlankLinesOnly(added)) return;  // nothing changes: shown_ is still the memo's render
    blank_ok_ = false;
    if (FastFlush(added, out)) {
      tail_memo_.valid = false;
      return;
    }
    // Markup alone ("**", "`", "- ", "|") is often hidden by completion: then
    // the completed tail is the one before it, and so is the render. Plain
    // appends left no memo of that one: rebuilt here from the source before
    // (one completion pass), SlowFlush skips the render when they agree. Not
    // when a container was just left: its live child was completed in its
    // own context (found by the fuzzer).
    if (!tail_memo_.valid && MarkupOnly(added) && memo_from_ == frozen_end_ && top_level && opt_.complete_incomplete)
      Memoize(std::string_view(source_).substr(frozen_end_, source_.size() - added.size() - frozen_end_), &tail_memo_);
    SlowFlush(out, /*finishing=*/false);
  }

  static bool MarkupOnly(std::string_view added) {
    for (char c : added)
      if (c != ' ' && (c <= ' ' || c >= 0x7F || IsAsciiAlnum(c))) return false;
    return true;
  }

  // Makes `memo` describe a render of `part`: its text is what
  // RenderCompleted gives md4c for `part`.
  RILLMARK_COLD void Memoize(std::string_view part, detail::RenderMemo* memo) {
    std::string_view defs = DefsFor(part);
    memo->text.assign(defs);
    if (!defs.empty()) memo->text += '\n';
    detail::CompleteTail(part, &memo->text, &scratch_);
    memo->valid = true;
  }

  bool FastFlush(std::string_view added, Batch* out) {
    if (container_ != Container::kNone) {
      // plain_ok_ describes the live child here (see ContainerFlush).
      if (TryPlainAppend(added, out)) return true;
      if (container_ == Container::kParagraph ? ParagraphFlush(out) : ContainerFlush(added, out)) return true;
    }
    if (fence_active_ && FenceAppend(out)) return true;
    return TryPlainAppend(added, out);
  }

  RILLMARK_COLD void Finish(Batch* out) {
    out->Clear();
    if (!carry_.empty()) {  // a truncated character at the very end
      detail::AppendSanitizedUtf8(source_, carry_);
      carry_.clear();
    }
    flushed_ = source_.size();
    fence_active_ = false;
    plain_ok_ = false;
    pred_.kind = Prediction::kNone;
    if (container_ != Container::kNone) ExitContainer();
    // Frozen blocks normally equal the start of the one-shot render. A link
    // definition that arrived after its use is the exception: then the frozen
    // blocks from the first difference on are thawed and rebuilt. So is an
    // md4c inconsistency: "\n2) a\n\n\n    c" keeps "c" out of the item,
    // "2) a\n\n\n    c" keeps it in; a cut after the first line end cannot
    // know. Text with neither (no "]:", no two blank lines in a row) renders
    // as its parts: only the tail is rendered again (~8 % of a stream at a
    // flush per 8 tokens).
    if (!MayReadFrozenDifferently()) {
      Tokens& tail = next_;
      tail.clear();
      RenderRange(frozen_end_, source_.size(), false, &tail);
      Diff(shown_, tail, out);
      std::swap(shown_, tail);
      return;
    }
    Tokens full;
    detail::RenderTokens(source_, opt_.md_flags, &full);
    ++slow_renders_;
    size_t i = 0, nf = frozen_.list.size();
    while (i < nf && i < full.list.size() && frozen_.Equal(i, full, i)) ++i;
    if (i == nf) {
      Tokens tail;
      tail.AppendRange(full, nf, full.list.size());
      Diff(shown_, tail, out);
      shown_ = std::move(tail);
      return;
    }
    out->PushWord(kOpUnfreeze);
    out->PushWord(static_cast<uint32_t>(frozen_nodes_));
    Tokens current = frozen_;
    current.AppendRange(shown_, 0, shown_.list.size());
    Diff(current, full, out);
    shown_ = std::move(full);
    frozen_.clear();
    frozen_nodes_ = 0;
    frozen_end_ = 0;
    scan_pos_ = 0;
    scan_fence_.Reset();
  }

  // True when the one-shot render of source_ may differ from its frozen
  // parts and the tail rendered alone (see Finish): a link definition may
  // resolve a use before it, or md4c may read a list item followed by two
  // blank lines by where it starts.
  RILLMARK_COLD bool MayReadFrozenDifferently() const {
    if (frozen_end_ == 0 || source_.find("]:") != std::string::npos) return true;
    bool blank_before = false;
    for (size_t pos = 0; pos < source_.size();) {
      size_t nl = std::min(source_.find('\n', pos), source_.size());
      bool blank = detail::IsBlankLine(std::string_view(source_).substr(pos, nl - pos));
      if (blank && blank_before) return true;
      blank_before = blank;
      pos = nl + 1;
    }
    return false;
  }

  const MarkdownOptions& options() const { return opt_; }

  const std::string& source() const { return source_; }
  size_t frozen_bytes() const { return frozen_end_; }
  bool in_container() const { return container_ == Container::kList || container_ == Container::kTable; }
  size_t paragraph_live_start() const { return container_ == Container::kParagraph ? child_begin_ : 0; }
  size_t slow_renders() const { return slow_renders_; }

 private:
  // CommonMark treats CR, LF and CRLF alike as line ends; every line scan here
  // looks for LF only, so new text is normalized (a CRLF split across two
  // appends included). md4c renders the normalized text identically.
  void NormalizeLineEnds(size_t from) {
    if (source_.find('\r', from) == std::string::npos && !(last_was_cr_ && from < source_.size())) {
      return;
    }
    std::string& s = source_;
    size_t w = from;
    for (size_t r = from; r < s.size(); ++r) {
      char c = s[r];
      if (c == '\n' && last_was_cr_ && r == from) {
        last_was_cr_ = false;
        continue;  // the LF of a CRLF whose CR ended the previous append
      }
      if (c == '\r') {
        s[w++] = '\n';
        if (r + 1 < s.size() && s[r + 1] == '\n') {
          ++r;  // CRLF: one line end
          last_was_cr_ = false;
        } else {
          last_was_cr_ = r + 1 == s.size();  // an LF at the start of the next append joins it
        }
        continue;
      }
      last_was_cr_ = false;
      s[w++] = c;
    }
    s.resize(w);
  }

  // Bytes at the end of `s` that start a UTF-8 sequence not yet complete.
  static size_t IncompleteSuffix(std::string_view s) {
    size_t n = s.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
      unsigned char c = static_cast<unsigned char>(s[n - back]);
      if ((c & 0xC0) == 0x80) continue;  // continuation: look further back
      size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      return need > back && c >= 0xC2 && c <= 0xF4 ? back : 0;
    }
    return 0;
  }

  // The carried link definitions a render of `part` needs: none when it has
  // no '[' (no reference link or image can use them), so an answer with many
  // definitions does not re-parse them for every live block.
  std::string_view DefsFor(std::string_view part) const {
    return part.find('[') == std::string_view::npos ? std::string_view() : std::string_view(defs_);
  }

  // Renders source_[from, to) (with the carried link definitions) into `out`.
  // Only a completed render sets last_suffix_only_ and last_unchanged_ (the
  // renders that check cuts must not overwrite what the tail render said:
  // found by the fuzzer, a blank line then skipped a render it needed).
  // With `memo`, a render whose input equals the memo's leaves `out` as it is
  // and sets memo->hit (see detail::RenderCompleted).
  void RenderRange(size_t from, size_t to, bool complete, Tokens* out, detail::RenderMemo* memo = nullptr) {
    std::string_view part = std::string_view(source_).substr(from, to - from);
    std::string_view defs = DefsFor(part);
    if (complete) {
      last_suffix_only_ = detail::RenderCompleted(defs, part, opt_.md_flags, out, &last_unchanged_, memo, &scratch_);
      if (memo && memo->hit) return;
    } else if (defs.empty()) {
      detail::RenderTokens(part, opt_.md_flags, out, &scratch_.render);
    } else {
      work_.assign(defs);
      work_ += '\n';
      work_.append(part);
      detail::RenderTokens(work_, opt_.md_flags, out, &scratch_.render);
    }
    ++slow_renders_;
  }

  // Cut points are line starts of the tail at column 0 after a blank line or a
  // heading line; one is taken only when md4c agrees that the text before it
  // and the text from it on render as two independent sequences of blocks (a
  // list continues across a blank line, a fence holds blank lines, a definition
  // changes a link: all of these fail that test).
  RILLMARK_COLD void FindCuts(Tokens* newly_frozen) {
    if (scan_pos_ < frozen_end_) {
      scan_pos_ = frozen_end_;
      scan_fence_.Reset();  // a cut is a top-level block boundary
    }
    while (true) {
      size_t nl = source_.find('\n', scan_pos_);
      if (nl == std::string::npos) {
        // A partial line whose first character already makes it a certain
        // cut (see CertainCut) is frozen at once, without waiting for its end.
        unsigned char c = scan_pos_ < source_.size() ? static_cast<unsigned char>(source_[scan_pos_]) : 0;
        if (!scan_fence_.open() && CertainCut(c, false) && scan_pos_ > frozen_end_ &&
            (scan_prev_blank_ || scan_prev_heading_) && partial_checked_ != scan_pos_) {
          partial_checked_ = scan_pos_;
          if (ConfirmCut(scan_pos_, /*certain=*/true)) Freeze(scan_pos_, newly_frozen);
        }
        return;
      }
      std::string_view line = std::string_view(source_).substr(scan_pos_, nl - scan_pos_);
      bool blank = detail::IsBlankLine(line);
      // Lines inside a fenced block are never cut points (and cost no check).
      bool fence_open = scan_fence_.open();
      bool item_or_quote_open = scan_fence_.depth() != 0;
      detail::FenceScan::Kind kind = scan_fence_.Line(line);
      bool candidate = kind != detail::FenceScan::kCode && kind != detail::FenceScan::kClose &&
                       scan_pos_ > frozen_end_ && !blank && line[0] != ' ' && line[0] != '\t' &&
                       (scan_prev_blank_ || scan_prev_heading_);
      size_t line_start = scan_pos_;
      bool certain = candidate && (CertainCut(static_cast<unsigned char>(line[0]), fence_open) ||
                                   StartsNoContinuation(line, item_or_quote_open));
      scan_prev_blank_ = blank;
      // (md4c 0.4.8 keeps "# x" lines in an open table as rows: a heading
      // line enables no cut when it or a line since the last blank one holds
      // a '|'; found by the fuzzer, first for "# x | y".)
      scan_pipes_ = !blank && (scan_pipes_ || line.find('|') != std::string_view::npos);
      scan_prev_heading_ = !blank && detail::IsAtxHeading(line) && !scan_pipes_;
      scan_pos_ = nl + 1;
      if (candidate && ConfirmCut(line_start, certain)) Freeze(line_start, newly_frozen);
    }
  }

  // A candidate line (column 0, after a blank line or an ATX heading) that
  // starts with `first` is a certain cut when it can only start a paragraph,
  // a heading, a table or a thematic break: nothing continues a paragraph or
  // a list item across a blank line without indentation, and an ATX heading
  // is one line. A fence character is certain where no fence is open (md4c
  // lets an unindented fence close one open in a list item); a list marker
  // where no list item or quote is open, a quote marker without "]:" (see
  // StartsNoContinuation). Elsewhere they take the full check, as does "["
  // (a definition).
  static bool CertainCut(unsigned char first, bool fence_open) {
    return ((first | 0x20) >= 'a' && (first | 0x20) <= 'z') || first >= 0x80 ||
           (!fence_open && (first == '`' || first == '~')) ||
           (first != 0 && std::string_view("#|!\"'(_=<&\\@:.,;?/%$^").find(static_cast<char>(first)) !=
                              std::string_view::npos);
  }

  // A list item marker at column 0 continues no block above when no list
  // item or quote is open there (a paragraph or heading came before). A
  // quote marker there never does (a blank line ends a quote, and a list
  // item goes on only with indentation): only a definition can reach
  // across, and one in a quote's first line ("> [x]: /u") makes that line
  // no certain cut.
  static bool StartsNoContinuation(std::string_view line, bool item_or_quote_open) {
    if (line[0] == '>') return line.find("]:") == std::string_view::npos;
    return !item_or_quote_open && std::string_view("-*+0123456789").find(line[0]) != std::string_view::npos;
  }

  // Takes the cut at `at` if the text before it and the text from it on
  // render as two independent sequences of blocks. For a certain cut only the
  // part before is rendered (it is what gets frozen): comparing whole and
  // parts would cost two more renders of the tail.
  RILLMARK_COLD bool ConfirmCut(size_t at, bool certain = false) {
    if (ShownRendersUpTo(at)) {
      before_.clear();
      before_.AppendRange(shown_, 0, shown_.list.size());
    } else {
      RenderRange(frozen_end_, at, false, &before_);
    }
    // Definitions in the part before the cut still apply after it.
    pending_defs_.clear();
    CollectDefinitions(frozen_end_, at, &pending_defs_);
    if (certain) return true;
    RenderRange(frozen_end_, source_.size(), false, &whole_);
    size_t defs_size = defs_.size();
    defs_ += pending_defs_;
    RenderRange(at, source_.size(), false, &after_);
    // What after_ was rendered from: the tail render after this cut may
    // reuse it (see SlowFlush).
    std::string_view part = std::string_view(source_).substr(at);
    std::string_view defs = DefsFor(part);
    cut_memo_.text.assign(defs);
    if (!defs.empty()) cut_memo_.text += '\n';
    cut_memo_.text.append(part);
    cut_memo_.valid = true;
    defs_.resize(defs_size);
    if (whole_.list.size() != before_.list.size() + after_.list.size()) return false;
    size_t nb = before_.list.size();
    for (size_t i = 0; i < nb; ++i)
      if (!whole_.Equal(i, before_, i)) return false;
    for (size_t i = 0; i < after_.list.size(); ++i)
      if (!whole_.Equal(nb + i, after_, i)) return false;
    return true;
  }

  // True when shown_ is md4c's render of source_[frozen_end_, at) as it is:
  // the last tail render had nothing to complete (or plain appends since
  // kept it so: as_is_end_), and only line ends came after its text (they
  // end blocks, md4c renders the same). Not when it shows a code block: a
  // code line still arriving is shown without its line end, and blank lines
  // are content of a fence still open in a list item (found by the fuzzer:
  // the frozen list then lacked them). Saves the render of the part a
  // certain cut freezes when its blank line came last.
  RILLMARK_COLD bool ShownRendersUpTo(size_t at) const {
    if (memo_from_ != frozen_end_ || ShowsCodeBlock()) return false;
    if (as_is_end_ <= at && source_.find_first_not_of('\n', as_is_end_) >= at) return true;
    if (!tail_memo_.valid) return false;
    std::string_view part = std::string_view(source_).substr(frozen_end_, at - frozen_end_);
    std::string_view defs = DefsFor(part);
    std::string_view text = tail_memo_.text;
    if (!defs.empty()) {
      if (text.size() <= defs.size() || text.compare(0, defs.size(), defs) != 0 || text[defs.size()] != '\n')
        return false;
      text.remove_prefix(defs.size() + 1);
    }
    return part.size() >= text.size() && part.compare(0, text.size(), text) == 0 &&
           part.find_first_not_of('\n', text.size()) == std::string_view::npos;
  }

  RILLMARK_COLD void Freeze(size_t at, Tokens* newly_frozen) {
    // before_ and pending_defs_ hold what ConfirmCut found for [frozen_end_, at).
    newly_frozen->AppendRange(before_, 0, before_.list.size());
    frozen_.AppendRange(before_, 0, before_.list.size());
    if (defs_.size() + pending_defs_.size() <= kMaxDefsBytes) defs_ += pending_defs_;
    frozen_end_ = at;
  }

  // Link reference definitions of a frozen range are carried into later
  // renders, so a use in the tail still resolves. A definition starts a block
  // (detail::StartsBlock) with "[" and may go on over the following lines
  // (destination, title); the longest run of lines from there that renders
  // nothing is definitions only.
  RILLMARK_COLD void CollectDefinitions(size_t from, size_t to, std::string* into) {
    std::string_view text = std::string_view(source_).substr(from, to - from);
    if (text.find("]:") == std::string_view::npos) return;  // no definition can be there
    std::vector<std::string_view> lines;
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = std::min(text.find('\n', pos), text.size());
      lines.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    Tokens probe;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = lines[i];
      size_t s = line.find_first_not_of(' ');
      if (s == std::string_view::npos || s >= 4 || line[s] != '[' ||
          !detail::StartsBlock(text, static_cast<size_t>(line.data() - text.data())))
        continue;
      size_t run = i;  // last non-blank line of the run, at most 32 lines on
      while (run + 1 < lines.size() && run - i < 32 && !detail::IsBlankLine(lines[run + 1])) ++run;
      for (size_t k = run + 1; k-- > i;) {
        std::string_view defs(line.data(), static_cast<size_t>(lines[k].data() + lines[k].size() - line.data()));
        if (defs.find("]:") == std::string_view::npos || into->size() + defs.size() >= kMaxDefsBytes) continue;
        detail::RenderTokens(defs, opt_.md_flags, &probe);
        if (probe.list.empty()) {  // definitions render nothing
          into->append(defs);
          *into += '\n';
          i = k;
          break;
        }
      }
    }
  }

  RILLMARK_COLD void SlowFlush(Batch* out, bool finishing) {
    tail_memo_.hit = false;
    // Member buffers, cleared: their capacity is reused from flush to flush.
    Tokens& newly_frozen = newly_frozen_;
    Tokens& next = next_;
    newly_frozen.clear();
    next.clear();
    FindCuts(&newly_frozen);
    fence_active_ = false;
    if (!finishing && EnterFence(&next)) {
      fence_active_ = true;
      tail_memo_.valid = false;
    } else {
      // shown_ is what the memo's text rendered to, unless blocks were frozen
      // (then the tail starts elsewhere) or a fast path changed it since.
      if (!newly_frozen.list.empty()) tail_memo_.valid = false;
      last_suffix_only_ = last_unchanged_ = true;  // unless completion says otherwise
      memo_from_ = frozen_end_;
      tail_memo_.spaces_ok = tail_memo_.valid && !ShowsCodeBlock();
      if (cut_memo_.valid && !HasCodeBlock(after_)) {
        // A cut compared whole and parts: after_ is md4c's render of the
        // text after it, which a tail render of the same text reuses (the
        // memo compares the whole input). Not with a code block: a tail
        // render drops the line end md4c gives a code line still arriving
        // (found by the fuzzer).
        cut_memo_.spaces_ok = false;
        RenderRange(frozen_end_, source_.size(), opt_.complete_incomplete, &after_, &cut_memo_);
        std::swap(next, after_);
        std::swap(tail_memo_, cut_memo_);
        tail_memo_.hit = false;  // a new tail: diffed against the old one
      } else {
        RenderRange(frozen_end_, source_.size(), opt_.complete_incomplete, &next, &tail_memo_);
      }
    }
    cut_memo_.valid = false;
    as_is_end_ = !fence_active_ && last_unchanged_ ? source_.size() : kNoEnd;
    if (!tail_memo_.hit) {  // (a hit: the same render as before, no ops, shown_ stays)
      if (newly_frozen.list.empty()) {
        Diff(shown_, next, out);
      } else {
        size_t count = newly_frozen.TopLevelCount();
        newly_frozen.AppendRange(next, 0, next.list.size());
        Diff(shown_, newly_frozen, out);
        out->PushWord(kOpFreeze);
        out->PushWord(static_cast<uint32_t>(count));
        frozen_nodes_ += count;
      }
      std::swap(shown_, next);
    }
    UpdatePlainState();
    if (!finishing && !fence_active_) TryEnterContainer();
    UpdateBlankState();
  }

  // ---- fast path 0: blank lines ------------------------------------------------
  // Whitespace that starts at a line start and holds no other character does
  // not change the render of a tail that shows no code block and rendered as
  // itself (nothing completed, nothing held back): blank lines end paragraphs,
  // headings, tables and quotes, and between list items they matter only once
  // the next item comes, which is a flush of its own. Such a flush changes
  // nothing and costs nothing, so a model that emits thousands of blank lines
  // does not re-render the tail for each of them.
  RILLMARK_COLD void UpdateBlankState() {
    blank_ok_ = last_unchanged_ && !fence_active_ && container_ == Container::kNone && !ShowsCodeBlock();
  }

  // True when the tail shows a code block (md4c's render of a code line
  // depends on the blank lines and the line end that follow it).
  bool ShowsCodeBlock() const { return HasCodeBlock(shown_); }
  static bool HasCodeBlock(const Tokens& tokens) {
    for (const Token& t : tokens.list)
      if (t.tag == Tag::kPre) return true;
    return false;
  }

  bool BlankLinesOnly(std::string_view added) const {
    if (!blank_ok_) return false;
    size_t before = source_.size() - added.size();
    if (before > frozen_end_ && source_[before - 1] != '\n') return false;
    return added.find_first_not_of(" \t\n") == std::string_view::npos;
  }

  // ---- fast path 3: a long tight list or a table as the tail ------------------
  // Finished items / rows are frozen inside the open <ul>/<ol>/<tbody>: only
  // the live child (the last one) is re-parsed and diffed. Rows depend only on
  // the header; items of a tight list only on themselves. Anything else (a
  // blank line, another block, a loose list) leaves this mode, and the general
  // path takes over with one full render of the tail.
  enum class Container { kNone, kList, kTable, kParagraph };

  RILLMARK_COLD void TryEnterContainer() {
    if (shown_.list.empty() || shown_.TopLevelCount() != 1 || shown_.list[0].kind != Token::kOpen) return;
    std::string_view tail = std::string_view(source_).substr(frozen_end_);
    Tag top = shown_.list[0].tag;
    if (top == Tag::kP) return TryEnterParagraph();
    size_t open = 0;
    std::vector<size_t>& starts = starts_;  // source offsets where children begin
    starts.clear();
    if (top == Tag::kUl || top == Tag::kOl) {
      bool ordered = false;
      char marker = ListMarker(tail, &ordered);
      if (!marker || ordered != (top == Tag::kOl)) return;
      // A list is loose (items wrap their text in <p>) or tight as a whole;
      // once loose it stays loose, whatever comes.
      Ranges& items = ranges_;
      ChildRanges(shown_, 0, items);
      list_loose_ = !items.empty() && IsLooseItem(shown_, items.back().first);
      for (auto [b, e] : items) {
        (void)e;
        if (IsLooseItem(shown_, b) != list_loose_) return;
      }
      size_t pos = 0;
      while (pos < tail.size()) {
        bool o = false;
        if (ListMarker(tail.substr(pos), &o) == marker && o == ordered) starts.push_back(frozen_end_ + pos);
        size_t nl = tail.find('\n', pos);
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
      }
      list_marker_ = marker;
      list_ordered_ = ordered;
      container_path_ = {0};
      // The live item is rendered after a dummy item of the same list, so it
      // is completed in the same context as in the whole tail (its line does
      // not start a block) and md4c sees the same list kind and looseness.
      table_head_ = ordered ? std::string("1") + marker + " x\n" : std::string(1, marker) + " x\n";
      if (list_loose_) table_head_ += '\n';
    } else if (top == Tag::kTable) {
      size_t l1 = tail.find('\n');
      size_t l2 = l1 == std::string_view::npos ? l1 : tail.find('\n', l1 + 1);
      if (l2 == std::string_view::npos) return;
      Ranges& parts = ranges_;
      ChildRanges(shown_, 0, parts);
      if (parts.size() != 2 || shown_.list[parts[1].first].tag != Tag::kTbody) return;
      open = parts[1].first;
      size_t pos = l2 + 1;
      while (pos < tail.size()) {
        starts.push_back(frozen_end_ + pos);
        size_t nl = tail.find('\n', pos);
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
      }
      table_head_.assign(tail.substr(0, l2 + 1));
      container_path_ = {0, 1};
    } else {
      return;
    }
    Ranges& children = ranges_;
    ChildRanges(shown_, open, children);
    if (children.size() < 3 || children.size() != starts.size()) return;
    container_prefix_.clear();
    container_prefix_.AppendRange(shown_, 0, open + 1);
    container_frozen_.clear();
    container_frozen_.AppendRange(shown_, children.front().first, children.back().first);
    container_live_.clear();
    container_live_.AppendRange(shown_, children.back().first, children.back().second);
    container_suffix_.clear();
    container_suffix_.AppendRange(shown_, children.back().second, shown_.list.size());
    container_children_ = static_cast<uint32_t>(children.size() - 1);
    child_begin_ = starts.back();
    container_ = top == Tag::kTable ? Container::kTable : Container::kList;
    // The tail's render was the whole truth: its last text node, now in the
    // live child, still takes plain appends (as after a paragraph cut).
    plain_ok_ = false;
    if (last_suffix_only_) SetPlainTarget(&container_live_, container_path_, container_children_, last_unchanged_);
  }

  RILLMARK_COLD void ExitContainer() {
    shown_ = container_prefix_;
    shown_.AppendRange(container_frozen_, 0, container_frozen_.list.size());
    shown_.AppendRange(container_live_, 0, container_live_.list.size());
    shown_.AppendRange(container_suffix_, 0, container_suffix_.list.size());
    container_ = Container::kNone;
  }

  RILLMARK_COLD bool ContainerFlush(std::string_view added, Batch* out) {
    // New children that started in the live region, or a reason to leave.
    std::vector<size_t>& starts = starts_;
    starts.assign(1, child_begin_);
    size_t nl = source_.find('\n', child_begin_);
    size_t pos = nl == std::string::npos ? source_.size() : nl + 1;
    while (pos < source_.size()) {
      size_t e = source_.find('\n', pos);
      std::string_view line = std::string_view(source_).substr(pos, (e == std::string::npos ? source_.size() : e) - pos);
      bool complete = e != std::string::npos;
      bool blank = detail::IsBlankLine(line);
      if (blank) {
        // A blank line ends a table and makes a tight list loose (every item
        // changes): leave. A loose list stays as it is. Indentation still
        // arriving is not a blank line yet.
        if (complete && (container_ == Container::kTable || !list_loose_)) return LeaveContainer();
      } else if (container_ == Container::kTable) {
        if (line.find('|') == std::string_view::npos) {
          if (complete) return LeaveContainer();
        } else {
          starts.push_back(pos);
        }
      } else if (line[0] != ' ' && line[0] != '\t') {
        bool ordered = false;
        char marker = ListMarker(line, &ordered);
        size_t digits = line.find_first_not_of("0123456789");
        bool marker_prefix =
            !complete && (list_ordered_ ? (digits == std::string_view::npos ||
                                           (digits > 0 && digits + 1 == line.size() && line[digits] == list_marker_))
                                        : line.size() == 1 && line[0] == list_marker_);
        if (marker == list_marker_ && ordered == list_ordered_) {
          starts.push_back(pos);
        } else if (marker_prefix) {
          // The next item's marker is still arriving ("-", "12."): completion
          // holds the line back, so it stays with the live item for now.
        } else if (marker || !(std::isalpha(static_cast<unsigned char>(line[0])) ||
                               static_cast<unsigned char>(line[0]) >= 0x80)) {
          // Another kind of block (or one in the making) may end the list.
          // (Text after a blank line ends it too: the render below shows it.)
          return LeaveContainer();
        }
      }
      if (!complete) break;
      pos = e + 1;
    }
    std::string_view region = std::string_view(source_).substr(child_begin_);
    Tokens& render = render_;
    std::string& text = container_text_;
    text.assign(table_head_);
    text.append(region);
    plain_ok_ = false;
    bool as_is = false;
    // Markup alone often changes nothing completion shows (see Flush): the
    // memo is the live child's completed text before it.
    detail::RenderMemo* memo = nullptr;
    if (starts.size() <= 2 && MarkupOnly(added) && opt_.complete_incomplete) {
      memo = &container_memo_;
      Memoize(std::string_view(text).substr(0, text.size() - added.size()), memo);
      memo->spaces_ok = !HasCodeBlock(container_live_);
    }
    bool suffix_only = detail::RenderCompleted(DefsFor(text), text, opt_.md_flags, &render, &as_is, memo, &scratch_);
    if (memo && memo->hit) {  // the same render: nothing changes
      if (suffix_only) SetPlainTarget(&container_live_, container_path_, container_children_, as_is);
      return true;
    }
    ++slow_renders_;
    if (render.TopLevelCount() != 1 || render.list.empty() || render.list[0].tag != container_prefix_.list[0].tag)
      return LeaveContainer();
    size_t open = 0;
    if (container_ == Container::kTable) {
      Ranges& parts = ranges_;
      ChildRanges(render, 0, parts);
      if (parts.size() != 2 || render.list[parts[1].first].tag != Tag::kTbody) return LeaveContainer();
      open = parts[1].first;
    }
    Ranges& children = ranges_;
    ChildRanges(render, open, children);
    if (container_ == Container::kList) {
      if (children.empty()) return LeaveContainer();
      children.erase(children.begin());  // the dummy item
    }
    if (children.empty()) return LeaveContainer();
    if (container_ == Container::kList) {
      for (auto [b, e] : children) {
        (void)e;
        if (IsLooseItem(render, b) != list_loose_) return LeaveContainer();  // a tight list turned loose
      }
    }
    // Completion may hold back a child still being typed (a bare marker).
    if (children.size() + 1 == starts.size()) starts.pop_back();
    if (children.size() != starts.size()) return LeaveContainer();
    Tokens& live = live_;
    live.clear();
    live.AppendRange(render, children.front().first, children.back().second);
    Diff(container_live_, live, out, container_path_, container_children_);
    if (children.size() > 1) {  // every child but the last is finished: freeze it
      container_frozen_.AppendRange(render, children.front().first, children.back().first);
      container_children_ += static_cast<uint32_t>(children.size() - 1);
      child_begin_ = starts.back();
      container_live_.clear();
      container_live_.AppendRange(render, children.back().first, children.back().second);
    } else {
      std::swap(container_live_, live);
    }
    // Words typed into the live child's last text node are plain appends
    // too, unless completion changed more than its end. (A '[' before them
    // needs no care here: what it may become — a link, a definition, a task
    // box — is decided by bytes TryPlainAppend refuses, as at the top level.)
    if (suffix_only) SetPlainTarget(&container_live_, container_path_, container_children_, as_is);
    return true;
  }

  // Leaves container mode; the caller goes on with the general path.
  RILLMARK_COLD bool LeaveContainer() {
    plain_ok_ = false;
    ExitContainer();
    return false;
  }

  // ---- fast path 4: a long paragraph as the tail ------------------------------
  // Its start is frozen inside the open <p> and only the text from a cut on
  // is re-rendered, so a paragraph of any length costs O(1) per byte. A cut
  // is a position c with a letter at c and a single space or line end
  // before it (no hard break); the part before it must render alone exactly
  // as it does in the whole paragraph whatever follows. That holds when its
  // render leaves no span marker that later text could pair with (see
  // SpanMarkersSettled), completion changes nothing in it (no half-typed
  // construct ends it) and the live render agrees with it. Text after a cut starts
  // with a letter in the middle of a paragraph: it starts no block, and md4c
  // and completion treat its start like the space or line end before it.
  // The frozen part's last text node is merged with the live text after it,
  // as md4c does: that text (para_carry_) is prepended to each live render.
  // A live render that is not one paragraph leaves the mode (so does a first
  // live line with a '|': completion holds it back as a possible table header).
  static constexpr size_t kParagraphMin = 512;  // tail bytes before the mode is tried
  static constexpr size_t kParagraphLive = 256;  // live bytes before the next cut is tried

  RILLMARK_COLD void TryEnterParagraph() {
    std::string_view tail = std::string_view(source_).substr(frozen_end_);
    if (tail.size() < kParagraphMin || source_.size() < para_next_try_) return;
    para_next_try_ = source_.size() + kParagraphLive;
    ScanLine(source_.size());
    // A definition renders nothing (and completion holds back a line that may be one).
    size_t s = tail.find_first_not_of(" \t");
    if (s == std::string_view::npos || tail[s] == '[' ||
        (line_scan_.def_colon != std::string::npos && line_scan_.def_colon >= frozen_end_))
      return;
    container_prefix_.clear();
    container_prefix_.AppendRange(shown_, 0, 1);
    container_suffix_.clear();
    container_suffix_.AppendRange(shown_, shown_.list.size() - 1, shown_.list.size());
    container_frozen_.clear();
    container_live_.clear();
    container_live_.AppendRange(shown_, 1, shown_.list.size() - 1);
    container_path_ = {0};
    container_children_ = 0;
    child_begin_ = frozen_end_;
    para_carry_.clear();
    container_ = Container::kParagraph;
    if (!TryParagraphCut()) {
      ExitContainer();
      UpdatePlainState();
      return;
    }
    plain_ok_ = false;
    if (last_suffix_only_) SetPlainTarget(&container_live_, container_path_, container_children_, last_unchanged_);
  }

  // Moves the cut to the last candidate in the live part if the text before
  // it passes the checks above and its render agrees with the live render.
  RILLMARK_COLD bool TryParagraphCut() {
    size_t c = source_.size();
    while (--c > child_begin_ + 1) {
      char a = source_[c - 2];
      if (IsAsciiLetter(source_[c]) && (source_[c - 1] == ' ' || source_[c - 1] == '\n') && a != ' ' && a != '\t' &&
          a != '\n' && a != '\\')
        break;
    }
    // Completion takes a line that starts with '|' for a table row (a span
    // does not go on past it): the live text must not start inside one.
    if (c <= child_begin_ + 1 || LineLeadsWithPipe(c)) return false;
    std::string_view part = std::string_view(source_).substr(child_begin_, c - child_begin_);
    std::string& completed = container_text_;
    completed.clear();
    if (!detail::CompleteTail(part, &completed) || completed != part) return false;
    Tokens& g = render_;
    RenderRange(child_begin_, c, false, &g);
    size_t n = g.list.size();
    if (n < 3 || g.TopLevelCount() != 1 || g.list[0].tag != Tag::kP || g.list[n - 1].tag != Tag::kP) return false;
    if (!SpanMarkersSettled(g)) return false;
    // The part's tokens, with the carried text before them, must be the start
    // of the live tokens; its last text (if it ends in text) stays live.
    Tokens& part_tokens = live_;
    MergeCarry(g, 1, n - 1, &part_tokens);
    size_t keep = part_tokens.list.size();
    if (part_tokens.list.back().kind == Token::kText) --keep;
    if (keep > container_live_.list.size()) return false;
    for (size_t i = 0; i < keep; ++i)
      if (!part_tokens.Equal(i, container_live_, i)) return false;
    // The live text after the part starts with its last text (if any) and
    // the space or line end before the cut, which md4c shows as itself.
    std::string_view carry = keep < part_tokens.list.size() ? part_tokens.str(part_tokens.list[keep]) : "";
    if (keep >= container_live_.list.size() || container_live_.list[keep].kind != Token::kText) return false;
    std::string_view next_text = container_live_.str(container_live_.list[keep]);
    if (next_text.size() <= carry.size() || next_text.substr(0, carry.size()) != carry ||
        next_text[carry.size()] != source_[c - 1])
      return false;
    para_carry_.assign(next_text.substr(0, carry.size() + 1));
    container_frozen_.AppendRange(container_live_, 0, keep);
    container_live_.list.erase(container_live_.list.begin(), container_live_.list.begin() + keep);
    container_children_ = static_cast<uint32_t>(container_frozen_.TopLevelCount());
    child_begin_ = c;
    return true;
  }

  // True when no text of `g` outside code shows a marker that later text could
  // still pair: '*', '~' or '`', a '_' that is not inside a word (a word's
  // '_' neither opens nor closes), or a '[' no ']' follows (one that does
  // was tried as a link and is spent). The same markers in a link's or an
  // image's attributes count too: a backtick in a URL pairs with a later
  // one (code spans bind tighter than links), and md4c 0.4.8 lets emphasis
  // markers in a destination pair with later ones (see the test
  // DropsACloseTagMd4cLeavesWithoutItsOpen); URLs show '~' and '`' escaped.
  RILLMARK_COLD static bool SpanMarkersSettled(const Tokens& g) {
    auto settled = [](std::string_view x) {
      for (size_t i = 0; i < x.size(); ++i) {
        char c = x[i];
        if (c == '*' || c == '~' || c == '`') return false;
        if (c == '_' && !(i > 0 && i + 1 < x.size() && IsAsciiAlnum(x[i - 1]) && IsAsciiAlnum(x[i + 1]))) return false;
      }
      return x.find("%7E") == std::string_view::npos && x.find("%60") == std::string_view::npos;
    };
    bool in_code = false, ok = true;
    size_t open_brackets = 0;
    for (const Token& t : g.list) {
      if (t.tag == Tag::kCode) in_code = t.kind == Token::kOpen;
      if (t.kind == Token::kOpen) detail::ForEachAttr(g.str(t), [&](AttrName, std::string_view v) { ok &= settled(v); });
      if (t.kind != Token::kText || in_code) continue;
      std::string_view x = g.str(t);
      ok &= settled(x);
      for (char c : x) {
        if (c == '[') ++open_brackets;
        if (c == ']' && open_brackets) --open_brackets;
      }
    }
    return ok && open_brackets == 0;
  }

  // Appends g.list[from, to) to `out` (cleared first) with para_carry_ before
  // it, merged into its first text node as md4c merges adjacent text.
  RILLMARK_COLD void MergeCarry(const Tokens& g, size_t from, size_t to, Tokens* out) {
    out->clear();
    if (!para_carry_.empty()) {
      out->PushText(para_carry_);
      if (from < to && g.list[from].kind == Token::kText) {
        out->strings.append(g.str(g.list[from]));
        out->list.back().size += g.list[from].size;
        ++from;
      }
    }
    out->AppendRange(g, from, to);
  }

  RILLMARK_COLD bool ParagraphFlush(Batch* out) {
    plain_ok_ = false;
    std::string_view live = std::string_view(source_).substr(child_begin_);
    Tokens& render = render_;
    bool as_is = false;
    bool suffix_only = detail::RenderCompleted(DefsFor(live), live, opt_.md_flags, &render, &as_is, nullptr, &scratch_);
    ++slow_renders_;
    size_t n = render.list.size();
    if (n < 2 || render.TopLevelCount() != 1 || render.list[0].tag != Tag::kP || render.list[n - 1].tag != Tag::kP)
      return LeaveContainer();
    Tokens& next = next_;
    MergeCarry(render, 1, n - 1, &next);
    Diff(container_live_, next, out, container_path_, container_children_);
    std::swap(container_live_, next);
    if (live.size() > kParagraphLive && source_.size() >= para_next_try_) {
      para_next_try_ = source_.size() + kParagraphLive;
      TryParagraphCut();
    }
    if (suffix_only) SetPlainTarget(&container_live_, container_path_, container_children_, as_is);
    return true;
  }

  // EmitDiff with paths starting at `prefix` (an element of the tail) with
  // child index `base`.
  void Diff(const Tokens& a, const Tokens& b, Batch* out, const std::vector<uint32_t>& prefix = {},
            uint32_t base = 0) {
    diff_path_ = prefix;
    diff_path_.push_back(base);
    EmitDiff(a, b, out, diff_path_);
  }

  // ---- fast path 1: plain text appended to the last text node ----------------
  // Valid when the new bytes can start, end or re-interpret no construct
  // (kByteClass, and the checks in TryPlainAppend), completion changed only
  // the end of the last render (suffix only) and its last text node is the
  // last thing in the tail, outside any link; across a table cell's '|'
  // (CellAppend) and right after a closed span (AfterCloseAppend) the
  // target's new tokens are built directly.
  void UpdatePlainState() {
    plain_ok_ = false;
    if (!(last_suffix_only_ || last_unchanged_) || fence_active_) return;
    SetPlainTarget(&shown_, {}, 0, last_unchanged_);
    // A closer at the very end is held back by completion and given back as
    // the missing closer: the same text, but not "suffix only". Then only the
    // text that follows the span is a target.
    if (!last_suffix_only_ && !plain_after_close_) plain_ok_ = false;
  }

  // The text node plain appends grow: the last token of `tokens` (a sibling
  // sequence whose first node has DOM path prefix + [base]) if it is text
  // that only closes follow, outside a link or a code block. When the render
  // was of the source as it is (`as_is`: nothing completed) and it ends with
  // a span the source closed (code, emphasis, strikethrough; only spaces
  // after its closer), the target is the text node that will follow it.
  RILLMARK_COLD void SetPlainTarget(Tokens* tokens, const std::vector<uint32_t>& prefix, uint32_t base, bool as_is) {
    plain_ok_ = false;
    size_t k = tokens->list.size();
    plain_in_code_ = plain_after_close_ = false;
    bool span_seen = false;
    // The closes after the text node close its ancestors, outermost first:
    // the last block element among them is the block the text is in. In a
    // table row, md4c adds an empty cell for each column the row has not
    // reached yet: the text is in the cell before them.
    // (The live part of a long paragraph is inline tokens only.)
    Tag block = tokens == &container_live_ && container_ == Container::kParagraph ? Tag::kP : Tag::kNone;
    const auto& list = tokens->list;
    while (k > 0) {
      const Token& x = list[k - 1];
      if (x.kind == Token::kOpen && x.tag == Tag::kTd && block == Tag::kTd && k >= 2 &&
          list[k - 2].kind == Token::kClose && list[k - 2].tag == Tag::kTd) {
        --k;  // an empty cell after the text's
        continue;
      }
      if (x.kind != Token::kClose) break;
      if (x.tag == Tag::kA || x.tag == Tag::kPre) return;
      bool span = IsSpanTag(x.tag);
      if (x.tag == Tag::kCode) plain_in_code_ = true;
      if (span && !span_seen && as_is && k >= 2 && list[k - 2].kind == Token::kText) {
        // The source closed the last inline element (nothing completed), one
        // span whose closer run ends the source: text typed next follows it.
        // The span's text ends with the byte before that run: md4c 0.4.8 may
        // close a span only at the paragraph's end (after an autolink took
        // its closer), and then the run shows as text; completion may take a
        // backtick that starts a line for a fence's, md4c for a closer (after
        // a line end, shown as a space). Both found by the fuzzer.
        size_t end = source_.find_last_not_of(' ');
        char closer = end == std::string::npos || end < frozen_end_ ? '\0' : source_[end];
        size_t before = source_.find_last_not_of(closer, end);
        std::string_view inner = tokens->str(list[k - 2]);
        bool shows_before = before != std::string::npos && before >= frozen_end_ && !inner.empty() &&
                            inner.back() == source_[before];
        bool closes = x.tag == Tag::kCode  ? closer == '`'
                      : x.tag == Tag::kDel ? closer == '~'
                                           : closer == '*' || closer == '_';
        plain_after_close_ = closes && shows_before;
        if (plain_after_close_) {
          plain_index_ = k;  // where that text node goes
          plain_after_from_ = end + 1;
        }
      }
      span_seen = span_seen || span;
      if (!span) block = x.tag;
      --k;
    }
    // A line that starts with a letter continues a paragraph (also lazily, in
    // a quote or a list item); it starts a new block after a heading or a cell.
    plain_newline_ok_ = (!plain_in_code_ || plain_after_close_) && (block == Tag::kP || block == Tag::kLi);
    // In a table body: which cell of its row the text is in.
    plain_cell_ = kNoCell;
    if (block == Tag::kTd) {
      // md4c 0.4.8 may end an autolink's href past a '|' (into the cells
      // after it: found by the fuzzer), so no plain text goes into a row
      // that holds a link.
      size_t cells = 0;
      for (size_t i = k; i-- > 0 && !(list[i].kind == Token::kOpen && list[i].tag == Tag::kTr);) {
        if (list[i].kind == Token::kOpen && list[i].tag == Tag::kA) return;
        cells += list[i].kind == Token::kOpen && list[i].tag == Tag::kTd;
      }
      plain_cell_ = cells - 1;
    }
    plain_since_ = source_.size();
    if (k == 0 || tokens->list[k - 1].kind != Token::kText) return;
    // Text in a code span is a target only while the source's span is open
    // (completion closed it): the text after its closer may look like the
    // end of the code ("`* `* " then "*"; found by the fuzzer).
    if (plain_in_code_ && !plain_after_close_ && !(opt_.complete_incomplete && !scratch_.suffix.empty())) return;
    plain_tokens_ = tokens;
    if (plain_after_close_) {
      plain_in_code_ = false;
    } else {
      plain_index_ = k - 1;
    }
    // Path of that text node (to be).
    plain_path_ = prefix;
    plain_path_.push_back(base);
    for (size_t i = 0; i < plain_index_; ++i) AdvancePath(plain_path_, tokens->list[i]);
    const Token& before = tokens->list[plain_index_ > 0 ? plain_index_ - 1 : 0];
    plain_follows_close_ = plain_index_ > 0 && before.kind == Token::kClose && IsSpanTag(before.tag);
    plain_ok_ = true;
  }

  // The bytes that extend the plain target's text as themselves, by class:
  // kPlainByte: letters, digits, inner spaces, non-ASCII and punctuation that
  // starts, ends or re-interprets nothing in the middle of a line ("www."
  // does start a link: TryPlainAppend checks for it; '!' is not here,
  // completion holds it back as a possible image).
  // kCodeByte: inside a code span every byte is itself but a backtick (it may
  // close the span), a '|' (it splits a table cell even there), a space (a
  // code span strips edge spaces in pairs) and control characters.
  enum : uint8_t { kPlainByte = 1, kCodeByte = 2 };
  static constexpr std::array<uint8_t, 256> kByteClass = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
      char ch = static_cast<char>(c);
      bool plain = IsAsciiAlnum(ch) || c == ' ' || c >= 0x80 ||
                   std::string_view(",;?\"'.:-()").find(ch) != std::string_view::npos;
      bool code = c > ' ' && c != 0x7F && c != '`' && c != '|';
      t[c] = static_cast<uint8_t>((plain ? kPlainByte : 0) | (code ? kCodeByte : 0));
    }
    return t;
  }();
  bool ExtendsTarget(char c) const {
    return kByteClass[static_cast<unsigned char>(c)] & (plain_in_code_ ? kCodeByte : kPlainByte);
  }
  // True when `s` holds "www" (any case) and a '.'.
  static bool MayBecomeWwwLink(std::string_view s) {
    if (s.find('.') == std::string_view::npos) return false;
    for (size_t i = 0; i + 3 <= s.size(); ++i)
      if ((s[i] | 0x20) == 'w' && (s[i + 1] | 0x20) == 'w' && (s[i + 2] | 0x20) == 'w') return true;
    return false;
  }
  // True when the word that ends with the span closer at source_[at - 1]
  // may hold a permissive autolink: md4c extends its end over '_', '~' and
  // '.', so text typed after the closer may take the closer into the link
  // (found by the fuzzer: ".z@xx_" then ".z"). A code span's closer binds
  // first (not asked).
  RILLMARK_COLD bool MayLinkAcross(size_t at) const {
    size_t b = WordStart(at);
    std::string_view word = std::string_view(source_).substr(b, at - b);
    return word.find_first_of("@:") != std::string_view::npos || MayBecomeWwwLink(word);
  }
  // True when `s` (well-formed UTF-8) holds a non-ASCII character of Unicode
  // category Zs, md4c's Unicode whitespace.
  static bool HasUnicodeSpace(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
      auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
      unsigned c = b(0);
      if (c < 0xC2 || c > 0xE3) continue;
      if ((c == 0xC2 && b(1) == 0xA0) || (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) ||
          (c == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8A || b(2) == 0xAF)) || (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) ||
          (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80))
        return true;
    }
    return false;
  }

  // True when source_[from, w) (w: the end of the walk) is a run of
  // emphasis, strikethrough or code span markers that starts a word. Text
  // after an opener does not change what the opener is.
  bool OpenerRunStarts(size_t w) const {
    for (size_t i = WordStart(w); i < w; ++i)
      if (!IsSpanMarker(source_[i])) return false;
    return true;
  }
  // Where the word ending at `end` (source_[end - 1] is no space) starts:
  // after the last space or line end before it, not before the frozen part.
  size_t WordStart(size_t end) const {
    size_t b = source_.find_last_of(" \n", end - 1);
    return b == std::string::npos || b < frozen_end_ ? frozen_end_ : b + 1;
  }
  RILLMARK_COLD bool TryPlainAppend(std::string_view added, Batch* out) {
    if (!plain_ok_ || added.empty()) return false;
    bool in_cell = plain_cell_ != kNoCell && !plain_in_code_;  // a '|' ends the cell (see CellAppend)
    for (char c : added) {
      if (c == '|' && in_cell) continue;
      if (c == '\n' ? !plain_newline_ok_ : !ExtendsTarget(c)) return false;
    }
    // Unicode whitespace decides flanking like a space: before a closer that
    // completion adds, it makes the closer literal (found by the fuzzer).
    if (HasUnicodeSpace(added)) return false;
    size_t before = source_.size() - added.size();
    // A blank line ends the paragraph (or list item, quote): when nothing in
    // the tail was completed (not in a container: see Flush), md4c renders it
    // as before. Text after it starts a block: the general path takes it (the
    // line end before it is not a word byte). More line ends after a line end
    // change nothing either.
    bool blank_ends = as_is_end_ == before;
    if (blank_ends && before > frozen_end_ && source_[before - 1] == '\n' &&
        added.find_first_not_of('\n') == std::string_view::npos) {
      as_is_end_ = source_.size();
      return true;
    }
    ScanLine(before);
    // A quote can close the title of a link reference definition whose title
    // started on a later line (the paragraph it seemed to be then vanishes).
    if (added.find_first_of("\"'") != std::string_view::npos && line_scan_.def_colon != std::string::npos &&
        line_scan_.def_colon >= frozen_end_)
      return false;
    // A ')' can end a link destination that completion did not take for one.
    if (added.find(')') != std::string_view::npos && line_scan_.link_paren != std::string::npos &&
        line_scan_.link_paren >= frozen_end_)
      return false;
    if (plain_after_close_) return AfterCloseAppend(before, out);
    PlainWord pw;
    if (!FindPlainWord(before, in_cell, &pw)) return false;
    // Words that punctuation can turn into something: "www." starts a link
    // (md4c's permissive autolinks; "http:" needs a '/', which is not plain,
    // and an e-mail an '@'). Digits then '.' or ')' at a line start make a
    // list item: completion holds a line of digits back until it shows what
    // it is, except where it shows as a table row (MayBeListNumber).
    if (MayBecomeWwwLink(std::string_view(source_).substr(pw.w))) return false;  // the old word and `added`
    if ((added[0] == '.' || added[0] == ')') && MayBeListNumber(pw)) return false;
    if (pw.old_bars || added.find('|') != std::string_view::npos) return CellAppend(pw.word_end, out);
    bool line_start = pw.line_start;

    // What the screen gains: each word with the spaces before it, a line end
    // as "\n" when a word follows it on a line that can only go on the
    // paragraph (it starts with a letter); spaces and a line end not yet
    // followed by a word stay unshown.
    std::string& more = plain_more_;
    more.clear();
    size_t spaces = plain_in_code_ || line_start ? 0 : pw.old_ws;
    bool ended = false;  // a blank line came
    for (char c : added) {
      if (c == ' ') {
        if (!line_start) ++spaces;
      } else if (c == '\n') {
        // Spaces before a line end are a hard break or dropped: the general
        // path decides. A second one ends the paragraph (see blank_ends).
        if (spaces || (line_start && !blank_ends)) return false;
        ended = ended || line_start;
        line_start = true;
      } else {
        if (ended) return false;
        if (line_start) {
          if (!IsAsciiLetter(c) && static_cast<unsigned char>(c) < 0x80) return false;
          more += '\n';
          line_start = false;
        }
        more.append(spaces, ' ');
        spaces = 0;
        more += c;
      }
    }
    if (as_is_end_ == before) as_is_end_ = source_.size();
    if (more.empty()) return true;  // only spaces or a line end arrived: nothing changes on screen
    out->PushWord(kOpAppendText);
    PushPath(out, plain_path_);
    out->PushString(more);
    GrowText(*plain_tokens_, plain_tokens_->list[plain_index_], more);
    return true;
  }

  // Where a plain append after source_[0, before) goes, from those bytes
  // alone: the last word source_[w, word_end) must end the target's text
  // node; old_ws spaces (old_bars of them a cell's '|') follow it, and a
  // line end when line_start. False when no plain append may follow.
  struct PlainWord {
    size_t w = 0, word_end = 0, old_ws = 0, old_bars = 0;
    bool line_start = false;
  };
  RILLMARK_COLD bool FindPlainWord(size_t before, bool in_cell, PlainWord* pw) {
    // Spaces at the end of the source are not shown (md4c strips them at the
    // end of a paragraph, heading or cell) except inside a code span, nor is
    // a line end after a paragraph's last word and the next line's indent,
    // nor are the empty cells after a cell's last word in a table row.
    size_t old_ws = 0, old_bars = 0;
    for (char c; before - old_ws > frozen_end_ && ((c = source_[before - old_ws - 1]) == ' ' || (c == '|' && in_cell));
         ++old_ws)
      old_bars += c == '|';
    size_t word_end = before - old_ws;
    bool line_start = plain_newline_ok_ && word_end > frozen_end_ && source_[word_end - 1] == '\n';
    if (line_start) {
      // A render that saw the line end closed no span there ("a *b\n" shows
      // the '*'); the next line's text may let completion close it.
      if (word_end <= plain_since_) return false;
      --word_end;
    }
    if (word_end <= frozen_end_ || !ExtendsTarget(source_[word_end - 1]) || source_[word_end - 1] == ' ') return false;
    // The last word (old part) must be plain too, and must end the text
    // node; it may start with a run of span openers ("**bold", "`code") or
    // follow a cell's '|'. In a code span it is the text after the last
    // backtick ("(`Last"): the render showed the source's end in the span.
    size_t w = word_end;
    while (w > frozen_end_ && source_[w - 1] != ' ' && source_[w - 1] != '\n' && !(source_[w - 1] == '|' && in_cell)) {
      if (!ExtendsTarget(source_[w - 1])) {
        if (w < word_end && (plain_in_code_ ? source_[w - 1] == '`' : OpenerRunStarts(w))) break;
        // The text node right after a span starts after its closer (it has
        // just the word: no other text came between them).
        if (w < word_end && plain_follows_close_ && IsSpanMarker(source_[w - 1]) &&
            plain_tokens_->list[plain_index_].size == word_end - w && !MayLinkAcross(w))
          break;
        return false;
      }
      if (word_end - w > 256) return false;
      --w;
    }
    std::string_view shown_end = std::string_view(source_).substr(w, (plain_in_code_ ? before : word_end) - w);
    std::string_view text = plain_tokens_->str(plain_tokens_->list[plain_index_]);
    // The node must end with that whole word (not just its last letters).
    if (text.size() < shown_end.size() ||
        text.compare(text.size() - shown_end.size(), shown_end.size(), shown_end) != 0)
      return false;
    if (!plain_in_code_ && text.size() > shown_end.size()) {
      char c = text[text.size() - shown_end.size() - 1];
      if (c != ' ' && c != '\n') return false;
    }
    // Not on a line that could still become a link reference definition. In
    // a table row, only when the pipes before say the text's cell is typed:
    // a '|' in a code span or escaped splits no cell, and a cell beyond the
    // header's count is not shown; both make the count differ.
    size_t s = source_.find_first_not_of(' ', line_scan_.line);
    if (s < source_.size() && source_[s] == '[') return false;
    if ((line_scan_.pipes || plain_cell_ != kNoCell) &&
        line_scan_.pipes - line_scan_.lead_pipe != plain_cell_ + old_bars)
      return false;
    *pw = {w, word_end, old_ws, old_bars, line_start};
    return true;
  }

  // True when the last word is digits that a '.' or ')' would make an
  // ordered list marker: no letter before it on its line, only markup and
  // digits (a table row without a leading '|' shows "3" as a cell, "3." as a
  // list after the table; "6. 3." nests a list in an item: both found by
  // the fuzzer).
  bool MayBeListNumber(const PlainWord& pw) const {
    if (pw.old_ws || pw.line_start || pw.word_end - pw.w > 9) return false;
    for (size_t i = pw.w; i < pw.word_end; ++i)
      if (source_[i] < '0' || source_[i] > '9') return false;
    return !LetterBefore(pw.w);
  }

  // True when an ASCII letter precedes source_[at] on its line (in the tail).
  bool LetterBefore(size_t at) const {
    for (size_t i = at; i > frozen_end_ && source_[i - 1] != '\n'; --i)
      if (IsAsciiLetter(source_[i - 1])) return true;
    return false;
  }

  // Appends `more` to text token `t` of `tokens` (moving its string to the
  // end of the arena first unless it is there).
  static void GrowText(Tokens& tokens, Token& t, std::string_view more) {
    if (t.begin + t.size != tokens.strings.size()) {
      uint32_t at = static_cast<uint32_t>(tokens.strings.size());
      tokens.strings.append(tokens.str(t));
      t.begin = at;
    }
    tokens.strings.append(more);
    t.size += static_cast<uint32_t>(more.size());
  }

  // Plain text typed across the cell boundaries of a table row, from
  // source_[from] (the end of the plain target's last word) on: GFM cuts a
  // row into cells before it parses their text, a cell's text is trimmed,
  // and md4c pads a short row with empty cells up to the header's count. So
  // the text before the first '|' extends the target, and the text after
  // each '|' fills the next padding cell. The row's new tokens are built
  // here and diffed in: no md4c render. Declines (false) when a '|' has no
  // padding cell left or the target does not end its cell.
  RILLMARK_COLD bool CellAppend(size_t from, Batch* out) {
    Tokens& row = *plain_tokens_;
    auto is = [&row](size_t i, Token::Kind kind) {
      return i < row.list.size() && row.list[i].kind == kind && row.list[i].tag == Tag::kTd;
    };
    size_t close = plain_index_ + 1;  // the close of the cell being filled
    if (!is(close, Token::kClose)) return false;
    // Completion hides a '[' not closed yet, but a '|' ends its cell: then
    // it shows (found by the fuzzer). Not for rows with a '[', nor for rows
    // without a leading '|': completion reads those as going on with the
    // line before, which may hold the '[' (found by the fuzzer).
    if (!line_scan_.lead_pipe ||
        std::string_view(source_).substr(line_scan_.line, from - line_scan_.line).find('[') != std::string_view::npos)
      return false;
    // The new row: the old one's tokens with the target grown and a text
    // token in each padding cell that gets text. (Declining half-way is
    // fine: the render that follows sets the plain target anew.)
    std::string_view rest = std::string_view(source_).substr(from);
    Tokens& next = target_next_;
    next.clear();
    next.AppendRange(row, 0, close);
    size_t copied = close;  // row's tokens before it are in `next`
    size_t moved = 0;       // cells passed since the target's
    for (size_t pos = 0;;) {
      size_t bar = rest.find('|', pos);
      if (pos && bar == pos) return false;  // md4c 0.4.8 reads "||" as one boundary
      std::string_view part = rest.substr(pos, bar == std::string_view::npos ? bar : bar - pos);
      // The target keeps the spaces before its new words; a new cell's text
      // starts at its first word. Spaces at a cell's end are not shown.
      size_t b = pos == 0 ? 0 : part.find_first_not_of(' '), e = part.find_last_not_of(' ');
      if (e != std::string_view::npos) {
        std::string_view text = part.substr(b, e + 1 - b);
        if (pos == 0) {
          GrowText(next, next.list.back(), text);
        } else {
          // The new text node, child 0 of a later cell, is the target now.
          next.AppendRange(row, copied, close);
          copied = close;
          plain_index_ = next.list.size();
          next.PushText(text);
          plain_cell_ += moved;
          plain_path_[plain_path_.size() - 2] += static_cast<uint32_t>(moved);
          plain_path_.back() = 0;
          moved = 0;
        }
      }
      if (bar == std::string_view::npos) break;
      close += 2;  // the next cell's close: it must be a padding cell
      if (!is(close - 1, Token::kOpen) || !is(close, Token::kClose)) return false;
      ++moved;
      pos = bar + 1;
    }
    next.AppendRange(row, copied, row.list.size());
    ReplaceTarget(out);
    return true;
  }

  // Plain text typed right after a span the source closed: a new text node
  // after its closing tag, from the closer on (leading spaces show, trailing
  // ones not yet). It is the target from then on. A code span's closer stays
  // one whatever follows. An emphasis or strikethrough closer was flanked by
  // the end of the text when it closed; the text's first byte keeps its
  // flanking (so its pairing) as that was when it is a space, or an ASCII
  // punctuation byte after a letter or digit (a letter would make the closer
  // left-flanking too: "*a**b" is no emphasis).
  // (TryPlainAppend checked the new bytes; the ones before them since the
  // render were spaces.)
  RILLMARK_COLD bool AfterCloseAppend(size_t before, Batch* out) {
    std::string_view text = std::string_view(source_).substr(plain_after_from_);
    if (text.find_first_of("|\n") != std::string_view::npos || MayBecomeWwwLink(text)) return false;
    char closer = source_[plain_after_from_ - 1];
    if (closer != '`') {
      if (MayLinkAcross(plain_after_from_)) return false;
      size_t run = source_.find_last_not_of(closer, plain_after_from_ - 1);
      bool punct = static_cast<unsigned char>(text[0]) < 0x80 && !IsAsciiAlnum(text[0]);  // a plain byte: not ' '
      if (text[0] != ' ' && (run == std::string::npos || run < frozen_end_ || !IsAsciiAlnum(source_[run]) || !punct))
        return false;
    }
    if (as_is_end_ == before) as_is_end_ = source_.size();
    size_t e = text.find_last_not_of(' ');
    if (e == std::string_view::npos) return true;  // spaces only: nothing shows yet
    text = text.substr(0, e + 1);
    Tokens& tokens = *plain_tokens_;
    Tokens& next = target_next_;
    next.clear();
    next.AppendRange(tokens, 0, plain_index_);
    next.PushText(text);
    next.AppendRange(tokens, plain_index_, tokens.list.size());
    ReplaceTarget(out);
    plain_after_close_ = false;
    plain_follows_close_ = true;
    return true;
  }

  // Makes target_next_ the plain target's token sequence: the diff from the
  // old one goes out, and they swap.
  RILLMARK_COLD void ReplaceTarget(Batch* out) {
    Tokens& tokens = *plain_tokens_;
    if (plain_tokens_ == &shown_) {
      Diff(tokens, target_next_, out);
    } else {
      Diff(tokens, target_next_, out, container_path_, container_children_);
    }
    tokens.list.swap(target_next_.list);
    tokens.strings.swap(target_next_.strings);
  }

  // What TryPlainAppend needs to know about the source before a plain append,
  // kept up to date by scanning each byte once (a line-wide or tail-wide
  // search per token made a long paragraph quadratic).
  struct LineScan {
    size_t pos = 0;                      // scanned up to here
    size_t line = 0;                     // start of the line holding pos
    size_t pipes = 0;                    // '|' in that line before pos
    bool lead_pipe = false;              // its first non-space byte is a '|'
    bool lead_seen = false;              // ... a non-space byte came
    size_t def_colon = std::string::npos;  // the last "]:" before pos
    size_t link_paren = std::string::npos;  // the last "](" before pos
  };
  void ScanLine(size_t to) {
    LineScan& l = line_scan_;
    for (; l.pos < to; ++l.pos) {
      char c = source_[l.pos];
      if (c != ' ' && !l.lead_seen) {
        l.lead_seen = c != '\n';
        l.lead_pipe = c == '|';
      }
      if (c == '\n') {
        l.line = l.pos + 1;
        l.pipes = 0;
        l.lead_seen = l.lead_pipe = false;
      } else if (c == '|') {
        ++l.pipes;
      } else if (c == ':' && l.pos > 0 && source_[l.pos - 1] == ']') {
        l.def_colon = l.pos - 1;
      } else if (c == '(' && l.pos > 0 && source_[l.pos - 1] == ']') {
        l.link_paren = l.pos - 1;
      }
    }
  }

  // True when the line holding `at` starts with a '|' after spaces.
  RILLMARK_COLD bool LineLeadsWithPipe(size_t at) {
    if (line_scan_.pos <= at) ScanLine(at + 1);
    if (std::string_view(source_).substr(at, line_scan_.pos - at).find('\n') == std::string_view::npos)
      return line_scan_.lead_pipe;
    size_t line = source_.rfind('\n', at);  // a line end came after it: look back (rare)
    line = line == std::string::npos ? 0 : line + 1;
    size_t s = source_.find_first_not_of(' ', line);
    return s < source_.size() && source_[s] == '|';
  }

  // ---- fast path 2: an open fenced code block at the start of the tail --------
  // Its content is verbatim text: new lines are appended to the one text node
  // of <pre><code> without re-parsing; only a closing fence ends the mode.
  RILLMARK_COLD bool EnterFence(Tokens* next) {
    std::string_view tail = std::string_view(source_).substr(frozen_end_);
    size_t nl = tail.find('\n');
    if (nl == std::string_view::npos) return false;
    std::string_view first = tail.substr(0, nl);
    char ch;
    size_t run, indent;
    // Only a fence at column 0: its content lines are shown verbatim. (The
    // whole-tail check comes second: most tails are no fence.)
    if (!detail::OpensFence(first, &ch, &run, &indent) || indent != 0 || !FenceTextIsVerbatim(tail, 0)) return false;
    std::string_view info = first.substr(run);
    if (info.find_first_of("\\&") != std::string_view::npos) return false;
    fence_char_ = ch;
    fence_len_ = run;
    fence_line_ = frozen_end_ + nl + 1;
    if (FindFenceClose()) return false;
    // The language as md4c takes it: after leading spaces (only spaces), up
    // to the first space, tab, VT or FF (found by the fuzzer).
    size_t b = info.find_first_not_of(' ');
    std::string lang;
    if (b != std::string_view::npos) {
      size_t e = info.find_first_of(" \t\v\f", b);
      lang = std::string(info.substr(b, e == std::string_view::npos ? e : e - b));
    }
    // Build the tokens md4c would give: pre > code[class] > text.
    next->clear();
    std::string attrs;
    if (!lang.empty()) detail::PushAttr(attrs, AttrName::kClass, "language-" + lang);
    next->list.push_back({Token::kOpen, Tag::kPre, 0, 0});
    next->list.push_back({Token::kOpen, Tag::kCode, 0, static_cast<uint32_t>(attrs.size())});
    next->strings = attrs;
    std::string_view content = FenceVisible();
    if (!content.empty()) next->PushText(content);
    next->list.push_back({Token::kClose, Tag::kCode, 0, 0});
    next->list.push_back({Token::kClose, Tag::kPre, 0, 0});
    last_suffix_only_ = false;
    return true;
  }

  // Advances fence_line_ over complete content lines; true at a closing fence.
  bool FindFenceClose() {
    while (true) {
      size_t nl = source_.find('\n', fence_line_);
      if (nl == std::string::npos) return false;
      if (detail::ClosesFence(std::string_view(source_).substr(fence_line_, nl - fence_line_), fence_char_, fence_len_))
        return true;
      fence_line_ = nl + 1;
    }
  }

  // The code text shown: complete lines, plus the partial last line unless it
  // may be the start of the closing fence.
  std::string_view FenceVisible() const {
    size_t content_begin = source_.find('\n', frozen_end_) + 1;
    size_t end = PartialMayClose() ? fence_line_ : source_.size();
    return std::string_view(source_).substr(content_begin, end - content_begin);
  }
  // True when the partial last line may be the start of the closing fence:
  // up to 3 spaces, a run of the fence's character, only spaces or tabs.
  bool PartialMayClose() const {
    std::string_view partial = std::string_view(source_).substr(fence_line_);
    size_t i = 0;
    while (i < partial.size() && i < 3 && partial[i] == ' ') ++i;
    size_t run_end = std::min(partial.find_first_not_of(fence_char_, i), partial.size());
    return run_end > i && partial.find_first_not_of(" \t", run_end) == std::string_view::npos;
  }

  bool FenceAppend(Batch* out) {
    if (FindFenceClose()) {
      fence_active_ = false;
      return false;
    }
    std::string_view visible = FenceVisible();
    size_t have = shown_text_size();
    if (visible.size() < have || !FenceTextIsVerbatim(visible, have)) {
      fence_active_ = false;
      return false;
    }
    if (visible.size() == have) return true;
    std::string_view more = visible.substr(have);
    if (have == 0) {
      out->PushWord(kOpTruncate);
      out->PushWord(3);
      out->PushWord(0);
      out->PushWord(0);
      out->PushWord(0);
      out->PushWord(kOpText);
      out->PushString(more);
      out->PushWord(kOpClose);
      out->PushWord(kOpClose);
      shown_.list.insert(shown_.list.begin() + 2, {Token::kText, Tag::kNone,
                                                   static_cast<uint32_t>(shown_.strings.size()), 0});
    } else {
      out->PushWord(kOpAppendText);
      out->PushWord(3);
      out->PushWord(0);
      out->PushWord(0);
      out->PushWord(0);
      out->PushString(more);
    }
    GrowText(shown_, shown_.list[2], more);
    return true;
  }

  // ---- prediction: text the caller shows without a flush ----------------------
  // After a flush that left a plain target (fast path 1) at the end of a word
  // in the middle of a line, any run of plain bytes without '.', '|', a line
  // end or non-ASCII is a plain append whatever comes in it: TryPlainAppend
  // then depends on the bytes before it alone (FindPlainWord; quotes and ')'
  // only on the line before them: flags), a word without '.' cannot become
  // a www link, and spaces show once a word follows them. In an open fence,
  // the rest of a code line is shown as it comes once it can no longer be a
  // closing fence nor put a tab into its indentation (see PartialMayClose).
  RILLMARK_COLD void Predict() {
    pred_.kind = Prediction::kNone;
    if (!carry_.empty()) return;  // its bytes come first
    pred_.budget = static_cast<uint32_t>(std::min<size_t>(opt_.max_source_bytes - source_.size(), kPredictMax));
    if (fence_active_) {
      // The partial line (FindFenceClose went past every whole line) needs
      // a byte after its indentation: then no byte but a line end makes it
      // a closing fence or puts a tab into its indentation (FenceAppend
      // showed it: there is none now).
      if (PartialMayClose() || source_.find_first_not_of(" \t", fence_line_) == std::string::npos) return;
      if (shown_text_size() == 0) return;  // (the line shows: never; AppendShown grows that text)
      pred_.path.assign({0, 0, 0});
      pred_.kind = Prediction::kVerbatim;
      return;
    }
    // (A target after a closed span fails FindPlainWord: the source ends
    // with the closer.)
    if (!plain_ok_ || plain_in_code_) return;
    ScanLine(source_.size());
    PlainWord pw;
    if (!FindPlainWord(source_.size(), plain_cell_ != kNoCell, &pw) || pw.line_start || pw.old_bars ||
        source_.find('.', pw.w) != std::string::npos)
      return;
    auto set_from = [this](size_t at) { return at == std::string::npos || at < frozen_end_; };
    pred_.flags = static_cast<uint8_t>((set_from(line_scan_.def_colon) ? Prediction::kQuotes : 0) |
                                       (set_from(line_scan_.link_paren) && !MayBeListNumber(pw) ? Prediction::kParens : 0));
    pred_.spaces = static_cast<uint32_t>(pw.old_ws);
    pred_.path = plain_path_;
    pred_.kind = Prediction::kWords;
  }

  static constexpr size_t kPredictMax = size_t{1} << 16;

 public:
  // The state Flush leaves after the fast path the prediction names (see
  // Flush, TryPlainAppend, FenceAppend), without its patch.
  RILLMARK_COLD Status AppendShown(std::string_view text) {
    if (text.empty()) return Status::kOk;
    if (!pred_.Covers(text)) return Status::kBadArgument;
    size_t before = source_.size();
    source_.append(text);  // (after a CR no prediction: it ends a line)
    flushed_ = source_.size();
    pred_.budget -= static_cast<uint32_t>(text.size());
    tail_memo_.valid = false;
    if (as_is_end_ == before) as_is_end_ = source_.size();  // (in a container or a fence Flush drops it)
    if (pred_.kind == Prediction::kVerbatim) {
      GrowText(shown_, shown_.list[2], text);
      return Status::kOk;
    }
    size_t end = text.find_last_not_of(' ');
    if (end == std::string_view::npos) {
      pred_.spaces += static_cast<uint32_t>(text.size());
      return Status::kOk;
    }
    std::string& more = plain_more_;
    more.assign(pred_.spaces, ' ');
    more.append(text.substr(0, end + 1));
    pred_.spaces = static_cast<uint32_t>(text.size() - end - 1);
    GrowText(*plain_tokens_, plain_tokens_->list[plain_index_], more);
    return Status::kOk;
  }
  const Prediction& prediction() const { return pred_; }

 private:
  // md4c shows fenced code lines verbatim except NUL (U+FFFD), CR (a line
  // end) and lines with a tab in their indentation (re-indented with
  // spaces): the fast path leaves those to the general path. Checks the lines touching [from, end).
  static bool FenceTextIsVerbatim(std::string_view text, size_t from) {
    size_t begin = text.rfind('\n', from == 0 ? 0 : from - 1);
    begin = begin == std::string_view::npos || from == 0 ? 0 : begin + 1;
    std::string_view part = text.substr(begin);
    if (part.find('\0') != std::string_view::npos || part.find('\r') != std::string_view::npos) return false;
    size_t pos = 0;
    while (pos < part.size()) {
      size_t nl = part.find('\n', pos);
      std::string_view line = part.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      size_t indent = std::min(line.find_first_not_of(" \t"), line.size());
      if (line.substr(0, indent).find('\t') != std::string_view::npos) return false;
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    return true;
  }

  size_t shown_text_size() const {
    return shown_.list.size() > 2 && shown_.list[2].kind == Token::kText ? shown_.list[2].size : 0;
  }

  MarkdownOptions opt_;
  std::string source_;
  std::string carry_;        // bytes of a UTF-8 character split across appends
  bool last_was_cr_ = false;  // the last append ended with CR (LF may follow)
  size_t flushed_ = 0;       // source_ bytes reflected in the DOM
  size_t frozen_end_ = 0;    // source_[0, frozen_end_) is frozen
  size_t frozen_nodes_ = 0;  // top-level DOM nodes frozen
  Tokens frozen_;            // render of the frozen blocks (checked at Finish)
  Tokens shown_;             // render of the tail as the DOM shows it
  std::string defs_;         // link reference definitions of frozen blocks
  size_t scan_pos_ = 0;
  bool scan_prev_blank_ = false;
  bool scan_prev_heading_ = false;
  bool scan_pipes_ = false;  // a line since the last blank one held a '|'
  detail::FenceScan scan_fence_{(opt_.md_flags & MD_FLAG_TABLES) != 0};  // fences and tables up to scan_pos_
  size_t partial_checked_ = std::string::npos;  // partial line already checked as a cut
  std::string pending_defs_;  // definitions of the part before a candidate cut
  bool last_suffix_only_ = true;
  bool last_unchanged_ = true;  // the last tail render was of the tail itself
  bool blank_ok_ = false;       // see UpdateBlankState
  bool plain_ok_ = false;
  bool plain_in_code_ = false;  // the last text node is inside a code span
  bool plain_newline_ok_ = false;  // ... and in a paragraph: a line end may follow
  size_t plain_since_ = 0;         // source_ size at the render that set the plain state
  static constexpr size_t kNoCell = ~size_t{0};
  size_t plain_cell_ = kNoCell;    // in a table row: the index of the text's cell
  std::string plain_more_;
  size_t plain_index_ = 0;
  Tokens* plain_tokens_ = &shown_;  // shown_, or container_live_ in a container
  std::vector<uint32_t> plain_path_;
  Tokens target_next_;  // the plain target's new tokens in CellAppend, AfterCloseAppend (reused)
  bool plain_after_close_ = false;   // the target is the text node to follow a span the source closed
  size_t plain_after_from_ = 0;      // ... and that text starts here (after the closer)
  bool plain_follows_close_ = false;  // the target text node follows a closed span
  LineScan line_scan_;
  bool fence_active_ = false;
  char fence_char_ = 0;
  size_t fence_len_ = 0;
  size_t fence_line_ = 0;  // start of the first content line not yet checked
  size_t slow_renders_ = 0;
  Container container_ = Container::kNone;
  char list_marker_ = 0;
  bool list_ordered_ = false;
  bool list_loose_ = false;
  std::string table_head_;                 // header + delimiter lines, or a dummy list item
  detail::CompleteScratch scratch_;        // completion's and md4c's work buffers (reused)
  std::vector<uint32_t> diff_path_;        // EmitDiff's path (reused buffer)
  Ranges ranges_;                          // ChildRanges of the container code (reused)
  std::vector<size_t> starts_;             // where the container's children start (reused)
  std::vector<uint32_t> container_path_;   // the <ul>/<ol> or <tbody> in the tail
  Tokens container_prefix_, container_frozen_, container_live_, container_suffix_;
  uint32_t container_children_ = 0;        // frozen children in the container
  size_t child_begin_ = 0;                 // source offset of the live child
  std::string work_;
  Tokens whole_, before_, after_;
  detail::RenderMemo tail_memo_;  // input of the render shown_ came from
  size_t memo_from_ = 0;          // ... which started at this source offset
  // shown_ is md4c's render of source_[memo_from_, as_is_end_) as it is
  // (nothing completed): set by a tail render, moved on by plain appends
  // (other fast paths add text after it, or run in a container or a fence,
  // where Flush drops it).
  static constexpr size_t kNoEnd = ~size_t{0};
  size_t as_is_end_ = kNoEnd;
  detail::RenderMemo container_memo_;  // input of the render container_live_ came from (see ContainerFlush)
  detail::RenderMemo cut_memo_;        // input of after_, rendered by ConfirmCut (valid in its flush)
  Tokens next_, newly_frozen_, render_, live_;  // per-flush scratch, kept for its capacity
  std::string container_text_;
  std::string para_carry_;      // text of the frozen part merged into the live part's first node
  size_t para_next_try_ = 0;    // source size from which to try the paragraph mode or a cut again
  Prediction pred_;
};

MarkdownRenderer::MarkdownRenderer(MarkdownOptions options) : impl_(std::make_unique<Impl>(options)) {}
MarkdownRenderer::~MarkdownRenderer() = default;
Status MarkdownRenderer::Append(std::string_view text) { return impl_->Append(text); }
void MarkdownRenderer::Flush(Batch* out) { impl_->Flush(out); }
void MarkdownRenderer::Finish(Batch* out) { impl_->Finish(out); }
// A fresh Impl, not an assignment to the old one: the compiler inlined the
// member-wise move of every buffer into the Wasm (several KB) for a cold path.
void MarkdownRenderer::Reset() { impl_ = std::make_unique<Impl>(impl_->options()); }
const std::string& MarkdownRenderer::source() const { return impl_->source(); }
size_t MarkdownRenderer::frozen_bytes() const { return impl_->frozen_bytes(); }
bool MarkdownRenderer::in_container() const { return impl_->in_container(); }
size_t MarkdownRenderer::paragraph_live_start() const { return impl_->paragraph_live_start(); }
size_t MarkdownRenderer::slow_renders() const { return impl_->slow_renders(); }
const Prediction& MarkdownRenderer::prediction() const { return impl_->prediction(); }
Status MarkdownRenderer::AppendShown(std::string_view text) { return impl_->AppendShown(text); }

bool Prediction::Covers(std::string_view text) const {
  if (kind == kNone || text.size() > budget) return false;
  if (kind == kVerbatim)
    return text.find_first_of(std::string_view("\n\r\0", 3)) == std::string_view::npos && detail::IsValidUtf8(text);
  for (char c : text) {
    bool ok = IsAsciiAlnum(c) || c == ' ' || std::string_view(",;:?-(").find(c) != std::string_view::npos ||
              ((flags & kQuotes) && (c == '"' || c == '\'')) || ((flags & kParens) && c == ')');
    if (!ok) return false;
  }
  return true;
}

}  // namespace rillmark

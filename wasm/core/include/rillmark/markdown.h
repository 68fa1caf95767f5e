// rillmark — Markdown rendering on md4c: one-shot and incremental.
//
// Both render through the same token list (open element, text, close), so the
// HTML string of RenderMarkdownHtml and the DOM that MarkdownRenderer builds
// from patch ops are the same tree. Safety is by construction: raw HTML is
// text (md4c's NOHTML flags), only allow-listed URL schemes reach href/src,
// and only a fixed set of attribute names exists at all.
#ifndef RILLMARK_MARKDOWN_H_
#define RILLMARK_MARKDOWN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rillmark/batch.h"
#include "rillmark/status.h"

namespace rillmark {

/// md4c dialect flags used by default: GitHub (tables, strikethrough, task
/// lists, permissive autolinks) with raw HTML disabled (shown as text).
unsigned DefaultMarkdownFlags();

struct MarkdownOptions {
  unsigned md_flags = DefaultMarkdownFlags();  ///< md4c MD_FLAG_* bits; NOHTML is always added
  bool complete_incomplete = true;  ///< close half-typed markers in the live tail
  size_t max_source_bytes = size_t{16} << 20;  ///< Append beyond this: kTextTooLarge, text dropped
};

/// Renders `markdown` at once to an HTML string (UTF-8). Text is escaped,
/// links/images are allow-listed, raw HTML is text.
std::string RenderMarkdownHtml(std::string_view markdown, const MarkdownOptions& options = {});

/// Patch op codes written to the Batch by MarkdownRenderer (words; strings are
/// 2 words, see batch.h). Paths are child indices from the tail root: the
/// target's children after the frozen ones.
///  kOpOpen: op, tag, attr_count, (attr_name, value(2))*  — append element, enter it
///  kOpClose: op                                           — leave the element
///  kOpText: op, text(2)                                   — append a text node
///  kOpAppendText: op, depth, path[depth], text(2)         — Text.appendData
///  kOpTruncate: op, depth, path[depth] — remove the node at path, its following
///     siblings and the following siblings of every ancestor; enter its parent
///  kOpFreeze: op, n    — the first n tail nodes become frozen
///  kOpUnfreeze: op, n  — the last n frozen nodes become tail again
enum PatchOp : uint32_t {
  kOpOpen = 1, kOpClose = 2, kOpText = 3, kOpAppendText = 4,
  kOpTruncate = 5, kOpFreeze = 6, kOpUnfreeze = 7,
};

/// Element tags of the patch ops (index into the JS tag table).
enum class Tag : uint8_t {
  kNone = 0, kP, kH1, kH2, kH3, kH4, kH5, kH6, kBlockquote, kUl, kOl, kLi, kPre,
  kCode, kHr, kTable, kThead, kTbody, kTr, kTh, kTd, kEm, kStrong, kDel, kA,
  kImg, kBr, kInput,
};
/// Attribute names (index into the JS attribute table).
enum class AttrName : uint8_t { kHref = 1, kTitle, kSrc, kAlt, kClass, kStart, kAlign, kType, kChecked, kDisabled };

std::string_view TagName(Tag tag);
std::string_view AttrNameString(AttrName name);

/// What the next Flush() would do with text of a predictable kind, so that a
/// caller may show that text itself and skip the Flush (the JS package then
/// makes no Wasm call for most words of a paragraph or lines of code). Set by
/// each Flush(); kNone after Append() and Finish().
struct Prediction {
  enum Kind : uint8_t {
    kNone = 0,
    /// Words in the middle of a line grow a text node: ASCII letters, digits,
    /// spaces and ",;:?-(" (also '"' '\'' with kQuotes, ')' with kParens).
    /// Spaces show only once a word follows them (`spaces` are pending now).
    kWords = 1,
    /// The rest of a code line in an open fence grows its text node as it
    /// is: anything but a line end (LF, CR) and NUL.
    kVerbatim = 2,
  };
  static constexpr uint8_t kQuotes = 1, kParens = 2;
  Kind kind = kNone;
  uint8_t flags = 0;
  uint32_t spaces = 0;
  uint32_t budget = 0;         ///< bytes that may be shown before the next Flush()
  std::vector<uint32_t> path;  ///< DOM path of the text node, as in kOpAppendText

  /// True when `text` (UTF-8) is of the predicted kind and fits the budget.
  bool Covers(std::string_view text) const;
};

/// Incremental renderer: Append() buffers, Flush() writes the minimal patch that
/// brings the DOM from its last state to the render of the text so far.
class MarkdownRenderer {
 public:
  explicit MarkdownRenderer(MarkdownOptions options = {});
  ~MarkdownRenderer();
  MarkdownRenderer(const MarkdownRenderer&) = delete;
  MarkdownRenderer& operator=(const MarkdownRenderer&) = delete;

  /// Buffers text (UTF-8; ill-formed bytes become U+FFFD). kTextTooLarge when the
  /// source would exceed max_source_bytes: the text is dropped, nothing rendered is lost.
  Status Append(std::string_view text);
  /// Writes the patch for everything appended since the last Flush into `out`
  /// (cleared first). Invariant: the DOM equals the one-shot render of the
  /// source with the last block completed; blocks before it are frozen.
  void Flush(Batch* out);
  /// End of text: the DOM equals RenderMarkdownHtml(source()) exactly.
  void Finish(Batch* out);
  /// What the next Flush() would do with predictable text (see Prediction).
  const Prediction& prediction() const;
  /// Takes `text` as appended and flushed, its patch applied by the caller as
  /// prediction() says: kWords appends the text to the node at `path`, with
  /// `spaces` spaces before it and its trailing spaces held back (they become
  /// the new `spaces`); kVerbatim appends it as it is. The prediction stays
  /// valid for more text (budget and spaces updated). kBadArgument when the
  /// prediction does not cover `text`: nothing changes.
  Status AppendShown(std::string_view text);
  /// Back to empty, as newly constructed (the caller clears its DOM).
  void Reset();

  const std::string& source() const;
  /// Diagnostics for tests and benchmarks.
  size_t frozen_bytes() const;
  /// True while finished items/rows of a long list or table tail are frozen
  /// inside their container and only the live child is re-rendered.
  bool in_container() const;
  /// Source offset where the re-rendered end of a long last paragraph starts
  /// (its text before is frozen inside the <p>); 0 when not in that mode.
  size_t paragraph_live_start() const;
  size_t slow_renders() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rillmark

#endif  // RILLMARK_MARKDOWN_H_

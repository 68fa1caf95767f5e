// Private: completion of a half-typed Markdown tail (DESIGN.md invariant 5).
#ifndef RILLMARK_SRC_COMPLETE_H_
#define RILLMARK_SRC_COMPLETE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "render.h"

namespace rillmark::detail {

/// An emphasis, strikethrough or code span opener run CompleteTail tracks.
struct OpenerRun {
  char c;
  size_t len;
  size_t pos;  // position of the run in the tail
};

/// Buffers completion and a completed render reuse from call to call (a
/// renderer keeps one): completing and rendering a short tail then allocates
/// nothing.
struct CompleteScratch {
  std::vector<std::pair<size_t, size_t>> cuts;
  std::vector<OpenerRun> stack;
  std::vector<size_t> brackets;
  std::string suffix;
  std::string text;  // what RenderCompleted gives md4c when it has no memo
  RenderScratch render;
};

/// Appends to `out` the tail `t` rewritten so that half-typed constructs at its
/// end render as what they are becoming: unclosed emphasis/strike/code spans are
/// closed, a dangling marker line or fence opener is held back, a link whose URL
/// is still arriving shows its text without an href, a potential table header
/// waits for its delimiter row. Returns true when the rewrite only appended
/// closers and hid '[' not closed yet: then text appended to `t` that closes
/// nothing shows as itself, before those closers (the plain-append contract).
bool CompleteTail(std::string_view t, std::string* out, CompleteScratch* scratch = nullptr);

/// A line (without its line end) that opens a fenced code block: up to 3
/// spaces, 3+ backticks or tildes, and for backticks an info string without
/// backticks. Sets the fence character, run length and the run's indent.
bool OpensFence(std::string_view line, char* ch, size_t* len, size_t* indent = nullptr);

/// A line that closes a fence opened with `len` times `ch`: up to 3 spaces,
/// the run, then only spaces (md4c 0.4.8 keeps "```\t" as code).
bool ClosesFence(std::string_view line, char ch, size_t len);

/// md4c 0.4.8's reading of fences, line by line from a block start: the
/// containers (quotes, list items) each line continues, lazy paragraph
/// lines, and a fence open inside them, which ends with its container. A
/// line that looks like a fence opener opens none inside an open table,
/// where md4c keeps every line as a row until a blank line, a thematic break
/// or a line that starts a list item or a quote. Tabs count to the next
/// multiple of 4 columns (a tab split by a container's indentation is taken
/// whole); more than kMaxDepth nested containers are read as text.
class FenceScan {
 public:
  enum Kind : uint8_t { kText, kBlank, kOpen, kCode, kClose, kRow, kIndented };
  static constexpr size_t kMaxDepth = 32;
  /// `tables`: the dialect has tables (MD_FLAG_TABLES).
  explicit FenceScan(bool tables = true) : tables_(tables) { Reset(); }
  /// Reads the next complete line (without its line end).
  Kind Line(std::string_view line);
  /// Back to the state at a block start (the dialect stays).
  void Reset();
  /// Where the content of `line` starts after the markers and indentation of
  /// the containers open now, or npos when not all of them go on on it.
  size_t ContentStart(std::string_view line) const;
  bool open() const { return len_ != 0; }
  /// Containers (quotes, list items) the next line may continue.
  size_t depth() const { return depth_; }
  /// The last line ended a fence: closed it, or ended its container (then
  /// the line itself is no code).
  bool ended_fence() const { return ended_; }
  char fence_char() const { return ch_; }
  size_t fence_len() const { return len_; }

 private:
  struct Container {
    bool quote;
    uint32_t indent;  // a list item's content column, from its parent's content
  };
  // How many open containers `line` continues; *pos: where its content
  // starts, *col: at which column.
  size_t Match(std::string_view line, bool blank, size_t* pos, size_t* col = nullptr) const;
  // Pushes the containers `line` starts at *pos, column `col` (advancing
  // *pos); true if any.
  bool Open(std::string_view line, size_t* pos, size_t col);
  void Close(size_t depth);
  Kind Read(std::string_view line, bool code_may_follow);

  bool tables_;
  Container open_[kMaxDepth];  // [0, depth_) in use
  size_t depth_;
  char ch_;
  size_t len_;  // the open fence's run (0: none); it is in the innermost container
  bool table_;
  size_t table_depth_;
  uint8_t para_;  // lines of the innermost container's open paragraph: 0, 1 or 2 (more)
  bool ended_;
  bool code_may_follow_;  // after a blank line, code, a heading or a break: an indented line is code
};

/// Open-fence state of `t`'s complete lines (read as FenceScan does): fills
/// `fence` with the fence run (e.g. "```") when the last fence opened is
/// still open.
bool InOpenFence(std::string_view t, std::string* fence);

/// A line of only spaces, tabs (and CR).
bool IsBlankLine(std::string_view line);

/// An ATX heading line: up to 3 spaces, 1–6 '#', then a space, tab or the end.
bool IsAtxHeading(std::string_view line);

/// True when the line of `t` starting at `begin` starts a new block: it is the
/// first line, or follows a blank line or an ATX heading.
bool StartsBlock(std::string_view t, size_t begin);

/// The text a RenderCompleted call gave md4c, for the next call to compare.
struct RenderMemo {
  std::string text;
  std::string scratch;  // the next call's text is built here (its capacity is reused)
  bool valid = false;  // `text` is what the caller's tokens were rendered from
  bool hit = false;    // set by RenderCompleted: same text as before, `out` untouched
  bool spaces_ok = false;  // set by the caller: `out` shows no code block (see RenderCompleted)
};

/// Renders `defs` (link definitions, may be empty) followed by the completed
/// form of `part` into `out`. A code line still arriving shows without the
/// line end md4c gives every code line, so typing into it is a pure append.
/// Returns CompleteTail's result; `*unchanged` (when given) says whether the
/// rendered text was `part` itself (nothing appended, nothing held back).
/// With a valid `memo` whose text equals this call's, md4c is not run and
/// `out` is left as it is (memo->hit): what is held back while a link URL,
/// a table header or a fence line arrives changes nothing on screen.
bool RenderCompleted(std::string_view defs, std::string_view part, unsigned md_flags, Tokens* out,
                     bool* unchanged = nullptr, RenderMemo* memo = nullptr, CompleteScratch* scratch = nullptr);

}  // namespace rillmark::detail

#endif  // RILLMARK_SRC_COMPLETE_H_

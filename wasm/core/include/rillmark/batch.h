// rillmark — the flat record buffer that crosses the Wasm boundary.
//
// One call into the module fills one Batch; JS reads it once: an array of
// uint32 words and one UTF-8 text blob. Strings inside the words are two words,
// the [begin, end) range in UTF-16 code units of the decoded blob, so JS decodes
// the blob with a single TextDecoder call and takes substrings (no per-string
// crossing, no per-string decode).
#ifndef RILLMARK_BATCH_H_
#define RILLMARK_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rillmark {

class Batch {
 public:
  /// Empties the batch; keeps its capacity (no allocation in steady state).
  void Clear();

  /// Appends one number.
  void PushWord(uint32_t word) { words_.push_back(word); }
  /// Appends `n` words, uninitialized, and returns where to write them (one
  /// size check).
  uint32_t* Extend(size_t n) {
    size_t at = words_.size();
    words_.resize(at + n);
    return words_.data() + at;
  }
  /// Overwrites word `at` (a count known only after what follows it).
  void SetWord(size_t at, uint32_t word) { words_[at] = word; }

  /// A string's [begin, end) in UTF-16 code units (of the blob or the input).
  struct Range {
    uint32_t begin, end;
  };

  /// Appends well-formed UTF-8 `s` to the blob; returns its range.
  Range AddString(std::string_view s);
  /// The byte range of `s` in the input when `s` lies inside the input and
  /// is ASCII; false (and nothing changes) otherwise. JS decodes the input
  /// one code unit per byte (Latin-1), which is exact for ASCII whatever the
  /// rest of the input holds: no UTF-16 offsets to count, and an input with a
  /// few non-ASCII characters costs no UTF-8 decode of the whole of it
  /// (strings with them go to the text blob instead).
  bool AddInputString(std::string_view s, Range* out);

  /// AddString, then its range as 2 words.
  void PushString(std::string_view s) { PushRange(AddString(s)); }

  /// The bytes of the call that fills this batch (the input buffer JS wrote).
  /// Strings that lie inside it can be pushed as ranges of the input instead
  /// of copies; the batch must not outlive the input. Clear() forgets it.
  void SetInput(std::string_view input);

  /// AddInputString, then its range as 2 words; false (pushing nothing) when
  /// AddInputString is.
  bool PushInputString(std::string_view s) {
    Range r;
    if (!AddInputString(s, &r)) return false;
    PushRange(r);
    return true;
  }

  /// True when the input is well-formed UTF-8 (checked once per input).
  bool InputWellFormed();

  /// True when some string refers to the input (JS must decode it).
  bool uses_input() const { return uses_input_; }
  /// True when the input is all ASCII (any decoding of it gives the same string).
  bool input_ascii() const { return input_kind_ == InputKind::kAscii; }

  std::span<const uint32_t> words() const { return words_; }
  const std::string& text() const { return text_; }
  bool empty() const { return words_.empty(); }

 private:
  // Leaves a uint32_t that resize() adds uninitialised: Extend's words are
  // written right after (a zero-filling resize was 5% of the SSE profile).
  template <class T>
  struct NoInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = NoInitAllocator<U>;
    };
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
  };
  void PushRange(Range r) {
    uint32_t* w = Extend(2);
    w[0] = r.begin;
    w[1] = r.end;
  }

  std::vector<uint32_t, NoInitAllocator<uint32_t>> words_;
  std::string text_;
  uint32_t text_units_ = 0;  // UTF-16 length of text_
  std::string_view input_;
  enum class InputKind : uint8_t { kUnchecked, kAscii, kUtf8, kIllFormed } input_kind_ = InputKind::kUnchecked;
  bool uses_input_ = false;
};

/// Record kinds written by the SSE parser and the token decoder bindings.
/// Layouts (words): kEvent: kind, data(2) · kEventInput: as kEvent, but data(2)
/// is a byte range of the input (ASCII, see AddInputString) · kEventMeta: kind, type(2), id(2), the
/// type and last event ID of the events after it (one before the first event
/// of a batch and wherever they change) · kEventMetaDefault: kind, as
/// kEventMeta with type "message" and an empty id · kRetry: kind, ms · kComment: kind,
/// text(2) · kError: kind, status, message(2) · kText: kind, text(2) · kDone:
/// kind · kLastId: kind, id(2) (the last event ID changed).
enum RecordKind : uint32_t {
  kRecordEvent = 1,
  kRecordRetry = 2,
  kRecordComment = 3,
  kRecordError = 4,
  kRecordText = 5,
  kRecordDone = 6,
  kRecordLastId = 7,
  kRecordEventInput = 8,
  kRecordEventMeta = 9,
  kRecordEventMetaDefault = 10,
};

}  // namespace rillmark

#endif  // RILLMARK_BATCH_H_

#include "rillmark/batch.h"

#include "utf8.h"

namespace rillmark {

void Batch::Clear() {
  words_.clear();
  text_.clear();
  text_units_ = 0;
  for (Memo& m : memo_) m.valid = false;
  SetInput({});
}

void Batch::SetInput(std::string_view input) {
  input_ = input;
  input_kind_ = InputKind::kUnchecked;
  cursor_bytes_ = cursor_units_ = 0;
  uses_input_ = false;
}

bool Batch::AddInputString(std::string_view s, Range* out) {
  const char* base = input_.data();
  if (s.empty() || input_.empty() || s.data() < base || s.data() + s.size() > base + input_.size()) return false;
  size_t begin = static_cast<size_t>(s.data() - base);
  if (begin < cursor_bytes_ || !InputWellFormed()) return false;
  size_t end = begin + s.size();
  if (input_kind_ == InputKind::kAscii) {
    out->begin = static_cast<uint32_t>(begin);
    cursor_units_ = end;
  } else {
    cursor_units_ += detail::Utf16Length(input_.substr(cursor_bytes_, begin - cursor_bytes_));
    out->begin = static_cast<uint32_t>(cursor_units_);
    cursor_units_ += detail::Utf16Length(s);
  }
  cursor_bytes_ = end;
  out->end = static_cast<uint32_t>(cursor_units_);
  uses_input_ = true;
  return true;
}

bool Batch::InputWellFormed() {
  if (input_kind_ == InputKind::kUnchecked) {
    input_kind_ = detail::IsAscii(input_)        ? InputKind::kAscii
                  : detail::IsValidUtf8(input_) ? InputKind::kUtf8
                                                : InputKind::kIllFormed;
  }
  return input_kind_ != InputKind::kIllFormed;
}

Batch::Range Batch::AddString(std::string_view s) {
  uint32_t begin = text_units_;
  text_.append(s);
  text_units_ += static_cast<uint32_t>(detail::Utf16Length(s));
  return {begin, text_units_};
}

Batch::Range Batch::AddMemoString(int slot, std::string_view s, bool* reused) {
  Memo& m = memo_[slot];
  bool same = m.valid && detail::SameBytes(m.value, s);
  if (reused) *reused = same;
  if (same) return {m.begin, m.end};
  Range r = AddString(s);
  m.value.assign(s);
  m.begin = r.begin;
  m.end = r.end;
  m.valid = true;
  return r;
}

}  // namespace rillmark

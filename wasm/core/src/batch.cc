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

bool Batch::PushInputString(std::string_view s) {
  const char* base = input_.data();
  if (s.empty() || input_.empty() || s.data() < base || s.data() + s.size() > base + input_.size()) return false;
  size_t begin = static_cast<size_t>(s.data() - base);
  if (begin < cursor_bytes_) return false;
  if (input_kind_ == InputKind::kUnchecked) {
    input_kind_ = detail::IsAscii(input_)        ? InputKind::kAscii
                  : detail::IsValidUtf8(input_) ? InputKind::kUtf8
                                                : InputKind::kIllFormed;
  }
  if (input_kind_ == InputKind::kIllFormed) return false;
  size_t end = begin + s.size();
  if (input_kind_ == InputKind::kAscii) {
    cursor_units_ = end;
    words_.push_back(static_cast<uint32_t>(begin));
  } else {
    cursor_units_ += detail::Utf16Length(input_.substr(cursor_bytes_, begin - cursor_bytes_));
    words_.push_back(static_cast<uint32_t>(cursor_units_));
    cursor_units_ += detail::Utf16Length(s);
  }
  cursor_bytes_ = end;
  words_.push_back(static_cast<uint32_t>(cursor_units_));
  uses_input_ = true;
  return true;
}

void Batch::PushString(std::string_view s) {
  uint32_t begin = text_units_;
  text_.append(s);
  text_units_ += static_cast<uint32_t>(detail::Utf16Length(s));
  words_.push_back(begin);
  words_.push_back(text_units_);
}

void Batch::PushMemoString(int slot, std::string_view s) {
  Memo& m = memo_[slot];
  if (m.valid && detail::SameBytes(m.value, s)) {
    words_.push_back(m.begin);
    words_.push_back(m.end);
    return;
  }
  PushString(s);
  m.value.assign(s);
  m.begin = words_[words_.size() - 2];
  m.end = words_.back();
  m.valid = true;
}

}  // namespace rillmark

#include "rillmark/batch.h"

#include "utf8.h"

namespace rillmark {

void Batch::Clear() {
  words_.clear();
  text_.clear();
  text_units_ = 0;
  for (Memo& m : memo_) m.valid = false;
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
  if (m.valid && m.value == s) {
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

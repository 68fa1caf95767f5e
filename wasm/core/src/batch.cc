#include "rillmark/batch.h"

#include "utf8.h"

namespace rillmark {

void Batch::Clear() {
  words_.clear();
  text_.clear();
  text_units_ = 0;
  SetInput({});
}

void Batch::SetInput(std::string_view input) {
  input_ = input;
  input_kind_ = InputKind::kUnchecked;
  uses_input_ = false;
}

bool Batch::AddInputString(std::string_view s, Range* out) {
  const char* base = input_.data();
  if (s.empty() || input_.empty() || s.data() < base || s.data() + s.size() > base + input_.size()) return false;
  InputWellFormed();  // classifies the input: all ASCII needs no check per string
  if (input_kind_ != InputKind::kAscii && !detail::IsAscii(s)) return false;
  out->begin = static_cast<uint32_t>(s.data() - base);
  out->end = static_cast<uint32_t>(out->begin + s.size());
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

}  // namespace rillmark

// The Embind layer: the only file that includes <emscripten/bind.h>. No logic:
// each handle owns an input buffer JS writes into (pointer handed out once,
// re-fetched only when it grows) and returns, per call, a pointer to a 5-word
// header {words ptr, word count, text ptr, text bytes, status} of its Batch, so one
// network chunk or one animation frame costs one boundary crossing.
#include <emscripten/bind.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rillmark/batch.h"
#include "rillmark/markdown.h"
#include "rillmark/sse_parser.h"
#include "rillmark/token_decoder.h"

namespace rillmark {
namespace {

class Buffers {
 public:
  uintptr_t Input(uint32_t bytes) {
    if (input_.size() < bytes) input_.resize(std::max<size_t>(bytes, input_.size() * 2));
    return reinterpret_cast<uintptr_t>(input_.data());
  }
  std::string_view In(uint32_t n) const { return std::string_view(input_.data(), std::min<size_t>(n, input_.size())); }
  uintptr_t Header(uint32_t status = 0) {
    header_[4] = status;
    header_[0] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.words().data()));
    header_[1] = static_cast<uint32_t>(batch_.words().size());
    header_[2] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.text().data()));
    header_[3] = static_cast<uint32_t>(batch_.text().size());
    return reinterpret_cast<uintptr_t>(header_);
  }
  Batch batch_;

 private:
  std::vector<char> input_;
  uint32_t header_[5] = {};  // words ptr, word count, text ptr, text bytes, status
};

void PushEvent(Batch& b, const SseEvent& e) {
  b.PushWord(kRecordEvent);
  b.PushMemoString(0, e.type);
  b.PushString(e.data);
  b.PushMemoString(1, e.id);
}

void PushRetry(Batch& b, uint32_t ms) {
  b.PushWord(kRecordRetry);
  b.PushWord(ms);
}

void PushComment(Batch& b, std::string_view text) {
  b.PushWord(kRecordComment);
  b.PushString(text);
}

void PushError(Batch& b, Status s, std::string_view message) {
  b.PushWord(kRecordError);
  b.PushWord(static_cast<uint32_t>(s));
  b.PushString(message);
}

class SseParserHandle final : public SseHandler, public Buffers {
 public:
  explicit SseParserHandle(uint32_t max_event_bytes) : parser_(this, SseParserOptions{max_event_bytes}) {}
  uintptr_t feed(uint32_t n) {
    batch_.Clear();
    parser_.Feed(In(n));
    return Header();
  }
  uintptr_t end() {
    batch_.Clear();
    parser_.End();
    return Header();
  }
  void reset() { parser_.Reset(); }
  uintptr_t input(uint32_t n) { return Input(n); }

  void OnEvent(const SseEvent& e) override { PushEvent(batch_, e); }
  void OnRetry(uint32_t ms) override { PushRetry(batch_, ms); }
  void OnComment(std::string_view text) override { PushComment(batch_, text); }
  void OnError(Status s, std::string_view m) override { PushError(batch_, s, m); }

 private:
  SseParser parser_;
};

class TokenDecoderHandle final : public TokenHandler, public Buffers {
 public:
  TokenDecoderHandle(std::string preset, std::string path, std::string done_data, std::string done_event,
                     uint32_t max_event_bytes) {
    TokenFormat format;
    if (preset.empty()) {
      format.kind = TokenFormat::Kind::kCustom;
      format.path = std::move(path);
      format.done_data = std::move(done_data);
      format.done_event = std::move(done_event);
    } else if (TokenFormat::FromName(preset, &format) != Status::kOk) {
      status_ = Status::kBadArgument;
    }
    TokenDecoderOptions options;
    options.max_event_bytes = max_event_bytes;
    decoder_ = std::make_unique<TokenDecoder>(format, this, options);
    if (status_ == Status::kOk) status_ = decoder_->status();
  }
  uint32_t status() const { return static_cast<uint32_t>(status_); }
  uintptr_t feed(uint32_t n) {
    batch_.Clear();
    decoder_->Feed(In(n));
    if (decoder_->last_event_id() != last_id_) {
      last_id_ = decoder_->last_event_id();
      batch_.PushWord(kRecordLastId);
      batch_.PushString(last_id_);
    }
    return Header();
  }
  uintptr_t end() {
    batch_.Clear();
    decoder_->End();
    return Header();
  }
  void reset() { decoder_->Reset(); }
  uintptr_t input(uint32_t n) { return Input(n); }
  double textEvents() const { return static_cast<double>(decoder_->text_events()); }

  void OnText(std::string_view text) override {
    batch_.PushWord(kRecordText);
    batch_.PushString(text);
  }
  void OnEvent(const SseEvent& e) override { PushEvent(batch_, e); }
  void OnDone() override { batch_.PushWord(kRecordDone); }
  void OnError(Status s, std::string_view m) override { PushError(batch_, s, m); }
  void OnRetry(uint32_t ms) override { PushRetry(batch_, ms); }
  void OnComment(std::string_view text) override { PushComment(batch_, text); }

 private:
  Status status_ = Status::kOk;
  std::unique_ptr<TokenDecoder> decoder_;
  std::string last_id_;
};

class MarkdownHandle final : public Buffers {
 public:
  MarkdownHandle(bool complete, double max_source_bytes) {
    MarkdownOptions o;
    o.complete_incomplete = complete;
    if (max_source_bytes > 0) o.max_source_bytes = static_cast<size_t>(max_source_bytes);
    renderer_ = std::make_unique<MarkdownRenderer>(o);
  }
  uint32_t append(uint32_t n) { return static_cast<uint32_t>(renderer_->Append(In(n))); }
  // The common frame: the text buffered in JS since the last frame, then the
  // patch, in one crossing. Header word 4 is the Append status.
  uintptr_t appendFlush(uint32_t n) {
    Status s = n ? renderer_->Append(In(n)) : Status::kOk;
    renderer_->Flush(&batch_);
    return Header(static_cast<uint32_t>(s));
  }
  uintptr_t flush() {
    renderer_->Flush(&batch_);
    return Header();
  }
  uintptr_t finish() {
    renderer_->Finish(&batch_);
    return Header();
  }
  void reset() { renderer_->Reset(); }
  uintptr_t input(uint32_t n) { return Input(n); }

 private:
  std::unique_ptr<MarkdownRenderer> renderer_;
};

// One-shot render: the HTML is returned as the batch text.
class HtmlRenderer final : public Buffers {
 public:
  uintptr_t render(uint32_t n) {
    batch_.Clear();
    html_ = RenderMarkdownHtml(In(n));
    batch_.PushString(html_);
    return Header();
  }
  uintptr_t input(uint32_t n) { return Input(n); }

 private:
  std::string html_;
};

}  // namespace
}  // namespace rillmark

EMSCRIPTEN_BINDINGS(rillmark) {
  using namespace emscripten;
  using namespace rillmark;
  class_<SseParserHandle>("SseParserHandle")
      .constructor<uint32_t>()
      .function("input", &SseParserHandle::input)
      .function("feed", &SseParserHandle::feed)
      .function("end", &SseParserHandle::end)
      .function("reset", &SseParserHandle::reset);
  class_<TokenDecoderHandle>("TokenDecoderHandle")
      .constructor<std::string, std::string, std::string, std::string, uint32_t>()
      .function("status", &TokenDecoderHandle::status)
      .function("input", &TokenDecoderHandle::input)
      .function("feed", &TokenDecoderHandle::feed)
      .function("end", &TokenDecoderHandle::end)
      .function("reset", &TokenDecoderHandle::reset)
      .function("textEvents", &TokenDecoderHandle::textEvents);
  class_<MarkdownHandle>("MarkdownHandle")
      .constructor<bool, double>()
      .function("input", &MarkdownHandle::input)
      .function("append", &MarkdownHandle::append)
      .function("appendFlush", &MarkdownHandle::appendFlush)
      .function("flush", &MarkdownHandle::flush)
      .function("finish", &MarkdownHandle::finish)
      .function("reset", &MarkdownHandle::reset);
  class_<HtmlRenderer>("HtmlRenderer")
      .constructor<>()
      .function("input", &HtmlRenderer::input)
      .function("render", &HtmlRenderer::render);
}

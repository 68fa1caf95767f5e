// The binding layer: the only file that includes an Emscripten header. No
// logic, and no Embind: a handful of plain C exports over one handle type.
// Embind's runtime alone weighed more (≈ 8 KB of JS glue + 5 KB of Wasm,
// gzipped) than the SSE parser and the token decoder together, and the
// package must stay under its 80 KB budget (see README, "Size").
//
// Every handle owns an input buffer JS writes into (pointer handed out once,
// re-fetched only when it grows) and returns, per call, a pointer to a 6-word
// header {words ptr, word count, text ptr, text bytes, status, input kind} of its Batch
// (a Markdown handle adds its prediction after it), so one network chunk or
// one animation frame costs one boundary crossing.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rillmark/batch.h"
#include "rillmark/markdown.h"
#include "rillmark/sse_parser.h"
#include "rillmark/token_decoder.h"

namespace rillmark {
namespace {

class Handle {
 public:
  virtual ~Handle() = default;
  /// The bytes JS wrote into the input buffer: the main call of the handle.
  virtual uintptr_t Feed(uint32_t n) = 0;
  /// End of input.
  virtual uintptr_t End() = 0;
  virtual void Reset() = 0;

  uintptr_t Input(uint32_t bytes) {
    if (input_.size() < bytes) input_.resize(std::max<size_t>(bytes, input_.size() * 2));
    return reinterpret_cast<uintptr_t>(input_.data());
  }

 protected:
  std::string_view In(uint32_t n) const { return std::string_view(input_.data(), std::min<size_t>(n, input_.size())); }
  // Header word 5: 1 when strings refer to the input (JS decodes it byte for
  // byte), 2 when they do and the input is all ASCII (any decoder will do).
  uintptr_t Header(Status status = Status::kOk) {
    header_[5] = batch_.uses_input() ? (batch_.input_ascii() ? 2 : 1) : 0;
    header_[0] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.words().data()));
    header_[1] = static_cast<uint32_t>(batch_.words().size());
    header_[2] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.text().data()));
    header_[3] = static_cast<uint32_t>(batch_.text().size());
    header_[4] = static_cast<uint32_t>(status);
    return reinterpret_cast<uintptr_t>(header_);
  }
  Batch batch_;
  // Words after the header that a handle kind may fill (MarkdownHandle).
  static constexpr size_t kMaxPath = 16;
  uint32_t* Extra() { return header_ + 6; }

 private:
  std::vector<char> input_;
  uint32_t header_[6 + 5 + kMaxPath] = {};
};

// An EVENT_META record precedes the first event of a batch and any event
// whose type or id differ from the previous one's (see batch.h).
void PushEvent(Batch& b, const SseEvent& e, bool* meta_sent) {
  if (!e.same_meta || !*meta_sent) {
    *meta_sent = true;
    if (e.id.empty() && e.type == "message") {
      b.PushWord(kRecordEventMetaDefault);  // the usual case: no strings to decode
    } else {
      Batch::Range type = b.AddString(e.type), id = b.AddString(e.id);
      uint32_t* w = b.Extend(5);
      w[0] = kRecordEventMeta;
      w[1] = type.begin;
      w[2] = type.end;
      w[3] = id.begin;
      w[4] = id.end;
    }
  }
  Batch::Range data;
  uint32_t kind = kRecordEventInput;  // no copy: JS slices the decoded input (ASCII data)
  if (!b.AddInputString(e.data, &data)) {
    kind = kRecordEvent;
    data = b.AddString(e.data);
  }
  uint32_t* w = b.Extend(3);  // one size check for the record
  w[0] = kind;
  w[1] = data.begin;
  w[2] = data.end;
}

void PushError(Batch& b, Status s, std::string_view message) {
  b.PushWord(kRecordError);
  b.PushWord(static_cast<uint32_t>(s));
  b.PushString(message);
}

// Records shared by both stream handles (SseHandler and TokenHandler have the
// same shape for these three).
template <class Base>
class StreamRecords : public Base, public Handle {
 public:
  void OnRetry(uint32_t ms) override {
    batch_.PushWord(kRecordRetry);
    batch_.PushWord(ms);
  }
  void OnComment(std::string_view text) override {
    batch_.PushWord(kRecordComment);
    batch_.PushString(text);
  }
  void OnError(Status s, std::string_view m) override { PushError(batch_, s, m); }
  void OnEvent(const SseEvent& e) override { PushEvent(batch_, e, &meta_sent_); }

 protected:
  void ClearBatch() {
    batch_.Clear();
    meta_sent_ = false;
  }

 private:
  bool meta_sent_ = false;  // this batch has an EVENT_META record
};

class SseParserHandle final : public StreamRecords<SseHandler> {
 public:
  explicit SseParserHandle(uint32_t max_event_bytes) : parser_(this, SseParserOptions{max_event_bytes}) {}
  uintptr_t Feed(uint32_t n) override {
    ClearBatch();
    batch_.SetInput(In(n));
    parser_.Feed(In(n), batch_.InputWellFormed());  // one UTF-8 check of the input for both
    return Header();
  }
  uintptr_t End() override {
    ClearBatch();
    parser_.End();
    return Header();
  }
  void Reset() override { parser_.Reset(); }

 private:
  SseParser parser_;
};

class TokenDecoderHandle final : public StreamRecords<TokenHandler> {
 public:
  TokenDecoderHandle(const TokenFormat& format, uint32_t max_event_bytes) {
    TokenDecoderOptions options;
    options.max_event_bytes = max_event_bytes;
    decoder_ = std::make_unique<TokenDecoder>(format, this, options);
  }
  Status status() const { return decoder_->status(); }
  double text_events() const { return static_cast<double>(decoder_->text_events()); }
  uintptr_t Feed(uint32_t n) override {
    ClearBatch();
    decoder_->Feed(In(n));
    if (decoder_->last_event_id() != last_id_) {
      last_id_ = decoder_->last_event_id();
      batch_.PushWord(kRecordLastId);
      batch_.PushString(last_id_);
    }
    return Header();
  }
  uintptr_t End() override {
    ClearBatch();
    decoder_->End();
    return Header();
  }
  void Reset() override { decoder_->Reset(); }
  void OnText(std::string_view text) override {
    batch_.PushWord(kRecordText);
    batch_.PushString(text);
  }
  void OnDone() override { batch_.PushWord(kRecordDone); }

 private:
  std::unique_ptr<TokenDecoder> decoder_;
  std::string last_id_;
};

// Feed = append the text buffered in JS since the last frame, then flush, in
// one crossing (header status: the Append status). End = finish.
class MarkdownHandle final : public Handle {
 public:
  explicit MarkdownHandle(const MarkdownOptions& o) : renderer_(o) {}
  uintptr_t Feed(uint32_t n) override { return Feed(n, 0, true); }
  // The first `shown` of the `n` input bytes were shown by JS as the last
  // prediction said (AppendShown), the rest is new; then a flush, or none.
  // After a flush, header words 6.. hold the prediction: kind, flags,
  // spaces, budget, path depth, path (kind 0 when the path is deeper than
  // the header holds).
  uintptr_t Feed(uint32_t n, uint32_t shown, bool flush) {
    std::string_view in = In(n);
    shown = std::min<uint32_t>(shown, static_cast<uint32_t>(in.size()));
    Status s = renderer_.AppendShown(in.substr(0, shown));
    if (s == Status::kOk && shown < in.size()) s = renderer_.Append(in.substr(shown));
    uint32_t* out = Extra();
    if (!flush) {
      batch_.Clear();
      out[0] = 0;
      return Header(s);
    }
    renderer_.Flush(&batch_);
    const Prediction& p = renderer_.prediction();
    bool fits = p.path.size() <= kMaxPath;
    out[0] = fits ? p.kind : 0;
    out[1] = p.flags;
    out[2] = p.spaces;
    out[3] = p.budget;
    out[4] = static_cast<uint32_t>(p.path.size());
    if (fits) std::copy(p.path.begin(), p.path.end(), out + 5);
    return Header(s);
  }
  __attribute__((minsize)) uintptr_t End() override {
    renderer_.Finish(&batch_);
    return Header();
  }
  void Reset() override { renderer_.Reset(); }

 private:
  MarkdownRenderer renderer_;
};

// One-shot render: Feed returns the HTML as the batch text.
class HtmlHandle final : public Handle {
 public:
  __attribute__((minsize)) uintptr_t Feed(uint32_t n) override {
    batch_.Clear();
    html_ = RenderMarkdownHtml(In(n));
    batch_.PushString(html_);
    return Header();
  }
  uintptr_t End() override {
    batch_.Clear();
    return Header();
  }
  void Reset() override {}

 private:
  std::string html_;
};

// Arguments too long for a number (the token format strings) travel through
// this buffer: JS writes them, then calls the constructor.
std::vector<char>& Scratch() {
  static std::vector<char> scratch;
  return scratch;
}

}  // namespace
}  // namespace rillmark

using rillmark::Handle;

extern "C" {

EMSCRIPTEN_KEEPALIVE uintptr_t rm_scratch(uint32_t bytes) {
  auto& s = rillmark::Scratch();
  if (s.size() < bytes) s.resize(bytes);
  return reinterpret_cast<uintptr_t>(s.data());
}

// minsize here and on End()/HtmlHandle::Feed: code run once per stream or per
// one-shot render is built for size (the package's 80 KB budget).
__attribute__((minsize)) EMSCRIPTEN_KEEPALIVE Handle* rm_sse_new(uint32_t max_event_bytes) {
  return new rillmark::SseParserHandle(max_event_bytes);
}

// The scratch buffer holds `bytes` bytes: preset, path, done data and done
// event, each followed by a NUL. An empty preset means a custom format. Check
// rm_status() before use.
__attribute__((minsize)) EMSCRIPTEN_KEEPALIVE Handle* rm_tokens_new(uint32_t bytes, uint32_t max_event_bytes) {
  using rillmark::TokenFormat;
  std::string_view args(rillmark::Scratch().data(), std::min<size_t>(bytes, rillmark::Scratch().size()));
  std::string_view field[4];
  for (auto& f : field) {
    size_t end = std::min(args.find('\0'), args.size());
    f = args.substr(0, end);
    args.remove_prefix(std::min(end + 1, args.size()));
  }
  TokenFormat format;
  bool known = true;
  if (field[0].empty()) {
    format.kind = TokenFormat::Kind::kCustom;
    format.path = std::string(field[1]);
    format.done_data = std::string(field[2]);
    format.done_event = std::string(field[3]);
  } else {
    known = TokenFormat::FromName(field[0], &format) == rillmark::Status::kOk;
  }
  auto* h = new rillmark::TokenDecoderHandle(format, max_event_bytes);
  if (!known) {
    delete h;
    return nullptr;
  }
  return h;
}

__attribute__((minsize)) EMSCRIPTEN_KEEPALIVE Handle* rm_markdown_new(uint32_t complete, double max_source_bytes) {
  rillmark::MarkdownOptions o;
  o.complete_incomplete = complete != 0;
  if (max_source_bytes > 0) o.max_source_bytes = static_cast<size_t>(max_source_bytes);
  return new rillmark::MarkdownHandle(o);
}

EMSCRIPTEN_KEEPALIVE Handle* rm_html_new() { return new rillmark::HtmlHandle(); }

EMSCRIPTEN_KEEPALIVE uintptr_t rm_input(Handle* h, uint32_t bytes) { return h->Input(bytes); }
EMSCRIPTEN_KEEPALIVE uintptr_t rm_feed(Handle* h, uint32_t n) { return h->Feed(n); }
EMSCRIPTEN_KEEPALIVE uintptr_t rm_end(Handle* h) { return h->End(); }
EMSCRIPTEN_KEEPALIVE void rm_reset(Handle* h) { h->Reset(); }
EMSCRIPTEN_KEEPALIVE void rm_free(Handle* h) { delete h; }

// Token decoder handles only (JS knows which kind it holds).
EMSCRIPTEN_KEEPALIVE uint32_t rm_tokens_status(Handle* h) {
  return static_cast<uint32_t>(static_cast<rillmark::TokenDecoderHandle*>(h)->status());
}
EMSCRIPTEN_KEEPALIVE double rm_tokens_text_events(Handle* h) {
  return static_cast<rillmark::TokenDecoderHandle*>(h)->text_events();
}
// Markdown handles only: Feed with the shown bytes first (see MarkdownHandle);
// flush 0 only buffers the text.
EMSCRIPTEN_KEEPALIVE uintptr_t rm_markdown_feed(Handle* h, uint32_t n, uint32_t shown, uint32_t flush) {
  return static_cast<rillmark::MarkdownHandle*>(h)->Feed(n, shown, flush != 0);
}

}  // extern "C"

#include "rillmark/token_decoder.h"

#include <rapidjson/pointer.h>

#include <string>

#include "cold.h"
#include "json_parse.h"
#include "utf8.h"

namespace rillmark {

using Json = rapidjson::Document;
using JsonValue = rapidjson::Value;

Status TokenFormat::FromName(std::string_view name, TokenFormat* out) {
  using K = Kind;
  static constexpr struct {
    std::string_view name;
    K kind;
  } kPresets[] = {{"text", K::kText},
                  {"openai-chat", K::kOpenAiChat},
                  {"openai-responses", K::kOpenAiResponses},
                  {"anthropic", K::kAnthropic},
                  {"adk", K::kAdk}};
  for (const auto& p : kPresets) {
    if (p.name == name) {
      *out = TokenFormat{};
      out->kind = p.kind;
      return Status::kOk;
    }
  }
  return Status::kBadArgument;
}

namespace {

const JsonValue* Member(const JsonValue& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

const JsonValue* Member2(const JsonValue& v, const char* a, const char* b) {
  const JsonValue* m = Member(v, a);
  return m ? m : Member(v, b);
}

bool IsTrue(const JsonValue* v) { return v && v->IsBool() && v->GetBool(); }

std::string_view StringOf(const JsonValue* v) {
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength())
                            : std::string_view();
}

// The message of an error object in the providers' shapes:
// {"error":{"message":…}}, {"message":…}, or a bare string.
std::string_view ErrorMessage(const JsonValue* v) {
  if (!v) return {};
  if (v->IsString()) return StringOf(v);
  if (const JsonValue* m = Member(*v, "message")) return StringOf(m);
  return {};
}

}  // namespace

class TokenDecoder::Impl final : public SseHandler {
 public:
  RILLMARK_COLD Impl(const TokenFormat& format, TokenHandler* handler, TokenDecoderOptions options)
      : format_(format),
        handler_(handler),
        options_(options),
        parser_(this, SseParserOptions{options.max_event_bytes}) {
    if (format_.kind == TokenFormat::Kind::kCustom) {
      pointer_ = std::make_unique<rapidjson::Pointer>(format_.path.data(), format_.path.size());
      if (!pointer_->IsValid()) status_ = Status::kBadArgument;
    }
  }

  Status status() const { return status_; }

  void Feed(std::string_view bytes) {
    if (status_ != Status::kOk) return;
    parser_.Feed(bytes);
    FlushText();
  }
  void End() {
    parser_.End();
    FlushText();
  }
  RILLMARK_COLD void Reset() {
    parser_.Reset();
    shape_ = Shape{};
    have_prev_id_ = false;
    pending_.clear();
    adk_partial_seen_ = false;
  }
  const std::string& last_event_id() const { return parser_.last_event_id(); }
  uint64_t text_events() const { return text_events_; }

  // ---- SseHandler ----
  // Retry values and comments (heartbeats) say nothing about the answer's
  // content, so they do not split the coalesced text.
  void OnRetry(uint32_t ms) override { handler_->OnRetry(ms); }
  void OnComment(std::string_view text) override { handler_->OnComment(text); }
  void OnError(Status s, std::string_view message) override {
    FlushText();
    handler_->OnError(s, message);
  }
  void OnEvent(const SseEvent& e) override {
    if (options_.dedupe_numeric_ids && IsReplay(e.id)) return;
    switch (format_.kind) {
      case TokenFormat::Kind::kText: return DecodeText(e);
      case TokenFormat::Kind::kOpenAiChat: return DecodeOpenAiChat(e);
      case TokenFormat::Kind::kOpenAiResponses: return DecodeOpenAiResponses(e);
      case TokenFormat::Kind::kAnthropic: return DecodeAnthropic(e);
      case TokenFormat::Kind::kAdk: return DecodeAdk(e);
      case TokenFormat::Kind::kCustom: return DecodeCustom(e);
    }
  }

 private:
  // An event is a replay when its id is numeric, differs from the id in force
  // for the previous event of this connection (ids persist across events
  // that set none), and is not above the highest id seen.
  bool IsReplay(std::string_view id) {
    bool same_as_previous = have_prev_id_ && id == prev_id_;
    prev_id_.assign(id);
    have_prev_id_ = true;
    if (same_as_previous || id.empty() || id.size() > 18) return false;
    uint64_t v = 0;
    for (char c : id) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (have_max_id_ && v <= max_id_) return true;
    have_max_id_ = true;
    max_id_ = v;
    return false;
  }

  // ---- Same-shape events -----------------------------------------------------
  // Providers send thousands of deltas that are byte for byte the same JSON
  // except for the text string: {"choices":[{"index":0,"delta":{"content":"…"}}]}.
  // After an event whose whole JSON RapidJSON parsed and whose only effect was
  // one text value, its bytes before and after that string token are kept.
  // An event with the same SSE type, the same bytes before and the same bytes
  // after is the same document with another string in that place: RapidJSON
  // parses just that middle part, and it must be exactly one JSON string (a
  // valid document on its own). Replacing one string token by another keeps
  // a JSON text valid and every other value where it was, so the decision is
  // the remembered one with the new text. Anything else is parsed in full.
  struct Shape {
    bool valid = false;
    std::string type, prefix, suffix;
  };
  static constexpr size_t kMaxShapeBytes = 1024;

  // Remembers the shape of e around the string value `v` of doc_ (parsed in
  // situ from json_, so v's characters start right after its opening quote).
  void RememberShape(const SseEvent& e, const JsonValue& v) {
    shape_.valid = false;
    size_t open = static_cast<size_t>(v.GetString() - json_.data()) - 1;
    if (open >= e.data.size() || e.data[open] != '"') return;
    size_t close = open + 1;  // the document is valid: the first unescaped quote closes it
    while (close < e.data.size() && e.data[close] != '"') close += e.data[close] == '\\' ? 2 : 1;
    if (close >= e.data.size() || open + (e.data.size() - close) > kMaxShapeBytes) return;
    shape_.type.assign(e.type);
    shape_.prefix.assign(e.data.substr(0, open));
    shape_.suffix.assign(e.data.substr(close + 1));
    shape_.valid = true;
  }

  // True when e had the remembered shape and its text was added.
  bool SameShape(const SseEvent& e) {
    const std::string_view d = e.data;
    const Shape& s = shape_;
    if (!s.valid || e.type != s.type || d.size() < s.prefix.size() + s.suffix.size() + 2 ||
        d.compare(0, s.prefix.size(), s.prefix) != 0 ||
        d.compare(d.size() - s.suffix.size(), s.suffix.size(), s.suffix) != 0)
      return false;
    std::string_view middle = d.substr(s.prefix.size(), d.size() - s.prefix.size() - s.suffix.size());
    if (middle.front() != '"' || middle.back() != '"') return false;
    rapidjson::ParseResult result;
    if (!ParseCopy(middle, &result) || result.IsError() || !doc_.IsString() || doc_.GetStringLength() == 0)
      return false;  // not one non-empty string: the full parse decides (and reports)
    AddText(StringOf(&doc_));
    return true;
  }

  // Adds the text of the string value `v` of e; a non-empty one also fixes
  // the shape of e for the events after it.
  void AddStringValue(const SseEvent& e, const JsonValue& v) {
    if (v.GetStringLength()) RememberShape(e, v);
    AddText(StringOf(&v));
  }

  void AddText(std::string_view text) {
    if (text.empty()) return;
    ++text_events_;
    pending_.append(text);
    if (pending_.size() >= options_.max_pending_text) FlushText();
  }
  void FlushText() {
    if (pending_.empty()) return;
    handler_->OnText(pending_);
    pending_.clear();
  }
  void Pass(const SseEvent& e) {
    FlushText();
    SseEvent passed = e;
    passed.same_meta = false;  // the events between were not passed on
    handler_->OnEvent(passed);
  }
  void Done() {
    FlushText();
    handler_->OnDone();
  }
  RILLMARK_COLD void Fail(Status s, const SseEvent& e, std::string_view what, std::string_view detail) {
    FlushText();
    std::string msg(what);
    if (!e.id.empty()) {
      msg += " (event id ";
      msg.append(e.id.substr(0, detail::Utf8PrefixLength(e.id, 64)));
      msg += ")";
    }
    if (!detail.empty()) {
      msg += ": ";
      size_t n = detail::Utf8PrefixLength(detail, 80);
      msg.append(detail.substr(0, n));
      if (n < detail.size()) msg += "\xE2\x80\xA6";  // …
    }
    handler_->OnError(s, msg);
  }
  // Parses `json` into doc_; false (nothing parsed) when it holds a raw NUL,
  // which is never valid JSON and would stop the in-situ reader.
  bool ParseCopy(std::string_view json, rapidjson::ParseResult* result) {
    // Values of the previous event live in pool_; release them first so memory
    // stays bounded (the first 16 KiB are a fixed buffer: no malloc for small events).
    doc_.SetNull();
    pool_.Clear();
    // In-situ parse of a private copy: strings point into json_ instead of
    // being copied into the pool.
    json_.assign(json);
    if (json_.find('\0') != std::string::npos) return false;
    *result = detail::ParseJsonInsitu(doc_, reader_, json_.data());
    return true;
  }

  // Parses e.data into doc_; on failure reports BAD_PAYLOAD and returns false.
  bool ParseJson(const SseEvent& e) {
    rapidjson::ParseResult result;
    if (!ParseCopy(e.data, &result)) {
      Fail(Status::kBadPayload, e, "invalid JSON (raw NUL)", e.data);
      return false;
    }
    if (!result.IsError()) return true;
    // The offset, not RapidJSON's English messages (0.5 KB of Wasm for
    // text the excerpt already shows).
    std::string what = "invalid JSON at byte " + std::to_string(result.Offset());
    Fail(Status::kBadPayload, e, what, e.data);
    return false;
  }
  // The event type: the SSE event field when given, else the JSON "type".
  std::string_view TypeOf(const SseEvent& e) {
    if (e.type != "message") return e.type;
    return StringOf(Member(doc_, "type"));
  }

  void DecodeText(const SseEvent& e) {
    if (e.data == "[DONE]" || e.type == "done") return Done();
    if (e.type == "error") return Fail(Status::kStreamErrorEvent, e, "error event", e.data);
    if (e.type == "message") return AddText(e.data);
    Pass(e);
  }

  void DecodeOpenAiChat(const SseEvent& e) {
    if (e.data == "[DONE]") return Done();
    if (SameShape(e) || !ParseJson(e)) return;
    if (e.type == "error" || Member(doc_, "error"))
      return Fail(Status::kStreamErrorEvent, e, "error event", ErrorMessage(Member(doc_, "error")));
    const JsonValue* choices = Member(doc_, "choices");
    const JsonValue* content = nullptr;
    if (choices && choices->IsArray() && !choices->Empty())
      if (const JsonValue* delta = Member((*choices)[0], "delta")) content = Member(*delta, "content");
    if (content && content->IsString() && content->GetStringLength()) return AddStringValue(e, *content);
    if (content && !content->IsNull() && !content->IsString())
      return Fail(Status::kBadPayload, e, "choices[0].delta.content is not a string", e.data);
    Pass(e);  // role-only, tool calls, usage…
  }

  void DecodeOpenAiResponses(const SseEvent& e) {
    if (SameShape(e) || !ParseJson(e)) return;
    std::string_view type = TypeOf(e);
    if (type == "response.output_text.delta") {
      const JsonValue* delta = Member(doc_, "delta");
      if (!delta || !delta->IsString()) return Fail(Status::kBadPayload, e, "delta is not a string", e.data);
      return AddStringValue(e, *delta);
    }
    if (type == "response.completed" || type == "response.incomplete") return Done();
    if (type == "error") return Fail(Status::kStreamErrorEvent, e, "error event", ErrorMessage(&doc_));
    if (type == "response.failed") {
      const JsonValue* response = Member(doc_, "response");
      return Fail(Status::kStreamErrorEvent, e, "response.failed",
                  response ? ErrorMessage(Member(*response, "error")) : std::string_view());
    }
    Pass(e);
  }

  void DecodeAnthropic(const SseEvent& e) {
    if (SameShape(e) || !ParseJson(e)) return;
    std::string_view type = TypeOf(e);
    if (type == "content_block_delta") {
      const JsonValue* delta = Member(doc_, "delta");
      if (delta && StringOf(Member(*delta, "type")) == "text_delta") {
        const JsonValue* text = Member(*delta, "text");
        if (!text || !text->IsString()) return Fail(Status::kBadPayload, e, "delta.text is not a string", e.data);
        return AddStringValue(e, *text);
      }
      return Pass(e);  // input_json_delta, thinking_delta…
    }
    if (type == "message_stop") return Done();
    if (type == "ping") return;
    if (type == "error") return Fail(Status::kStreamErrorEvent, e, "error event", ErrorMessage(Member(doc_, "error")));
    Pass(e);
  }

  // Google ADK runner events (camelCase by_alias dumps or snake_case dumps).
  // Partial events carry deltas; the non-partial event that follows repeats
  // the whole text and is not appended again, unless no partial text came
  // before it (a non-streaming run).
  void DecodeAdk(const SseEvent& e) {
    if (e.data == "[DONE]") return Done();
    if (!ParseJson(e)) return;
    const JsonValue* code = Member2(doc_, "errorCode", "error_code");
    if (code && !code->IsNull()) {
      std::string_view msg = StringOf(Member2(doc_, "errorMessage", "error_message"));
      return Fail(Status::kStreamErrorEvent, e, "error event", msg.empty() ? StringOf(code) : msg);
    }
    bool partial = IsTrue(Member(doc_, "partial"));
    bool had_text = false;
    text_.clear();
    if (const JsonValue* content = Member(doc_, "content")) {
      const JsonValue* parts = Member(*content, "parts");
      if (parts && parts->IsArray()) {
        for (const JsonValue& part : parts->GetArray()) {
          if (IsTrue(Member(part, "thought"))) continue;  // model reasoning, not answer text
          const JsonValue* t = Member(part, "text");
          if (t && t->IsString()) {
            text_.append(t->GetString(), t->GetStringLength());
            had_text = true;
          }
        }
      }
    }
    if (!had_text) {
      Pass(e);
    } else if (partial) {
      adk_partial_seen_ = true;
      AddText(text_);
    } else if (!adk_partial_seen_) {
      AddText(text_);  // a non-streaming run: the only copy of the text
    } else {
      adk_partial_seen_ = false;  // the aggregate of the deltas already shown
      Pass(e);
    }
    if (IsTrue(Member2(doc_, "turnComplete", "turn_complete"))) Done();
  }

  void DecodeCustom(const SseEvent& e) {
    if (!format_.done_event.empty() && e.type == format_.done_event) return Done();
    if (!format_.done_data.empty() && e.data == format_.done_data) return Done();
    if (SameShape(e) || !ParseJson(e)) return;
    const JsonValue* v = pointer_->Get(doc_);
    if (!v) return Fail(Status::kBadPayload, e, "no value at " + format_.path, e.data);
    if (!v->IsString()) return Fail(Status::kBadPayload, e, "value at " + format_.path + " is not a string", e.data);
    AddStringValue(e, *v);
  }

  TokenFormat format_;
  TokenHandler* handler_;
  TokenDecoderOptions options_;
  SseParser parser_;
  char pool_buffer_[16384];
  rapidjson::MemoryPoolAllocator<> pool_{pool_buffer_, sizeof(pool_buffer_)};
  Json doc_{&pool_};
  rapidjson::Reader reader_;
  std::string text_;
  std::string json_;  // the in-situ copy of the event being decoded
  std::unique_ptr<rapidjson::Pointer> pointer_;
  Shape shape_;
  std::string pending_;
  bool adk_partial_seen_ = false;
  Status status_ = Status::kOk;
  bool have_max_id_ = false;
  bool have_prev_id_ = false;
  std::string prev_id_;
  uint64_t max_id_ = 0;
  uint64_t text_events_ = 0;
};

TokenDecoder::TokenDecoder(const TokenFormat& format, TokenHandler* handler, TokenDecoderOptions options)
    : impl_(std::make_unique<Impl>(format, handler, options)) {}
TokenDecoder::~TokenDecoder() = default;
Status TokenDecoder::status() const { return impl_->status(); }
void TokenDecoder::Feed(std::string_view bytes) { impl_->Feed(bytes); }
void TokenDecoder::End() { impl_->End(); }
void TokenDecoder::Reset() { impl_->Reset(); }
const std::string& TokenDecoder::last_event_id() const { return impl_->last_event_id(); }
uint64_t TokenDecoder::text_events() const { return impl_->text_events(); }

}  // namespace rillmark

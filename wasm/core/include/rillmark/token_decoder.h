// rillmark — provider payloads to plain text deltas.
//
// SSE bytes in (through an owned SseParser), text out: each provider format
// ("preset") says where the text delta is in an event, which event ends the
// turn and which are errors. Text between non-text items is coalesced into one
// OnText call, so a Feed() of many events costs JS one string.
#ifndef RILLMARK_TOKEN_DECODER_H_
#define RILLMARK_TOKEN_DECODER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "rillmark/sse_parser.h"
#include "rillmark/status.h"

namespace rillmark {

struct TokenFormat {
  enum class Kind : uint8_t { kText, kOpenAiChat, kOpenAiResponses, kAnthropic, kAdk, kCustom };
  Kind kind = Kind::kText;
  std::string path;        ///< kCustom: RFC 6901 JSON Pointer to the text delta
  std::string done_data;   ///< kCustom: an event whose data equals this ends the turn
  std::string done_event;  ///< kCustom: an event of this type ends the turn

  /// Looks up a preset by its API name ("text", "openai-chat", "openai-responses",
  /// "anthropic", "adk"); kBadArgument for any other name.
  static Status FromName(std::string_view name, TokenFormat* out);
};

/// Receives decoded items synchronously, in stream order.
class TokenHandler {
 public:
  virtual ~TokenHandler() = default;
  /// Coalesced text (well-formed UTF-8, never empty).
  virtual void OnText(std::string_view text) = 0;
  /// An event that carries no text (tool calls, metadata, role-only chunks…).
  virtual void OnEvent(const SseEvent& /*event*/) {}
  /// The format's end-of-turn marker arrived.
  virtual void OnDone() {}
  /// kBadPayload, kStreamErrorEvent or kEventTooLarge; the stream goes on.
  virtual void OnError(Status /*status*/, std::string_view /*message*/) {}
  virtual void OnRetry(uint32_t /*ms*/) {}
  virtual void OnComment(std::string_view /*text*/) {}
};

struct TokenDecoderOptions {
  size_t max_event_bytes = size_t{1} << 20;  ///< passed to the SSE parser
  size_t max_pending_text = size_t{64} << 10;  ///< text is handed out early past this
  /// Drop events whose id is a decimal number not above the highest one seen:
  /// a server that replays after a reconnect then yields no duplicated text.
  /// Reset() keeps this memory; it is per decoder.
  bool dedupe_numeric_ids = true;
};

class TokenDecoder {
 public:
  /// `handler` must outlive the decoder. Check status(): kBadArgument when the
  /// custom JSON Pointer is malformed (then Feed does nothing).
  TokenDecoder(const TokenFormat& format, TokenHandler* handler, TokenDecoderOptions options = {});
  ~TokenDecoder();
  TokenDecoder(const TokenDecoder&) = delete;
  TokenDecoder& operator=(const TokenDecoder&) = delete;

  Status status() const;
  /// Parses bytes; handler calls happen inside, text coalesced per call.
  void Feed(std::string_view bytes);
  /// End of stream (see SseParser::End); flushes pending text.
  void End();
  /// Back to the initial state (a new stream; the last event ID is kept by the caller).
  void Reset();
  const std::string& last_event_id() const;
  /// Text-bearing events decoded so far (for metrics).
  uint64_t text_events() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rillmark

#endif  // RILLMARK_TOKEN_DECODER_H_

// rillmark — incremental Server-Sent Events parser.
//
// Implements the HTML Standard's "event stream interpretation" (§9.2.6) on raw
// bytes: feed it fetch() body chunks split anywhere, down to one byte, and it
// reports exactly the events, retry values and comments the standard defines.
#ifndef RILLMARK_SSE_PARSER_H_
#define RILLMARK_SSE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rillmark/status.h"

namespace rillmark {

/// One dispatched event. The views are valid only during the OnEvent call.
/// All three strings are well-formed UTF-8 (ill-formed input becomes U+FFFD).
struct SseEvent {
  std::string_view type;  ///< "message" when the stream gave no event field
  std::string_view data;  ///< data lines joined with "\n"
  std::string_view id;    ///< the last event ID in force at dispatch
  /// True when type and id are those of the previous event this parser
  /// dispatched (since construction or Reset); false when they changed or it
  /// is not known. Lets a consumer skip re-reading them.
  bool same_meta = false;
};

/// Receives what the parser finds, synchronously, in stream order.
class SseHandler {
 public:
  virtual ~SseHandler() = default;
  virtual void OnEvent(const SseEvent& event) = 0;
  /// A `retry` field whose value is ASCII digits only; milliseconds, saturated.
  virtual void OnRetry(uint32_t /*ms*/) {}
  /// A line starting with ':' (heartbeats); the text after ':' with one
  /// leading space removed, well-formed UTF-8.
  virtual void OnComment(std::string_view /*text*/) {}
  /// An anomaly (kEventTooLarge); parsing goes on with the next event.
  virtual void OnError(Status /*status*/, std::string_view /*message*/) {}
};

struct SseParserOptions {
  /// Cap on an event's data buffer in bytes; a line may be this plus 256 bytes.
  /// Over it, OnError(kEventTooLarge), the event is dropped, memory stays bounded.
  size_t max_event_bytes = size_t{1} << 20;
};

class SseParser {
 public:
  /// `handler` must outlive the parser; it is not owned.
  explicit SseParser(SseHandler* handler, SseParserOptions options = {});

  /// Parses the next bytes of the stream. Handler calls happen inside Feed.
  /// `well_formed`: the caller has checked that `bytes` are valid UTF-8 as a
  /// whole (the parser then skips its own check of the events in them).
  void Feed(std::string_view bytes, bool well_formed = false);

  /// End of stream: a pending line and an undispatched event are discarded
  /// (HTML Standard: "any pending data must be discarded").
  void End();

  /// Back to the initial state, BOM handling and last event ID included.
  void Reset();

  /// The last event ID string (as a reconnecting client sends in Last-Event-ID).
  const std::string& last_event_id() const { return last_id_; }

 private:
  void Process(const char* p, const char* end);
  void AppendPartial(const char* p, const char* end);
  void ConsumeLine(std::string_view line, bool in_feed);
  void KeepData();
  const char* TryDataEvent(const char* p, const char* eol, const char* end);
  void Dispatch();
  void UpdateLastId();
  bool FeedValid();
  void Emit(std::string_view data, bool checked);
  void Overflow(const char* what);
  std::string_view Clean(std::string_view s, std::string& scratch);

  SseHandler* handler_;
  size_t max_event_bytes_;
  size_t max_line_bytes_;
  std::string line_;       // a line split across feeds
  std::string data_;       // data buffer (values + LF)
  // Zero copy: an event's only data line, while it is still in the bytes of
  // the current Feed, is kept as a view (no trailing LF) and copied into
  // data_ only if a second data line comes or the feed ends first.
  std::string_view line_data_;
  bool has_line_data_ = false;
  std::string type_;       // event type buffer
  std::string id_buffer_;  // last event ID buffer
  std::string last_id_;    // last event ID string (set at dispatch)
  bool last_id_valid_ = true;  // last_id_ is well-formed UTF-8
  bool id_set_ = false;        // an id field came since the last dispatch
  bool id_changed_ = false;    // last_id_ changed since the last event
  bool dispatched_ = false;    // an event was dispatched (since Reset)
  std::string dispatched_type_;  // its type_ (empty: the default)
  std::string scratch_[3];
  std::string_view feed_;  // the bytes of the current Feed
  enum class FeedCheck : uint8_t { kUnchecked, kValid, kInvalid } feed_check_ = FeedCheck::kUnchecked;
  uint8_t bom_matched_ = 0;
  bool bom_done_ = false;
  bool skip_lf_ = false;        // the previous feed ended with CR
  bool discard_line_ = false;   // current line is over the cap
  bool discard_event_ = false;  // current event is over the cap
};

}  // namespace rillmark

#endif  // RILLMARK_SSE_PARSER_H_

#include "rillmark/sse_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "cold.h"
#include "utf8.h"

#ifdef RILLMARK_WASM_SIMD
#include <wasm_simd128.h>
#endif

namespace rillmark {
namespace {
constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
constexpr size_t kLineSlack = 256;  // room for a field name on a maximal data line

// The first CR or LF in [p, end), or end: 16 bytes per step with Wasm SIMD,
// else 8 (SWAR); one pass for both characters, where memchr would take two.
// A line of the "data" field: the line almost every event has.
bool IsDataLine(std::string_view line) { return line.size() >= 5 && detail::SameBytes(line.substr(0, 5), "data:"); }

RILLMARK_SIMD_FN const char* FindLineEnd(const char* p, const char* end) {
#ifdef RILLMARK_WASM_SIMD
  const v128_t lf16 = wasm_i8x16_splat('\n'), cr16 = wasm_i8x16_splat('\r');
  while (end - p >= 16) {
    v128_t v = wasm_v128_load(p);
    uint32_t hit = wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v, lf16), wasm_i8x16_eq(v, cr16)));
    if (hit) return p + __builtin_ctz(hit);
    p += 16;
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kLf = kOnes * '\n', kCr = kOnes * '\r';
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t lf = w ^ kLf, cr = w ^ kCr;
    // A zero byte in lf or cr marks a match; the lowest flagged byte is exact.
    uint64_t hit = ((lf - kOnes) & ~lf & kHigh) | ((cr - kOnes) & ~cr & kHigh);
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
    p += 8;
  }
  while (p < end && *p != '\n' && *p != '\r') ++p;
  return p;
}
}  // namespace

SseParser::SseParser(SseHandler* handler, SseParserOptions options)
    : handler_(handler),
      max_event_bytes_(options.max_event_bytes),
      max_line_bytes_(options.max_event_bytes + kLineSlack) {}

RILLMARK_COLD void SseParser::Reset() {
  line_.clear();
  data_.clear();
  has_line_data_ = false;
  type_.clear();
  id_buffer_.clear();
  last_id_.clear();
  last_id_valid_ = true;
  id_set_ = false;
  id_changed_ = false;
  dispatched_ = false;
  bom_matched_ = 0;
  bom_done_ = false;
  skip_lf_ = false;
  discard_line_ = false;
  discard_event_ = false;
}

void SseParser::End() {
  line_.clear();
  data_.clear();
  has_line_data_ = false;
  type_.clear();
  id_buffer_ = last_id_;  // an id of an undispatched event never took effect
  id_set_ = false;
  skip_lf_ = false;
  discard_line_ = false;
  discard_event_ = false;
}

void SseParser::Feed(std::string_view bytes, bool well_formed) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  if (!bom_done_) {
    // The decoder strips one BOM at the very start only (Encoding Standard,
    // "UTF-8 decode"); a BOM may arrive split over several feeds.
    while (p < end && bom_matched_ < 3 &&
           static_cast<unsigned char>(*p) == kBom[bom_matched_]) {
      ++bom_matched_;
      ++p;
    }
    if (bom_matched_ == 3) {
      bom_done_ = true;
    } else if (p == end) {
      return;  // still a BOM prefix: wait for more bytes
    } else {
      bom_done_ = true;
      if (bom_matched_) {  // the held bytes were text after all
        const char* held = reinterpret_cast<const char*>(kBom);
        Process(held, held + bom_matched_);
      }
    }
  }
  feed_ = std::string_view(p, static_cast<size_t>(end - p));
  feed_check_ = well_formed ? FeedCheck::kValid : FeedCheck::kUnchecked;
  Process(p, end);
  feed_ = {};
  KeepData();  // the caller's bytes are gone after Feed returns
}

void SseParser::KeepData() {
  if (!has_line_data_) return;
  has_line_data_ = false;
  data_.assign(line_data_);
  data_.push_back('\n');
}

void SseParser::Process(const char* p, const char* end) {
  while (p < end) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (*p == '\n') {
        ++p;
        continue;
      }
    }
    const char* eol = FindLineEnd(p, end);
    if (eol == end) {
      AppendPartial(p, end);
      return;
    }
    if (discard_line_) {
      discard_line_ = false;
      line_.clear();
    } else if (line_.empty()) {
      // The same cap as for a line buffered across feeds, so the outcome
      // never depends on how the stream was chunked.
      if (static_cast<size_t>(eol - p) > max_line_bytes_) {
        Overflow("line");
      } else if (const char* next = TryDataEvent(p, eol, end)) {
        p = next;
        continue;
      } else {
        ConsumeLine(std::string_view(p, eol - p), true);
      }
    } else {
      AppendPartial(p, eol);
      if (!discard_line_) ConsumeLine(line_, false);
      discard_line_ = false;
      line_.clear();
    }
    // CRLF is one line end, also when CR ends this feed and LF starts the next.
    if (*eol == '\r') {
      if (eol + 1 < end) {
        if (eol[1] == '\n') ++eol;
      } else {
        skip_lf_ = true;
      }
    }
    p = eol + 1;
  }
}

// The shape nearly every LLM event has, "data: …" LF LF with nothing pending,
// dispatched straight from the feed's bytes: what ConsumeLine and Dispatch
// would do for these two lines, without their general bookkeeping. Returns
// where parsing goes on, or nullptr when the lines are not of that shape.
const char* SseParser::TryDataEvent(const char* p, const char* eol, const char* end) {
  if (end - eol < 2 || eol[0] != '\n' || eol[1] != '\n' || has_line_data_ || !data_.empty() || discard_event_ ||
      !IsDataLine(std::string_view(p, static_cast<size_t>(eol - p))))
    return nullptr;
  std::string_view value(p + 5, static_cast<size_t>(eol - p - 5));
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (value.size() + 1 > max_event_bytes_) return nullptr;  // ConsumeLine reports it
  UpdateLastId();
  Emit(value, FeedValid());
  return eol + 2;
}

void SseParser::AppendPartial(const char* p, const char* end) {
  if (discard_line_) return;
  size_t n = static_cast<size_t>(end - p);
  if (line_.size() + n > max_line_bytes_) {
    Overflow("line");
    discard_line_ = true;
    line_.clear();
    return;
  }
  line_.append(p, n);
}

void SseParser::Overflow(const char* what) {
  discard_event_ = true;
  data_.clear();
  has_line_data_ = false;
  std::string msg = "SSE ";
  msg += what;
  msg += " exceeds maxEventBytes (";
  msg += std::to_string(max_event_bytes_);
  msg += " bytes); event dropped";
  handler_->OnError(Status::kEventTooLarge, msg);
}

std::string_view SseParser::Clean(std::string_view s, std::string& scratch) {
  if (detail::IsValidUtf8(s)) return s;
  scratch.clear();
  detail::AppendSanitizedUtf8(scratch, s);
  return scratch;
}

void SseParser::ConsumeLine(std::string_view line, bool in_feed) {
  if (line.empty()) {
    Dispatch();
    return;
  }
  if (line[0] == ':') {
    std::string_view text = line.substr(1);
    if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
    handler_->OnComment(Clean(text, scratch_[0]));
    return;
  }
  std::string_view field = line, value;
  // A data line needs no search for its colon.
  const void* colon = IsDataLine(line) ? line.data() + 4 : std::memchr(line.data(), ':', line.size());
  if (colon) {
    size_t at = static_cast<const char*>(colon) - line.data();
    field = line.substr(0, at);
    value = line.substr(at + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (detail::SameBytes(field, "data")) {
    if (discard_event_) return;
    size_t held = has_line_data_ ? line_data_.size() + 1 : data_.size();
    if (held + value.size() + 1 > max_event_bytes_) {
      Overflow("event");
      return;
    }
    if (in_feed && !has_line_data_ && data_.empty()) {
      line_data_ = value;
      has_line_data_ = true;
      return;
    }
    KeepData();
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      id_buffer_.assign(value);
      id_set_ = true;
    }
  } else if (field == "retry") {
    if (value.empty()) return;
    uint64_t ms = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return;
      ms = std::min<uint64_t>(ms * 10 + static_cast<uint64_t>(c - '0'), UINT32_MAX);
    }
    handler_->OnRetry(static_cast<uint32_t>(ms));
  }
  // Any other field is ignored (§9.2.6).
}

void SseParser::UpdateLastId() {
  if (!id_set_) return;
  id_set_ = false;
  if (detail::SameBytes(last_id_, id_buffer_)) return;
  last_id_ = id_buffer_;
  last_id_valid_ = detail::IsValidUtf8(last_id_);
  id_changed_ = true;
}

// One check of the whole feed instead of one per event: a data line still in
// the feed's bytes needs none of its own when they are all well-formed.
bool SseParser::FeedValid() {
  if (feed_check_ == FeedCheck::kUnchecked)
    feed_check_ = detail::IsValidUtf8(feed_) ? FeedCheck::kValid : FeedCheck::kInvalid;
  return feed_check_ == FeedCheck::kValid;
}

void SseParser::Dispatch() {
  UpdateLastId();
  if (discard_event_ || (data_.empty() && !has_line_data_)) {
    discard_event_ = false;
    data_.clear();
    type_.clear();
    return;
  }
  if (has_line_data_) {
    has_line_data_ = false;
    Emit(line_data_, FeedValid());
  } else {
    data_.pop_back();  // the final LF
    Emit(data_, false);
  }
  data_.clear();
}

void SseParser::Emit(std::string_view data, bool checked) {
  SseEvent event;
  event.type = type_.empty() ? std::string_view("message") : Clean(type_, scratch_[0]);
  event.data = checked ? data : Clean(data, scratch_[1]);
  event.id = last_id_valid_ ? std::string_view(last_id_) : Clean(last_id_, scratch_[2]);
  event.same_meta = dispatched_ && !id_changed_ && detail::SameBytes(type_, dispatched_type_);
  if (!event.same_meta) {
    dispatched_ = true;
    id_changed_ = false;
    dispatched_type_.assign(type_);
  }
  handler_->OnEvent(event);
  type_.clear();
}

}  // namespace rillmark

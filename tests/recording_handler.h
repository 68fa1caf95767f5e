// A handler that records what the SSE parser reports, for comparisons.
#ifndef RILLMARK_TESTS_RECORDING_HANDLER_H_
#define RILLMARK_TESTS_RECORDING_HANDLER_H_

#include <string>
#include <string_view>
#include <vector>

#include "rillmark/sse_parser.h"

namespace rillmark::testing {

struct RecordedEvent {
  std::string type, data, id;
  bool operator==(const RecordedEvent&) const = default;
};

class RecordingHandler : public SseHandler {
 public:
  void OnEvent(const SseEvent& e) override {
    if (e.same_meta) {
      ++same_meta;
      if (events.empty() || events.back().type != e.type || events.back().id != e.id) ++same_meta_wrong;
    }
    events.push_back({std::string(e.type), std::string(e.data), std::string(e.id)});
    log += "E[" + events.back().type + "|" + events.back().data + "|" + events.back().id + "]";
  }
  void OnRetry(uint32_t ms) override {
    retries.push_back(ms);
    log += "R[" + std::to_string(ms) + "]";
  }
  void OnComment(std::string_view text) override {
    comments.emplace_back(text);
    log += "C[" + std::string(text) + "]";
  }
  void OnError(Status s, std::string_view) override {
    errors.push_back(s);
    log += "X[" + std::string(StatusCode(s)) + "]";
  }
  std::vector<RecordedEvent> events;
  std::vector<uint32_t> retries;
  std::vector<std::string> comments;
  std::vector<Status> errors;
  std::string log;  // everything, in order
  int same_meta = 0;        // events flagged same_meta…
  int same_meta_wrong = 0;  // …whose type or id differ from the previous event's
};

}  // namespace rillmark::testing

#endif  // RILLMARK_TESTS_RECORDING_HANDLER_H_

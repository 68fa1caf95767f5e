// rillmark — status codes shared by every stage of the core.
//
// The core never throws (it is built with -fno-exceptions); operations that can
// fail report a Status. The JS package turns a Status into an Error whose `code`
// is the name given in the comment (same words on both sides, see shared/API.md).
#ifndef RILLMARK_STATUS_H_
#define RILLMARK_STATUS_H_

#include <cstdint>
#include <string_view>

namespace rillmark {

enum class Status : uint8_t {
  kOk = 0,
  kEventTooLarge = 1,     // EVENT_TOO_LARGE: an SSE line or event exceeded its byte cap
  kBadPayload = 2,        // BAD_PAYLOAD: invalid JSON, missing path, non-string value
  kStreamErrorEvent = 3,  // STREAM_ERROR_EVENT: the provider sent an error event
  kTextTooLarge = 4,      // TEXT_TOO_LARGE: Markdown source or tail exceeded its cap
  kBadArgument = 5,       // BAD_ARGUMENT: an invalid option (e.g. a malformed JSON Pointer)
};

/// The API name of a status, e.g. "EVENT_TOO_LARGE"; "OK" for kOk.
std::string_view StatusCode(Status status);

}  // namespace rillmark

#endif  // RILLMARK_STATUS_H_

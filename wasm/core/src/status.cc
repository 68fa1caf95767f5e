#include "rillmark/status.h"

namespace rillmark {

std::string_view StatusCode(Status status) {
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kEventTooLarge: return "EVENT_TOO_LARGE";
    case Status::kBadPayload: return "BAD_PAYLOAD";
    case Status::kStreamErrorEvent: return "STREAM_ERROR_EVENT";
    case Status::kTextTooLarge: return "TEXT_TOO_LARGE";
    case Status::kBadArgument: return "BAD_ARGUMENT";
  }
  return "UNKNOWN";
}

}  // namespace rillmark

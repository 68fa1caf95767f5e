// rillmark-server: LLM-like SSE events for each provider format.
#ifndef RILLMARK_SERVER_EVENTS_H_
#define RILLMARK_SERVER_EVENTS_H_

#include <string>
#include <string_view>
#include <vector>

namespace rillmark::server {

/// Splits `text` into tokens of about `bytes` bytes, never inside a UTF-8 character.
std::vector<std::string_view> Tokenize(std::string_view text, size_t bytes);

/// The complete event sequence of one answer in `format` ("text",
/// "openai-chat", "openai-responses", "anthropic", "adk"), each element one
/// SSE event with its `id:` line (ids 1..n) and its blank line, including the
/// format's preamble, end-of-turn marker and, for adk, the final aggregate.
/// Returns false for an unknown format.
bool BuildEvents(std::string_view format, std::string_view text, size_t token_bytes,
                 std::vector<std::string>* events);

}  // namespace rillmark::server

#endif  // RILLMARK_SERVER_EVENTS_H_

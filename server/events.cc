#include "events.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>

namespace rillmark::server {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Json(const std::function<void(Writer&)>& fill) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  fill(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// One SSE event: optional type, id, and data split into lines.
std::string Event(size_t id, std::string_view type, std::string_view data) {
  std::string e;
  if (!type.empty()) {
    e += "event: ";
    e += type;
    e += '\n';
  }
  e += "id: " + std::to_string(id) + "\n";
  size_t pos = 0;
  while (true) {
    size_t nl = data.find('\n', pos);
    e += "data: ";
    e += data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    e += '\n';
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  e += '\n';
  return e;
}

}  // namespace

std::vector<std::string_view> Tokenize(std::string_view text, size_t bytes) {
  std::vector<std::string_view> out;
  if (bytes == 0) bytes = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + bytes);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool BuildEvents(std::string_view format, std::string_view text, size_t token_bytes,
                 std::vector<std::string>* events) {
  events->clear();
  auto tokens = Tokenize(text, token_bytes);
  auto add = [&](std::string_view type, const std::string& data) {
    events->push_back(Event(events->size() + 1, type, data));
  };
  if (format == "text") {
    for (auto t : tokens) add("", std::string(t));
    add("", "[DONE]");
  } else if (format == "openai-chat") {
    auto chunk = [&](const std::function<void(Writer&)>& delta, const char* finish) {
      return Json([&](Writer& w) {
        w.StartObject();
        w.Key("id"); w.String("chatcmpl-rillmark");
        w.Key("object"); w.String("chat.completion.chunk");
        w.Key("created"); w.Int(1732200000);
        w.Key("model"); w.String("rillmark-test");
        w.Key("choices"); w.StartArray(); w.StartObject();
        w.Key("index"); w.Int(0);
        w.Key("delta"); w.StartObject(); delta(w); w.EndObject();
        w.Key("finish_reason"); if (finish) w.String(finish); else w.Null();
        w.EndObject(); w.EndArray();
        w.EndObject();
      });
    };
    add("", chunk([](Writer& w) { w.Key("role"); w.String("assistant"); w.Key("content"); w.String(""); }, nullptr));
    for (auto t : tokens) add("", chunk([&](Writer& w) { w.Key("content"); Str(w, t); }, nullptr));
    add("", chunk([](Writer&) {}, "stop"));
    add("", "[DONE]");
  } else if (format == "openai-responses") {
    add("response.created", Json([](Writer& w) {
      w.StartObject(); w.Key("type"); w.String("response.created");
      w.Key("response"); w.StartObject(); w.Key("id"); w.String("resp_rillmark"); w.Key("status"); w.String("in_progress"); w.EndObject();
      w.EndObject();
    }));
    for (auto t : tokens)
      add("response.output_text.delta", Json([&](Writer& w) {
        w.StartObject(); w.Key("type"); w.String("response.output_text.delta");
        w.Key("item_id"); w.String("msg_rillmark"); w.Key("output_index"); w.Int(0); w.Key("content_index"); w.Int(0);
        w.Key("delta"); Str(w, t);
        w.EndObject();
      }));
    add("response.output_text.done", Json([&](Writer& w) {
      w.StartObject(); w.Key("type"); w.String("response.output_text.done"); w.Key("text"); Str(w, text); w.EndObject();
    }));
    add("response.completed", Json([](Writer& w) {
      w.StartObject(); w.Key("type"); w.String("response.completed");
      w.Key("response"); w.StartObject(); w.Key("id"); w.String("resp_rillmark"); w.Key("status"); w.String("completed"); w.EndObject();
      w.EndObject();
    }));
  } else if (format == "anthropic") {
    add("message_start", R"({"type":"message_start","message":{"id":"msg_rillmark","type":"message","role":"assistant","content":[],"model":"rillmark-test","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}})");
    add("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
    add("ping", R"({"type":"ping"})");
    for (auto t : tokens)
      add("content_block_delta", Json([&](Writer& w) {
        w.StartObject(); w.Key("type"); w.String("content_block_delta"); w.Key("index"); w.Int(0);
        w.Key("delta"); w.StartObject(); w.Key("type"); w.String("text_delta"); w.Key("text"); Str(w, t); w.EndObject();
        w.EndObject();
      }));
    add("content_block_stop", R"({"type":"content_block_stop","index":0})");
    add("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":)" +
                             std::to_string(tokens.size()) + "}}");
    add("message_stop", R"({"type":"message_stop"})");
  } else if (format == "adk") {
    auto event = [&](std::string_view t, bool partial, bool turn_complete) {
      return Json([&](Writer& w) {
        w.StartObject();
        if (!turn_complete) {
          w.Key("content"); w.StartObject();
          w.Key("parts"); w.StartArray(); w.StartObject(); w.Key("text"); Str(w, t); w.EndObject(); w.EndArray();
          w.Key("role"); w.String("model");
          w.EndObject();
        }
        if (partial) { w.Key("partial"); w.Bool(true); }
        if (turn_complete) { w.Key("turnComplete"); w.Bool(true); }
        w.Key("invocationId"); w.String("e-rillmark");
        w.Key("author"); w.String("assistant");
        w.EndObject();
      });
    };
    for (auto t : tokens) add("", event(t, true, false));
    add("", event(text, false, false));  // the final aggregate: the whole text again
    add("", event("", false, true));
  } else {
    return false;
  }
  return true;
}

}  // namespace rillmark::server

// The JSON library choice of the token decoder, measured in Wasm (issue #4):
// the same work — parse an OpenAI chat chunk, take choices[0].delta.content —
// with RapidJSON (what rillmark uses: in-situ DOM, numbers without value) or
// simdjson (On-Demand API), each linked alone into a minimal module built with
// the package's flags. Prints one JSON line: library, events, MB/s.
// Built and run by bench/json_choice/run.sh; sizes are measured there.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#ifdef USE_SIMDJSON
#include "simdjson.h"
#else
#include "json_parse.h"  // the token decoder's own parse
#endif

namespace {

std::vector<std::string> Events() {
  const char* words[] = {"The ", "stream", "ing ", "answ", "er, ", "with ", "**bo", "ld** ", "and ", "`code`", "\\n\\n", "caf\\u00e9 "};
  std::vector<std::string> out;
  for (int i = 0; i < 20000; ++i)
    out.push_back(std::string(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732000000,)"
                              R"("model":"gpt-4o","choices":[{"index":0,"delta":{"content":")") +
                  words[i % 12] + R"("},"finish_reason":null}]})");
  return out;
}

#ifdef USE_SIMDJSON
const char* kName = "simdjson";
size_t Decode(const std::vector<std::string>& events) {
  simdjson::ondemand::parser parser;
  size_t total = 0;
  for (const std::string& e : events) {
    simdjson::padded_string json(e);
    auto doc = parser.iterate(json);
    std::string_view text;
    if (doc["choices"].at(0)["delta"]["content"].get_string().get(text) == simdjson::SUCCESS) total += text.size();
  }
  return total;
}
#else
const char* kName = "rapidjson";
size_t Decode(const std::vector<std::string>& events) {
  static char pool_buffer[16384];
  rapidjson::MemoryPoolAllocator<> pool(pool_buffer, sizeof(pool_buffer));
  rapidjson::Document doc(&pool);
  rapidjson::Reader reader;
  std::string copy;
  size_t total = 0;
  for (const std::string& e : events) {
    doc.SetNull();
    pool.Clear();
    copy.assign(e);
    if (rillmark::detail::ParseJsonInsitu(doc, reader, copy.data()).IsError() || !doc.IsObject()) continue;
    auto c = doc.FindMember("choices");
    if (c == doc.MemberEnd() || !c->value.IsArray() || c->value.Empty()) continue;
    auto d = c->value[0].FindMember("delta");
    if (d == c->value[0].MemberEnd()) continue;
    auto t = d->value.FindMember("content");
    if (t != d->value.MemberEnd() && t->value.IsString()) total += t->value.GetStringLength();
  }
  return total;
}
#endif

}  // namespace

int main() {
  std::vector<std::string> events = Events();
  size_t bytes = 0;
  for (const auto& e : events) bytes += e.size();
  size_t chars = Decode(events);  // warm-up
  double best = 1e9;
  for (int r = 0; r < 7; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    chars += Decode(events);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("{\"library\":\"%s\",\"events\":%zu,\"bytes\":%zu,\"MBs\":%.1f,\"check\":%zu}\n", kName, events.size(), bytes,
              bytes / best / 1e6, chars);
  return 0;
}

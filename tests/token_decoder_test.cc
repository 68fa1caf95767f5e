#include "rillmark/token_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <sstream>

namespace rillmark {
namespace {

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(RILLMARK_FIXTURES "/streams/") + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Recorder : public TokenHandler {
 public:
  void OnText(std::string_view t) override {
    text += t;
    ++text_calls;
    log += "T";
  }
  void OnEvent(const SseEvent& e) override {
    events.emplace_back(e.type);
    log += "E";
  }
  void OnDone() override {
    ++done;
    log += "D";
  }
  void OnError(Status s, std::string_view m) override {
    errors.push_back(s);
    messages.emplace_back(m);
    log += "X";
  }
  std::string text, log;
  int text_calls = 0, done = 0;
  std::vector<std::string> events, messages;
  std::vector<Status> errors;
};

TokenFormat Preset(const char* name) {
  TokenFormat f;
  EXPECT_EQ(TokenFormat::FromName(name, &f), Status::kOk);
  return f;
}

// A custom format: a JSON Pointer and its optional end markers.
TokenFormat Custom(std::string path, std::string done_data = "", std::string done_event = "") {
  TokenFormat f;
  f.kind = TokenFormat::Kind::kCustom;
  f.path = std::move(path);
  f.done_data = std::move(done_data);
  f.done_event = std::move(done_event);
  return f;
}

// Decodes `input` fed in pieces of `piece` bytes (0: whole).
Recorder Decode(const TokenFormat& f, std::string_view input, size_t piece = 0) {
  Recorder r;
  TokenDecoder d(f, &r);
  if (piece == 0) piece = input.size() + 1;
  for (size_t i = 0; i < input.size(); i += piece) d.Feed(input.substr(i, piece));
  d.End();
  return r;
}

// Collapses consecutive T marks: coalescing may differ with chunking, order may not.
std::string Shape(std::string log) {
  std::string out;
  for (char c : log)
    if (!(c == 'T' && !out.empty() && out.back() == 'T')) out += c;
  return out;
}

class FixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FixtureTest, DecodesTheFixtureWhateverTheChunking) {
  std::string input = ReadFile(std::string(GetParam()) + ".sse");
  std::string expected = ReadFile("expected.txt");
  ASSERT_FALSE(input.empty());
  TokenFormat f = Preset(GetParam());
  Recorder whole = Decode(f, input);
  EXPECT_EQ(whole.text, expected);
  EXPECT_EQ(whole.done, 1);
  EXPECT_TRUE(whole.errors.empty());
  // One feed: one coalesced text per run of text between non-text items.
  std::string shape = Shape(whole.log);
  EXPECT_EQ(whole.text_calls, std::count(shape.begin(), shape.end(), 'T'));
  Recorder bytes = Decode(f, input, 1);
  EXPECT_EQ(bytes.text, expected);
  EXPECT_EQ(Shape(bytes.log), Shape(whole.log));
  for (size_t at = 0; at <= input.size(); ++at) {
    Recorder r;
    TokenDecoder d(f, &r);
    d.Feed(std::string_view(input).substr(0, at));
    d.Feed(std::string_view(input).substr(at));
    d.End();
    ASSERT_EQ(r.text, expected) << "split at " << at;
    ASSERT_EQ(Shape(r.log), Shape(whole.log)) << "split at " << at;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FixtureTest,
                         ::testing::Values("text", "openai-chat", "openai-responses", "anthropic", "adk"));

TEST(TokenDecoder, OpenAiChatPassesContentlessChunksToOnEvent) {
  Recorder r = Decode(Preset("openai-chat"), ReadFile("openai-chat.sse"));
  // role-only, the tool call, finish_reason, usage
  EXPECT_EQ(r.events.size(), 4u);
  EXPECT_EQ(Shape(r.log), "ETETEED");
}

TEST(TokenDecoder, AdkDoesNotAppendTheFinalAggregateAgain) {
  Recorder r = Decode(Preset("adk"), ReadFile("adk.sse"));
  EXPECT_EQ(r.text, ReadFile("expected.txt"));
  EXPECT_EQ(r.events.size(), 2u);  // the aggregate and the turn marker, as events
}

TEST(TokenDecoder, AdkNonStreamingRunAppendsTheOnlyCopy) {
  Recorder r = Decode(Preset("adk"),
                      "data: {\"content\":{\"parts\":[{\"text\":\"whole\"}]},\"turn_complete\":true}\n\n");
  EXPECT_EQ(r.text, "whole");
  EXPECT_EQ(r.done, 1);
}

TEST(TokenDecoder, AdkSkipsThoughtParts) {
  Recorder r = Decode(Preset("adk"),
                      "data: {\"partial\":true,\"content\":{\"parts\":[{\"text\":\"hmm\",\"thought\":true},"
                      "{\"text\":\"answer\"}]}}\n\n");
  EXPECT_EQ(r.text, "answer");
}

TEST(TokenDecoder, InvalidJsonIsBadPayloadWithIdAndExcerptAndTheStreamGoesOn) {
  Recorder r = Decode(Preset("openai-chat"),
                      "id: 41\ndata: {not json\n\n"
                      "id: 42\ndata: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Status::kBadPayload);
  EXPECT_NE(r.messages[0].find("event id 41"), std::string::npos);
  EXPECT_NE(r.messages[0].find("{not json"), std::string::npos);
  EXPECT_EQ(r.text, "ok");
}

TEST(TokenDecoder, NonStringContentIsBadPayload) {
  Recorder r = Decode(Preset("openai-chat"), "data: {\"choices\":[{\"delta\":{\"content\":7}}]}\n\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Status::kBadPayload);
}

TEST(TokenDecoder, ProviderErrorEventsAreStreamErrorEvents) {
  Recorder a = Decode(Preset("anthropic"),
                      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                      "\"message\":\"Overloaded\"}}\n\n");
  ASSERT_EQ(a.errors.size(), 1u);
  EXPECT_EQ(a.errors[0], Status::kStreamErrorEvent);
  EXPECT_NE(a.messages[0].find("Overloaded"), std::string::npos);
  Recorder o = Decode(Preset("openai-responses"),
                      "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":"
                      "{\"code\":\"server_error\",\"message\":\"boom\"}}}\n\n");
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0], Status::kStreamErrorEvent);
  EXPECT_NE(o.messages[0].find("boom"), std::string::npos);
  Recorder c = Decode(Preset("openai-chat"), "data: {\"error\":{\"message\":\"rate limited\"}}\n\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0], Status::kStreamErrorEvent);
  Recorder t = Decode(Preset("text"), "event: error\ndata: quota\n\n");
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0], Status::kStreamErrorEvent);
}

TEST(TokenDecoder, AnthropicIgnoresPingAndPassesOtherEvents) {
  Recorder r = Decode(Preset("anthropic"), ReadFile("anthropic.sse"));
  for (const std::string& e : r.events) EXPECT_NE(e, "ping");
  EXPECT_EQ(r.events.size(), 4u);  // message_start, content_block_start, _stop, message_delta
}

TEST(TokenDecoder, CustomPathUsesAJsonPointer) {
  Recorder r = Decode(Custom("/out/0/t~1x", "", "end"),
                      "data: {\"out\":[{\"t/x\":\"a\"}]}\n\ndata: {\"out\":[{\"t/x\":\"b\"}]}\n\nevent: end\ndata: x\n\n");
  EXPECT_EQ(r.text, "ab");
  EXPECT_EQ(r.done, 1);
}

TEST(TokenDecoder, CustomPathMissingOrNotAStringIsBadPayload) {
  Recorder r = Decode(Custom("/t", "END"),
                      "data: {\"u\":1}\n\ndata: {\"t\":1}\n\ndata: {\"t\":\"ok\"}\n\ndata: END\n\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.text, "ok");
  EXPECT_EQ(r.done, 1);
}

TEST(TokenDecoder, RejectsAMalformedPointer) {
  Recorder r;
  TokenDecoder d(Custom("no-leading-slash"), &r);
  EXPECT_EQ(d.status(), Status::kBadArgument);
}

TEST(TokenDecoder, RejectsAnUnknownPresetName) {
  TokenFormat f;
  EXPECT_EQ(TokenFormat::FromName("gpt", &f), Status::kBadArgument);
}

TEST(TokenDecoder, KeepsTextAndEventsInArrivalOrder) {
  Recorder r = Decode(Preset("text"), "data: a\n\ndata: b\n\nevent: meta\ndata: {}\n\ndata: c\n\n");
  EXPECT_EQ(r.log, "TET");
  EXPECT_EQ(r.text, "abc");
}

TEST(TokenDecoder, DropsReplayedEventsAfterAReconnect) {
  Recorder r;
  TokenDecoder d(Preset("text"), &r);
  d.Feed("id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
  d.End();
  d.Reset();  // reconnect; this server replays from the start
  d.Feed("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\ndata: d\n\n");
  d.End();
  EXPECT_EQ(r.text, "abcd");  // "d" carries id 3 too: same connection, not a replay
}

TEST(TokenDecoder, HandsOutTextEarlyPastThePendingCap) {
  Recorder r;
  TokenDecoderOptions o;
  o.max_pending_text = 8;
  TokenDecoder d(Preset("text"), &r, o);
  std::string input;
  for (int i = 0; i < 10; ++i) input += "data: 0123\n\n";
  d.Feed(input);
  EXPECT_EQ(r.text.size(), 40u);
  EXPECT_GE(r.text_calls, 4);
}

TEST(TokenDecoder, OversizedEventIsReportedAndSkipped) {
  Recorder r;
  TokenDecoderOptions o;
  o.max_event_bytes = 32;
  TokenDecoder d(Preset("text"), &r, o);
  d.Feed("data: " + std::string(100, 'x') + "\n\ndata: ok\n\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Status::kEventTooLarge);
  EXPECT_EQ(r.text, "ok");
}

// ---- Same-shape events: only the text string differs from the last parsed event.

TEST(TokenDecoder, SameShapeEventsWithEscapesAndUnicode) {
  const char* input =
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\\\"b\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"\\\\c\\u00e9\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"\xF0\x9F\x98\x80\\n\"}}]}\n\n"
      "data: [DONE]\n\n";
  Recorder r = Decode(Preset("openai-chat"), input);
  EXPECT_EQ(r.text, "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ(r.done, 1);
}

TEST(TokenDecoder, AMiddleThatIsNotOneStringIsParsedInFull) {
  const std::string head = "data: {\"choices\":[{\"delta\":{\"content\":";
  const std::string tail = "}}]}\n\n";
  std::string input = head + "\"x\"" + tail +              // remembered shape
                      head + "\"\"" + tail +               // empty: no text, passed on
                      head + "\"\\q\"" + tail +            // invalid escape
                      head + "\"a\",\"k\":\"b\"" + tail +  // two strings: content is "a"
                      head + "\"c\"" + tail;
  Recorder r = Decode(Preset("openai-chat"), input);
  EXPECT_EQ(r.text, "xac");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Status::kBadPayload);
  EXPECT_EQ(Shape(r.log), "TEXT");
}

TEST(TokenDecoder, SameShapeNeedsTheSameEventType) {
  const std::string data = "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":";
  std::string input = "event: content_block_delta\n" + data + "\"a\"}}\n\n" +  // remembered
                      "event: error\n" + data + "\"b\"}}\n\n";                  // same bytes, other type
  Recorder r = Decode(Preset("anthropic"), input);
  EXPECT_EQ(r.text, "a");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Status::kStreamErrorEvent);
}

TEST(TokenDecoder, CustomDoneDataWinsOverASameShapeEvent) {
  Recorder r = Decode(Custom("/t", "{\"t\":\"END\"}"),
                      "data: {\"t\":\"a\"}\n\ndata: {\"t\":\"END\"}\n\ndata: {\"t\":\"b\"}\n\n");
  EXPECT_EQ(r.text, "ab");
  EXPECT_EQ(Shape(r.log), "TDT");
}

// Property: one decoder over a stream of near-identical events (random text,
// escapes, broken JSON) behaves exactly like a fresh decoder per event, which
// can only ever parse in full.
TEST(TokenDecoder, SameShapeShortcutAgreesWithFullParsesOnRandomEvents) {
  std::mt19937 rng(7);
  const char* pieces[] = {"a", "Z", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9", "\\q",
                          "\"", "\",\"x\":\"", "\\", "\t", "}", "\x01"};
  const char* heads[] = {"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":",
                         "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"};
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> events;
    for (int i = 0; i < 30; ++i) {
      std::string text;
      int n = static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) text += pieces[rng() % std::size(pieces)];
      std::string data = heads[rng() % 8 == 0 ? 1 : 0];
      data += rng() % 16 == 0 ? text : "\"" + text + "\"";
      data += rng() % 16 == 0 ? "}]}" : "}}]}";
      events.push_back("data: " + data + "\n\n");
    }
    Recorder together = Decode(Preset("openai-chat"), [&] {
      std::string all;
      for (const auto& e : events) all += e;
      return all;
    }());
    Recorder apart;
    for (const auto& e : events) {
      Recorder one = Decode(Preset("openai-chat"), e);
      apart.text += one.text;
      apart.log += one.log;
      apart.messages.insert(apart.messages.end(), one.messages.begin(), one.messages.end());
    }
    ASSERT_EQ(together.text, apart.text) << "round " << round;
    ASSERT_EQ(Shape(together.log), Shape(apart.log)) << "round " << round;
    ASSERT_EQ(together.messages, apart.messages) << "round " << round;
  }
}

}  // namespace
}  // namespace rillmark

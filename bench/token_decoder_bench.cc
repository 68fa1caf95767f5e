#include <benchmark/benchmark.h>

#include "bench_util.h"
#include "rillmark/token_decoder.h"

namespace {

struct Sink : rillmark::TokenHandler {
  size_t bytes = 0;
  void OnText(std::string_view t) override { bytes += t.size(); }
};

void Decode(benchmark::State& state, const char* preset, const std::string& input) {
  rillmark::TokenFormat f;
  rillmark::TokenFormat::FromName(preset, &f);
  for (auto _ : state) {
    Sink s;
    rillmark::TokenDecoder d(f, &s);
    for (size_t i = 0; i < input.size(); i += 4096) d.Feed(std::string_view(input).substr(i, 4096));
    d.End();
    benchmark::DoNotOptimize(s.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

void BM_TokenDecoder(benchmark::State& state, const char* preset) {
  // The fixture of each format, repeated to ~1 MB (its end marker only at the end matters not).
  static std::string inputs[8];
  std::string& input = inputs[state.thread_index()];
  if (input.empty()) {
    std::string one = rillmark::bench::ReadFixture(std::string("streams/") + preset + ".sse");
    while (input.size() < (1 << 20)) input += one;
  }
  Decode(state, preset, input);
}
BENCHMARK_CAPTURE(BM_TokenDecoder, text, "text");
BENCHMARK_CAPTURE(BM_TokenDecoder, openai_chat, "openai-chat");
BENCHMARK_CAPTURE(BM_TokenDecoder, openai_responses, "openai-responses");
BENCHMARK_CAPTURE(BM_TokenDecoder, anthropic, "anthropic");
BENCHMARK_CAPTURE(BM_TokenDecoder, adk, "adk");

void BM_TokenDecoder_OpenAi4ByteTokens(benchmark::State& state) {
  static const std::string input = rillmark::bench::OpenAiStream(rillmark::bench::Answer(200000), 4);
  Decode(state, "openai-chat", input);
}
BENCHMARK(BM_TokenDecoder_OpenAi4ByteTokens);

}  // namespace

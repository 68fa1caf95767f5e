#include <benchmark/benchmark.h>

#include "bench_util.h"
#include "rillmark/sse_parser.h"

namespace {

struct Count : rillmark::SseHandler {
  size_t events = 0, bytes = 0;
  void OnEvent(const rillmark::SseEvent& e) override {
    ++events;
    bytes += e.data.size();
  }
};

void Feed(benchmark::State& state, const std::string& input, size_t chunk) {
  for (auto _ : state) {
    Count c;
    rillmark::SseParser p(&c, rillmark::SseParserOptions{size_t{8} << 20});
    for (size_t i = 0; i < input.size(); i += chunk) p.Feed(std::string_view(input).substr(i, chunk));
    benchmark::DoNotOptimize(c.events);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

// (a) an LLM-like stream of ~100-byte `data: {json}` events, 4 KiB network chunks
void BM_SseParserFeed_LlmEvents(benchmark::State& state) {
  static const std::string input = rillmark::bench::OpenAiStream(rillmark::bench::Answer(200000), 4);
  Feed(state, input, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_SseParserFeed_LlmEvents)->Arg(4096);

// (b) large multi-line events (64 KiB of data each, 80-byte lines)
void BM_SseParserFeed_LargeEvents(benchmark::State& state) {
  static const std::string input = [] {
    std::string line = "data: " + std::string(74, 'x') + "\n", s;
    for (int e = 0; e < 64; ++e) {
      for (int l = 0; l < 800; ++l) s += line;
      s += "\n";
    }
    return s;
  }();
  Feed(state, input, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_SseParserFeed_LargeEvents)->Arg(65536);

// (c) 1-byte feeds
void BM_SseParserFeed_OneByte(benchmark::State& state) {
  static const std::string input = rillmark::bench::OpenAiStream(rillmark::bench::Answer(20000), 4);
  Feed(state, input, 1);
}
BENCHMARK(BM_SseParserFeed_OneByte);

}  // namespace

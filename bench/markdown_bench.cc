#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench_util.h"
#include "rillmark/markdown.h"

namespace {

using rillmark::Batch;
using rillmark::MarkdownRenderer;

// Streams `doc` in 4-byte tokens with a flush every `every` tokens, then
// finish(); reports per-flush latency percentiles as counters (µs).
void Stream(benchmark::State& state, const std::string& doc, int every) {
  std::vector<double> lat;
  for (auto _ : state) {
    lat.clear();
    MarkdownRenderer r;
    Batch b;
    int k = 0;
    for (size_t i = 0; i < doc.size(); i += 4) {
      r.Append(std::string_view(doc).substr(i, 4));
      if (++k % every) continue;
      auto t0 = std::chrono::steady_clock::now();
      r.Flush(&b);
      lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      benchmark::DoNotOptimize(b.words().size());
    }
    r.Finish(&b);
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()))]; };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["max_us"] = lat.empty() ? 0.0 : lat.back();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
  state.SetComplexityN(static_cast<int64_t>(doc.size()));
}

void BM_StreamFlushPerToken(benchmark::State& state) {
  Stream(state, rillmark::bench::Answer(static_cast<size_t>(state.range(0))), 1);
}
BENCHMARK(BM_StreamFlushPerToken)->RangeMultiplier(10)->Range(5000, 500000)->Arg(50000)->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);

void BM_StreamFlushEvery8(benchmark::State& state) {
  Stream(state, rillmark::bench::Answer(static_cast<size_t>(state.range(0))), 8);
}
BENCHMARK(BM_StreamFlushEvery8)->RangeMultiplier(10)->Range(5000, 500000)->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);

void BM_OneShot(benchmark::State& state) {
  std::string doc = rillmark::bench::Answer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(rillmark::RenderMarkdownHtml(doc));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
  state.SetComplexityN(static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_OneShot)->RangeMultiplier(10)->Range(5000, 500000)->Complexity(benchmark::oN)->Unit(benchmark::kMillisecond);

// Worst-case tails: the whole answer is one block.
void BM_StreamWorstTail(benchmark::State& state, const char* kind) {
  Stream(state, rillmark::bench::Answer(static_cast<size_t>(state.range(0)), kind), 1);
}
BENCHMARK_CAPTURE(BM_StreamWorstTail, code, "code")->Arg(5000)->Arg(50000)->Arg(200000)->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamWorstTail, list, "list")->Arg(5000)->Arg(50000)->Arg(200000)->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamWorstTail, table, "table")->Arg(5000)->Arg(50000)->Arg(200000)->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamWorstTail, paragraph, "paragraph")->Arg(5000)->Arg(50000)->Arg(200000)
    ->Complexity(benchmark::oN)->Unit(benchmark::kMillisecond);

}  // namespace

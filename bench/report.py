#!/usr/bin/python3
"""Turns bench/out/*.json into bench/RESULTS.md and a ratio chart (SVG)."""
import json, os, platform, sys, datetime

out_dir, md_path, svg_path = sys.argv[1:4]
load = lambda n: json.load(open(os.path.join(out_dir, n)))
nat = {n: {b['name']: b for b in load(f'{n}.json')['benchmarks']} for n in ('sse_parser', 'token_decoder', 'markdown')}
cmp = load('compare.json')
server = [json.loads(l) for l in open(os.path.join(out_dir, 'server.jsonl')) if l.strip()]

def mbs(b): return b['bytes_per_second'] / 1e6
def per_byte(b): return b['real_time'] / b.get('complexity_n', 1)

lines = []
w = lines.append
cpu = '?'
if os.path.exists('/proc/cpuinfo'):
    for l in open('/proc/cpuinfo'):
        if l.startswith('model name'):
            cpu = l.split(':', 1)[1].strip()
            break
w(f'# rillmark benchmark results\n')
w(f'Measured {cmp["date"]} on a Debian 12 machine, {os.cpu_count()} cores ({cpu}), Node {cmp["node"]}. '
  'Every claim is a ratio measured side by side in the same run; absolute numbers vary with the machine. '
  'Reproduce with `bash bench/run`.\n')

w('## SSE parser (native, Google Benchmark)\n')
w('| workload | MB/s | target |\n|---|---:|---|')
s = nat['sse_parser']
w(f'| (a) LLM-like `data: {{json}}` events, 4 KiB chunks | {mbs(s["BM_SseParserFeed_LlmEvents/4096"]):.0f} | ≥ 300 |')
w(f'| (b) large multi-line events | {mbs(s["BM_SseParserFeed_LargeEvents/65536"]):.0f} | ≥ 1000 |')
w(f'| (c) 1-byte feeds | {mbs(s["BM_SseParserFeed_OneByte"]):.0f} | — |\n')

w('## Token decoder (native)\n')
w('| format | MB/s |\n|---|---:|')
for k, b in nat['token_decoder'].items():
    w(f'| {k.replace("BM_TokenDecoder/", "").replace("BM_TokenDecoder_", "")} | {mbs(b):.0f} |')
w('')

m = nat['markdown']
w('## Incremental Markdown (native): cost per input byte, 500 KB vs 5 KB\n')
w('A ratio near 1 means linear total cost (no re-parse of finished blocks). Target ≤ 1.5.\n')
w('| workload | µs/byte at small | µs/byte at large | ratio | flush p50 / p99 µs (large) |\n|---|---:|---:|---:|---|')
def row(label, small, large):
    a, b = m[small], m[large]
    pa = a['real_time'] * 1000 / int(small.rsplit('/', 1)[1])
    pb = b['real_time'] * 1000 / int(large.rsplit('/', 1)[1])
    w(f'| {label} | {pa:.3f} | {pb:.3f} | {pb / pa:.2f} | {b.get("p50_us", 0):.2f} / {b.get("p99_us", 0):.2f} |')
row('prose answer, flush per 4-byte token (5 KB → 500 KB)', 'BM_StreamFlushPerToken/5000', 'BM_StreamFlushPerToken/500000')
row('prose answer, flush every 8 tokens', 'BM_StreamFlushEvery8/5000', 'BM_StreamFlushEvery8/500000')
row('one 200 KB fenced code block (5 KB → 200 KB)', 'BM_StreamWorstTail/code/5000', 'BM_StreamWorstTail/code/200000')
row('one long list (5 KB → 200 KB)', 'BM_StreamWorstTail/list/5000', 'BM_StreamWorstTail/list/200000')
row('one long table (5 KB → 200 KB)', 'BM_StreamWorstTail/table/5000', 'BM_StreamWorstTail/table/200000')
row('one long paragraph (5 KB → 200 KB)', 'BM_StreamWorstTail/paragraph/5000', 'BM_StreamWorstTail/paragraph/200000')
w('\nOne-shot render (md4c → tokens → HTML): '
  f'{mbs(m["BM_OneShot/500000"]):.0f} MB/s at 500 KB.\n')

w('## Node, same process: rillmark vs what apps use today\n')
w('| task | rillmark | peer | ratio (peer time / rillmark time) | target |\n|---|---:|---:|---:|---|')
w(f'| SSE bytes → events | {cmp["sse"]["rillmarkMBs"]:.0f} MB/s | eventsource-parser {cmp["sse"]["eventsourceParserMBs"]:.0f} MB/s | {cmp["sse"]["ratio"]:.2f} | ≥ 2 |')
w(f'| OpenAI stream, 4-byte tokens → text | {cmp["tokens"]["rillmarkMBs"]:.0f} MB/s | eventsource-parser + JSON.parse {cmp["tokens"]["baselineMBs"]:.0f} MB/s | {cmp["tokens"]["ratio"]:.2f} | ≥ 3 |\n')
w('Streaming render of a 50 KB answer in 4-byte tokens (CPU ms; ×N = N times the one-shot render of the final text, the lower bound). '
  'Peers that re-render produce an HTML string only (no DOM work counted); rillmark and streaming-markdown include applying their DOM operations to a DOM shim.\n')
w('| flush every | one-shot | rillmark | marked | markdown-it | markdown-wasm | streaming-markdown | marked ÷ rillmark |\n|---:|---:|---:|---:|---:|---:|---:|---:|')
for r in cmp['render']:
    o = r['oneShotMs']
    f = lambda k: f'{r[k]:.1f} (×{r[k] / o:.0f})'
    w(f'| {r["every"]} | {o:.2f} | {f("rillmarkMs")} | {f("markedMs")} | {f("markdownItMs")} | {f("markdownWasmMs")} | {f("streamingMarkdownMs")} | {r["markedMs"] / r["rillmarkMs"]:.0f} |')
w('\nstreaming-markdown is a pure-JS incremental renderer that does not aim at CommonMark conformance; rillmark renders exactly what md4c renders (703/703 spec and GFM examples).\n')

chrome = load('chromium.json') if os.path.exists(os.path.join(out_dir, 'chromium.json')) else None
if chrome:
    w(f'## Chromium {chrome["chromium"]}: streaming into a visible page\n')
    w('Tokens of 4 bytes appended on a timer at the given rate; rillmark flushes once per animation frame, '
      '`marked` re-renders the whole message into `innerHTML` on every token (what many chat UIs do), '
      'streaming-markdown writes every token. Script, layout and style figures are CDP Performance metrics; '
      'main-thread ms is CDP\'s TaskDuration: all main-thread work (script, style, layout, paint, the harness\'s timers). '
      'Mutation records from a MutationObserver; worst frame is the longest interval between animation frames. '
      'Each approach streams once into a fresh page: JIT and Wasm tier-up are part of the figures.\n')
    w('| scenario | approach | script ms | main-thread ms | layouts | style recalcs | mutation records | worst frame ms |\n|---|---|---:|---:|---:|---:|---:|---:|')
    for sc in chrome['scenarios']:
        for a, v in sc['approaches'].items():
            w(f'| {sc["name"]} ({sc["tokens"]} tokens) | {a} | {v["scriptMs"]:.0f} | {v["taskMs"]:.0f} | {v["layouts"]:.0f} | {v["styleRecalcs"]:.0f} | {v["mutationRecords"]} | {v["worstFrameMs"]:.0f} |')
    w('')
    if chrome.get('flushLatency'):
        w('### Per-flush latency in Chromium, worst-case tails (Wasm + DOM patch, a flush per 4-byte token)\n')
        w('| whole answer is one | bytes | flushes | p50 ms | p99 ms | max ms | mean µs |\n|---|---:|---:|---:|---:|---:|---:|')
        for f_ in chrome['flushLatency']:
            w(f'| {f_["kind"]} | {f_["bytes"]} | {f_["flushes"]} | {f_["p50Ms"]:.1f} | {f_["p99Ms"]:.1f} | {f_["maxMs"]:.1f} | {1000 * f_["totalMs"] / f_["flushes"]:.1f} |')
        w('\nperformance.now() is coarsened to 0.1 ms in a page without cross-origin isolation: "0.1" means at most about 0.1 ms. Target: p99 < 1 ms.\n')

jc_path = os.path.join(out_dir, 'json_choice.jsonl')
if os.path.exists(jc_path):
    jc = [json.loads(l) for l in open(jc_path) if l.strip()]
    w('## JSON library in Wasm: RapidJSON vs simdjson (bench/json_choice)\n')
    w('Same task (parse an OpenAI chat chunk, read choices[0].delta.content; 20,000 events), each library alone in a '
      'minimal module with the package\'s flags (-O3, LTO, no exceptions/RTTI, emmalloc).\n')
    w('| library | MB/s | module Wasm gzipped |\n|---|---:|---:|')
    for r in jc:
        w(f'| {r["library"]} | {r["MBs"]:.0f} | {r["wasm_gz"] / 1024:.1f} KB |')
    w('')

w('## Size (gzip -9, what a browser downloads)\n')
w('| package | JS | Wasm | total |\n|---|---:|---:|---:|')
for k, v in cmp['size'].items():
    js, wa = v.get('js', 0), v.get('wasm', 0)
    w(f'| {k} | {js / 1024:.1f} KB | {wa / 1024:.1f} KB | {(js + wa) / 1024:.1f} KB |')
w('\nJS as an app ships it: the package\'s browser entry bundled and minified by esbuild (Vite\'s minifier), gzipped; '
  'markdown-wasm\'s prebuilt ES module as published. The second rillmark row is the npm files themselves (unminified sources + glue). '
  'Budget for rillmark: JS + Wasm ≤ 80 KB.\n')

w('## Server capacity: rillmark-server vs FastAPI + uvicorn (same load client, same run)\n')
w('| server | streams × events @ interval | lost/dup | TTFB p99 ms | jitter p99 ms | CPU µs/event | peak RSS MB |\n|---|---|---:|---:|---:|---:|---:|')
for s_ in server:
    w(f'| {s_["server"]} | {s_["streams"]} × {s_["events_per_stream"]} @ {s_["interval_ms"]} ms | {s_["failed"] + s_["lost_or_duplicated"]} | '
      f'{s_["ttfb_p99_ms"]:.1f} | {s_["jitter_p99_ms"]:.1f} | {s_["server_cpu_us_per_event"]:.1f} | {s_["server_peak_rss_mb"]:.0f} |')
w('\nStreams open at a steady 5 per ms. Targets for rillmark-server: no lost or duplicated event, jitter p99 ≤ 10 ms, TTFB p99 ≤ 100 ms, RSS ≤ 128 MB.\n')
open(md_path, 'w').write('\n'.join(lines) + '\n')

# ---- chart: key ratios (rillmark's advantage; > 1 is better), log scale ----
bars = [('SSE vs eventsource-parser', cmp['sse']['ratio']),
        ('tokens vs eventsource-parser+JSON.parse', cmp['tokens']['ratio'])]
for r in cmp['render']:
    bars.append((f'render vs marked, flush/{r["every"]}', r['markedMs'] / r['rillmarkMs']))
    bars.append((f'render vs streaming-markdown, flush/{r["every"]}', r['streamingMarkdownMs'] / r['rillmarkMs']))
if chrome:
    burst = chrome['scenarios'][0]['approaches']
    bars.append(('Chromium burst: script vs innerHTML+marked', burst['marked']['scriptMs'] / burst['rillmark']['scriptMs']))
    bars.append(('Chromium burst: script vs streaming-markdown', burst['streaming-markdown']['scriptMs'] / burst['rillmark']['scriptMs']))
    bars.append(('Chromium burst: main thread vs streaming-markdown', burst['streaming-markdown']['taskMs'] / burst['rillmark']['taskMs']))
    bars.append(('Chromium burst: mutations vs streaming-markdown', burst['streaming-markdown']['mutationRecords'] / max(1, burst['rillmark']['mutationRecords'])))
byname = {}
for s_ in server:
    byname.setdefault(s_['streams'], {})[s_['server']] = s_
for n, d in byname.items():
    if 'rillmark' in d and 'fastapi' in d:
        bars.append((f'server CPU/event vs FastAPI, {n} streams', d['fastapi']['server_cpu_us_per_event'] / d['rillmark']['server_cpu_us_per_event']))
import math
W, H, left = 760, 30 * len(bars) + 60, 330
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<text x="10" y="20" font-size="14" font-weight="bold">rillmark advantage (ratio, log scale; 1 = parity)</text>']
scale = lambda v: (math.log10(max(v, 0.1)) + 1) / 4 * (W - left - 60)  # 0.1 .. 1000
x1 = left + scale(1)
svg.append(f'<line x1="{x1:.0f}" y1="30" x2="{x1:.0f}" y2="{H - 20}" stroke="#888" stroke-dasharray="3"/>')
for i, (label, v) in enumerate(bars):
    y = 40 + i * 30
    x = left + scale(v)
    color = '#2da44e' if v >= 1 else '#cf222e'
    svg.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{label}</text>')
    svg.append(f'<rect x="{min(x, x1):.0f}" y="{y}" width="{abs(x - x1):.0f}" height="20" fill="{color}"/>')
    svg.append(f'<text x="{max(x, x1) + 4:.0f}" y="{y + 14}">{v:.2f}×</text>')
svg.append('</svg>')
open(svg_path, 'w').write('\n'.join(svg) + '\n')

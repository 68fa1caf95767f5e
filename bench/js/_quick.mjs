// Side-by-side comparison in one Node process: rillmark vs what chat UIs use
// today. Every number that matters is a ratio measured in the same run.
// Usage: node bench/js/compare.mjs [--json out.json]
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { createParser } from 'eventsource-parser';
import { marked } from 'marked';
import MarkdownIt from 'markdown-it';
import * as mdwasm from 'markdown-wasm';
import * as smd from 'streaming-markdown';
import { createSseParser, createTokenDecoder, init, MarkdownRenderer, renderMarkdown } from '../../web/src/index.node.js';
import { createDocument } from '../../web/test/fake-dom.js';

const root = new URL('../../', import.meta.url);
const fixture = (p) => readFileSync(new URL(`tests/fixtures/${p}`, root), 'utf8');
const enc = new TextEncoder();

function answer(bytes) {
  const docs = ['docs/intro.md', 'docs/lists.md', 'docs/table.md', 'docs/code.md'].map(fixture);
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += docs[i % 4] + '\n';
  return out.slice(0, bytes);
}
function openAiStream(text, tokenBytes) {
  let out = '';
  for (let i = 0; i < text.length; i += tokenBytes)
    out += `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text.slice(i, i + tokenBytes) } }] })}\n\n`;
  return out + 'data: [DONE]\n\n';
}
function chunks(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
// Median wall time of `runs` runs after a warm-up (single-threaded, so wall ≈ CPU).
function time(fn, runs = 7) {
  const w0 = performance.now();
  fn();
  const warm = performance.now() - w0;
  if (warm > 300) return warm;  // the slow peers: one run says enough
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

await init();
await mdwasm.ready;
const results = { date: new Date().toISOString().slice(0, 10), node: process.version, sse: {}, tokens: {}, render: [], size: {} };

// ---- 1. SSE: bytes → events delivered to JS ------------------------------------
{
  const stream = enc.encode(openAiStream(answer(200_000), 4));
  const parts = chunks(stream, 4096);
  let n = 0;
  const ours = time(() => {
    const p = createSseParser({ onEvent: (e) => (n += e.data.length) });
    for (const c of parts) p.feed(c);
    p.end();
    p.free();
  });
  const peer = time(() => {
    const dec = new TextDecoder();
    const p = createParser({ onEvent: (e) => (n += e.data.length) });
    for (const c of parts) p.feed(dec.decode(c, { stream: true }));
  });
  results.sse = { bytes: stream.length, rillmarkMBs: stream.length / ours / 1e3, eventsourceParserMBs: stream.length / peer / 1e3, ratio: peer / ours };
}

// ---- 2. Tokens: bytes → text, OpenAI stream of 4-byte tokens --------------------
{
  const stream = enc.encode(openAiStream(answer(200_000), 4));
  const parts = chunks(stream, 4096);
  let out = '';
  const ours = time(() => {
    out = '';
    const d = createTokenDecoder('openai-chat', { onText: (t) => (out += t) });
    for (const c of parts) d.feed(c);
    d.end();
    d.free();
  });
  const ourText = out;
  const peer = time(() => {
    out = '';
    const dec = new TextDecoder();
    const p = createParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        out += JSON.parse(e.data).choices[0]?.delta?.content ?? '';
      },
    });
    for (const c of parts) p.feed(dec.decode(c, { stream: true }));
  });
  if (out !== ourText) throw new Error('token decoders disagree');
  results.tokens = { bytes: stream.length, rillmarkMBs: stream.length / ours / 1e3, baselineMBs: stream.length / peer / 1e3, ratio: peer / ours };
}

console.log(JSON.stringify({sse:results.sse,tokens:results.tokens}));

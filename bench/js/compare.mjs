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

// Median times of functions run alternately `runs` times after one warm-up run each.
function interleaved(fns, runs) {
  const t = fns.map(() => []);
  fns.forEach((fn) => fn());
  for (let k = 0; k < runs; k++) {
    fns.forEach((fn, j) => {
      const t0 = performance.now();
      fn();
      t[j].push(performance.now() - t0);
    });
  }
  return t.map((a) => a.sort((x, y) => x - y)[a.length >> 1]);
}

await init();
await mdwasm.ready;
const results = { date: new Date().toISOString().slice(0, 10), node: process.version, sse: {}, tokens: {}, render: [], size: {} };

// ---- 1. SSE: bytes → events delivered to JS ------------------------------------
{
  const stream = enc.encode(openAiStream(answer(200_000), 4));
  const parts = chunks(stream, 4096);
  let n = 0;
  const [ours, peer] = interleaved([() => {
    const p = createSseParser({ onEvent: (e) => (n += e.data.length) });
    for (const c of parts) p.feed(c);
    p.end();
    p.free();
  }, () => {
    const dec = new TextDecoder();
    const p = createParser({ onEvent: (e) => (n += e.data.length) });
    for (const c of parts) p.feed(dec.decode(c, { stream: true }));
  }], 21);
  results.sse = { bytes: stream.length, rillmarkMBs: stream.length / ours / 1e3, eventsourceParserMBs: stream.length / peer / 1e3, ratio: peer / ours };
}

// ---- 2. Tokens: bytes → text, OpenAI stream of 4-byte tokens --------------------
{
  const stream = enc.encode(openAiStream(answer(200_000), 4));
  const parts = chunks(stream, 4096);
  let out = '', ourText = '';
  const [ours, peer] = interleaved([() => {
    out = '';
    const d = createTokenDecoder('openai-chat', { onText: (t) => (out += t) });
    for (const c of parts) d.feed(c);
    d.end();
    d.free();
    ourText = out;
  }, () => {
    out = '';
    const dec = new TextDecoder();
    const p = createParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        out += JSON.parse(e.data).choices[0]?.delta?.content ?? '';
      },
    });
    for (const c of parts) p.feed(dec.decode(c, { stream: true }));
  }], 21);
  if (out !== ourText) throw new Error('token decoders disagree');
  results.tokens = { bytes: stream.length, rillmarkMBs: stream.length / ours / 1e3, baselineMBs: stream.length / peer / 1e3, ratio: peer / ours };
}

// ---- 3. Streaming render of a 50 KB answer in 4-byte tokens ---------------------
{
  const text = answer(50_000);
  const tokens = [];
  for (let i = 0; i < text.length; i += 4) tokens.push(text.slice(i, i + 4));
  const md = new MarkdownIt({ linkify: true });
  const doc = createDocument();
  globalThis.document = doc;  // streaming-markdown's renderer uses the global document
  const oneShot = time(() => renderMarkdown(text));
  for (const every of [1, 8, 32]) {
    const rerender = (fn) => time(() => {
      let acc = '';
      for (let i = 0; i < tokens.length; i++) {
        acc += tokens[i];
        if ((i + 1) % every === 0 || i === tokens.length - 1) fn(acc);
      }
    }, 3);
    const row = { every, oneShotMs: oneShot };
    const ours = () => {
      const target = doc.createElement('div');
      const r = new MarkdownRenderer(target);
      for (let i = 0; i < tokens.length; i++) {
        r.append(tokens[i]);
        if ((i + 1) % every === 0) r.flush();
      }
      r.finish();
      r.free();
    };
    // streaming-markdown writes every token whatever the flush interval.
    const streaming = () => {
      const root = doc.createElement('div');
      const p = smd.parser(smd.default_renderer(root));
      for (const t of tokens) smd.parser_write(p, t);
      smd.parser_end(p);
    };
    // The two incremental renderers are close: measured interleaved, after
    // the same warm-up, so heap state and JIT tiering treat them alike.
    [row.rillmarkMs, row.streamingMarkdownMs] = interleaved([ours, streaming], 15);
    row.markedMs = rerender((s) => marked.parse(s));
    row.markdownItMs = rerender((s) => md.render(s));
    row.markdownWasmMs = rerender((s) => mdwasm.parse(s));
    results.render.push(row);
  }
}

// ---- 4. Size: gzipped browser payloads -------------------------------------------
{
  const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, root)), { level: 9 }).length, 0);
  const src = readdirSync(new URL('web/src/', root)).filter((f) => f.endsWith('.js') && f !== 'index.node.js').map((f) => `web/src/${f}`);
  // What a browser downloads from an app: each package's browser entry as a
  // production bundler ships it (esbuild, the minifier Vite uses: bundled,
  // minified), gzipped; Wasm files as they are.
  const bundleGz = (stdin) => {
    const r = esbuild.buildSync({
      stdin: { contents: stdin, resolveDir: new URL('bench/', root).pathname },
      bundle: true, minify: true, format: 'esm', write: false, outdir: '/tmp/rillmark-size', logLevel: 'silent',
    });
    return r.outputFiles.reduce((n, f) => n + gzipSync(f.contents, { level: 9 }).length, 0);
  };
  results.size = {
    rillmark: { js: bundleGz(`export * from '../web/src/index.js';`), wasm: gz(['web/dist/rillmark.wasm']) },
    'rillmark (npm files, unminified)': { js: gz(src), wasm: gz(['web/dist/rillmark.wasm']) },
    marked: { js: bundleGz(`export * from 'marked';`) },
    'markdown-it': { js: bundleGz(`export { default } from 'markdown-it';`) },
    'markdown-wasm': { js: gz(['bench/node_modules/markdown-wasm/dist/markdown.es.js']), wasm: gz(['bench/node_modules/markdown-wasm/dist/markdown.wasm']) },
    'streaming-markdown': { js: bundleGz(`export * from 'streaming-markdown';`) },
    'eventsource-parser': { js: bundleGz(`export * from 'eventsource-parser';`) },
  };
}

const out = process.argv.indexOf('--json');
if (out > 0) writeFileSync(process.argv[out + 1], JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));

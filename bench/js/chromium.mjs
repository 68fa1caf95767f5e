// Chromium side by side: rillmark vs innerHTML re-render with marked vs
// streaming-markdown, streaming an answer into a visible page; CDP Performance
// metrics (script time, layouts, style recalcs) + MutationObserver + worst frame.
// Usage: node bench/js/chromium.mjs --json out.json  (needs build/release or asan server)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/test/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = ['intro', 'lists', 'table', 'code', 'mixed'].map((n) => readFileSync(`${root}tests/fixtures/docs/${n}.md`, 'utf8'));
const answer = (bytes) => { let s = ''; for (let i = 0; s.length < bytes; i++) s += docs[i % docs.length] + '\n'; return s.slice(0, bytes); };
const tokens = (text) => { const t = []; for (let i = 0; i < text.length; i += 4) t.push(text.slice(i, i + 4)); return t; };

// The worst-case tails of bench/bench_util.h (the whole answer is one block).
const worstTail = (kind, bytes) => {
  let out = '';
  if (kind === 'code') { out = '```cpp\n'; for (let i = 0; out.length < bytes; i++) out += `int value_${i} = compute(${i});  // a line\n`; }
  if (kind === 'list') for (let i = 0; out.length < bytes; i++) out += `- item ${i} with **some** text and \`code\`\n`;
  if (kind === 'table') { out = '| id | name | value |\n|---|---|---|\n'; for (let i = 0; out.length < bytes; i++) out += `| ${i} | row ${i} | **${i * 7}** |\n`; }
  if (kind === 'paragraph') {
    const sentences = [
      'Large language models answer **token by token**, and re-rendering the message does *quadratic* work. ',
      'Use `fetch()` with an `Authorization` header, then read the body as it arrives. ',
      'See the [HTML Standard](https://html.spec.whatwg.org/) for the wire format and ~~polling~~ streaming. ',
      'Frozen blocks are never touched again, so a user can select and copy text while it streams. '];
    for (let i = 0; out.length < bytes; i++) {
      out += sentences[i % 4];
      if (i % 5 === 4) out = out.slice(0, -1) + '\n';
    }
  }
  return out;
};
const scenarios = [
  { name: '50 KB at a 2000 tokens/s burst', tokens: tokens(answer(50_000)), rate: 2000 },
  { name: '50 KB at 100 tokens/s', tokens: tokens(answer(50_000)), rate: 100 },
];
const server = await startServer({ args: ['--static', root] });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const results = { date: new Date().toISOString().slice(0, 10), chromium: browser.version(), scenarios: [] };
try {
  for (const sc of scenarios) {
    const row = { name: sc.name, tokens: sc.tokens.length, approaches: {} };
    for (const approach of ['rillmark', 'marked', 'streaming-markdown']) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(`${server.url}/bench/js/chromium.html`);
      await page.waitForFunction(() => window.ready === true);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const before = await metrics();
      const r = await page.evaluate(([a, t, rate]) => window.runBench(a, t, rate), [approach, sc.tokens, sc.rate]);
      const after = await metrics();
      const d = (k) => after[k] - before[k];
      row.approaches[approach] = {
        scriptMs: d('ScriptDuration') * 1000, layouts: d('LayoutCount'), styleRecalcs: d('RecalcStyleCount'),
        layoutMs: d('LayoutDuration') * 1000, styleMs: d('RecalcStyleDuration') * 1000, taskMs: d('TaskDuration') * 1000,
        mutationRecords: r.records, worstFrameMs: r.worstFrameMs, wallMs: r.ms,
      };
      console.error(sc.name, approach, JSON.stringify(row.approaches[approach]));
      await page.close();
    }
    results.scenarios.push(row);
  }
  results.flushLatency = [];
  for (const kind of ['code', 'list', 'table', 'paragraph']) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${server.url}/bench/js/chromium.html`);
    await page.waitForFunction(() => window.ready === true);
    const doc = worstTail(kind, 50_000);
    await page.evaluate((d) => window.flushLatency(d.slice(0, 5000)), doc);  // warm-up (JIT, Wasm tier-up)
    const r = await page.evaluate((d) => window.flushLatency(d), doc);
    results.flushLatency.push({ kind, bytes: doc.length, ...r });
    console.error('flush latency', kind, JSON.stringify(r));
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const out = process.argv.indexOf('--json');
if (out > 0) writeFileSync(process.argv[out + 1], JSON.stringify(results, null, 2));

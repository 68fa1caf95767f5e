import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { _live, init, streamMarkdown } from 'rillmark';
import { startServer } from './server.js';

const doc = (n) => readFileSync(new URL(`../../tests/fixtures/docs/${n}.md`, import.meta.url), 'utf8');
let srv;
before(async () => {
  await init();
  srv = await startServer();
});
after(() => srv.stop());

// A fetch that counts the requests it makes (and lets the real one through).
function countingFetch() {
  const f = (input, init) => {
    f.calls.push(new Headers(init.headers));
    return fetch(input, init);
  };
  f.calls = [];
  return f;
}

async function until(fn, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

test('POSTs a JSON body with the Bearer header and resolves with the text at the end marker', async () => {
  const errors = [];
  const { done } = streamMarkdown(null, `${srv.url}/v1/stream`, {
    format: 'openai-chat',
    method: 'POST',
    headers: { ...srv.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ format: 'openai-chat', doc: 'code', interval_ms: 0, token_bytes: 3 }),
    onError: (e) => errors.push(e),
  });
  const r = await done;
  assert.equal(r.text, doc('code'));
  assert.equal(r.reconnects, 0);
  assert.ok(Number(r.lastEventId) > 10);
  assert.deepEqual(errors, []);
});

test('reports metrics: time to first token, tokens, bytes, flushes', async () => {
  let m;
  const r = await streamMarkdown(null, `${srv.url}/v1/stream?format=anthropic&doc=intro&interval_ms=0`, {
    format: 'anthropic', headers: srv.auth, onMetrics: (x) => (m = x),
  }).done;
  assert.equal(r.text, doc('intro'));
  assert.ok(m.ttftMs >= 0 && m.tokens > 100 && m.bytes > r.text.length && m.reconnects === 0);
});

test('a 401 is HTTP_STATUS with the status and a body excerpt, not retried', async () => {
  const f = countingFetch();
  await assert.rejects(streamMarkdown(null, `${srv.url}/v1/stream`, { fetch: f, headers: { Authorization: 'Bearer nope' } }).done,
    (e) => e.code === 'HTTP_STATUS' && e.status === 401 && /UNAUTHORIZED/.test(e.message));
  assert.equal(f.calls.length, 1);
});

test('a 503 is retried with backoff until RETRIES_EXHAUSTED', async () => {
  const f = countingFetch();
  await assert.rejects(streamMarkdown(null, `${srv.url}/v1/stream?status=503`, {
    fetch: f, headers: srv.auth, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
  }).done, (e) => e.code === 'RETRIES_EXHAUSTED' && e.cause.code === 'HTTP_STATUS' && e.cause.status === 503);
  assert.equal(f.calls.length, 3);
});

test('a 429 honours Retry-After', async () => {
  const f = countingFetch();
  const t0 = Date.now();
  await assert.rejects(streamMarkdown(null, `${srv.url}/v1/stream?status=429`, {
    fetch: f, headers: srv.auth, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
  }).done, (e) => e.code === 'RETRIES_EXHAUSTED');
  assert.equal(f.calls.length, 2);
  assert.ok(Date.now() - t0 >= 1000, 'waited the server-given second, not the 1 ms backoff');
});

test('a content type other than text/event-stream is BAD_CONTENT_TYPE, not retried', async () => {
  const f = countingFetch();
  await assert.rejects(streamMarkdown(null, `${srv.url}/v1/stream?content_type=text%2Fhtml&interval_ms=0`, {
    fetch: f, headers: srv.auth,
  }).done, (e) => e.code === 'BAD_CONTENT_TYPE');
  assert.equal(f.calls.length, 1);
});

test('reconnects after dropped connections with Last-Event-ID: exactly once, nothing missing', async () => {
  const f = countingFetch();
  const r = await streamMarkdown(null, `${srv.url}/v1/stream?format=adk&doc=lists&interval_ms=0&token_bytes=5&drop_after=7&retry_ms=1`, {
    format: 'adk', fetch: f, headers: srv.auth, retry: { maxAttempts: 5, initialDelayMs: 1 },
  }).done;
  assert.equal(r.text, doc('lists'));
  assert.ok(r.reconnects >= 5, `${r.reconnects} reconnects`);
  assert.equal(f.calls[0].get('last-event-id'), null);
  for (let i = 1; i < f.calls.length; i++) assert.equal(Number(f.calls[i].get('last-event-id')), 7 * i);
});

test('an idle stream (no byte for idleTimeoutMs) reconnects and completes', async () => {
  const errors = [];
  const r = await streamMarkdown(null, `${srv.url}/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=50&stall_ms=60000&stall_after=3`, {
    headers: srv.auth, idleTimeoutMs: 200, retry: { initialDelayMs: 1 }, onError: (e) => errors.push(e.code),
  }).done;
  assert.equal(r.text, doc('intro'));
  assert.ok(errors.includes('IDLE_TIMEOUT'));
  assert.ok(r.reconnects >= 1);
});

test('heartbeats count as activity for the idle timeout', async () => {
  const errors = [];
  const r = await streamMarkdown(null, `${srv.url}/v1/stream?format=text&doc=intro&interval_ms=600&token_bytes=400&heartbeat_ms=50`, {
    headers: srv.auth, idleTimeoutMs: 300, onError: (e) => errors.push(e.code),
  }).done;
  assert.equal(r.text, doc('intro'));
  assert.deepEqual(errors, []);
});

test('abort() stops at once, rejects with ABORTED and the server frees the stream', async () => {
  const s = streamMarkdown(null, `${srv.url}/v1/stream?interval_ms=1000`, { headers: srv.auth });
  assert.ok(await until(async () => (await srv.stats()).live === 1));
  s.abort();
  await assert.rejects(s.done, (e) => e.code === 'ABORTED');
  assert.ok(await until(async () => (await srv.stats()).live === 0), 'server still holds the stream');
});

test('an AbortSignal that already fired rejects with ABORTED', async () => {
  const c = new AbortController();
  c.abort();
  await assert.rejects(streamMarkdown(null, `${srv.url}/v1/stream`, { headers: srv.auth, signal: c.signal }).done,
    (e) => e.code === 'ABORTED');
});

test('1000 streams finished or aborted leave Wasm memory and live handles where they started', async () => {
  const { wasm } = await import('../src/wasm.js');
  const run = async (i) => {
    const s = streamMarkdown(null, `${srv.url}/v1/stream?format=openai-chat&doc=table&interval_ms=0&token_bytes=64`, {
      format: 'openai-chat', headers: srv.auth,
    });
    if (i % 2) s.abort();
    try {
      await s.done;
    } catch (e) {
      assert.equal(e.code, 'ABORTED');
    }
  };
  for (let i = 0; i < 50; i++) await run(i);  // warm-up: buffers reach their steady size
  const handles = _live.handles;
  const memory = wasm().HEAPU8.length;
  for (let i = 0; i < 1000; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => run(i + k)));
  assert.equal(_live.handles, handles);
  assert.equal(wasm().HEAPU8.length, memory);
});

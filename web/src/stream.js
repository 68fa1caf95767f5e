// streamMarkdown: fetch + SSE + token decoding + Markdown, with reconnection.
import { RillmarkError } from './errors.js';
import { MarkdownRenderer } from './markdown.js';
import { createTokenDecoder } from './tokens.js';
import { init } from './wasm.js';

const FALLBACK_FLUSH_MS = 100;  // a hidden tab runs no frames; text must still show

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

function retryAfterMs(res) {
  const v = res.headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Streams an LLM answer into `target` (or nowhere, with target null).
 * Returns { done, abort }. done resolves with { text, lastEventId, reconnects }
 * when the format's end marker arrives, or rejects with a RillmarkError.
 */
export function streamMarkdown(target, input, options = {}) {
  const controller = new AbortController();
  const abortWith = (reason) =>
    controller.abort(reason instanceof RillmarkError ? reason : new RillmarkError('ABORTED', 'rillmark: stream aborted', { cause: reason }));
  if (options.signal) {
    if (options.signal.aborted) abortWith(options.signal.reason);
    else options.signal.addEventListener('abort', () => abortWith(options.signal.reason), { once: true });
  }
  const done = run(target, input, options, controller.signal);
  return { done, abort: (reason) => abortWith(reason) };
}

async function run(target, input, options, signal) {
  await init();
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const retry = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 10000, ...options.retry };
  const renderer = target ? new MarkdownRenderer(target) : null;
  const started = performance.now();
  const metrics = { ttftMs: -1, tokens: 0, bytes: 0, flushes: 0, reconnects: 0 };
  let text = '';
  let serverRetryMs;
  let finished = false;
  let failed = null;  // a fatal error event from the stream
  let attempt = 0;

  // ---- frame pacing: at most one flush per animation frame --------------------
  const raf = globalThis.requestAnimationFrame?.bind(globalThis);
  const caf = globalThis.cancelAnimationFrame?.bind(globalThis);
  let frame = 0;
  let timer = 0;
  const flushNow = () => {
    if (frame && caf) caf(frame);
    if (timer) clearTimeout(timer);
    frame = 0;
    timer = 0;
    if (!renderer) return;
    renderer.flush();
    metrics.flushes++;
    options.onMetrics?.({ ...metrics });
  };
  const scheduleFlush = () => {
    if (timer) return;
    if (raf) frame = raf(flushNow);
    timer = setTimeout(flushNow, FALLBACK_FLUSH_MS);
  };

  const decoder = createTokenDecoder(options.format ?? 'text', {
    onText(t) {
      if (metrics.ttftMs < 0) metrics.ttftMs = performance.now() - started;
      text += t;
      options.onText?.(t);
      if (renderer) {
        renderer.append(t);
        scheduleFlush();
      }
    },
    onEvent(e) {
      options.onEvent?.(e);
    },
    onDone() {
      finished = true;
    },
    onRetry(ms) {
      serverRetryMs = ms;
    },
    onError(e) {
      if (e.code === 'STREAM_ERROR_EVENT') failed ??= e;
      options.onError?.(e);
    },
  });

  const cleanup = () => {
    if (frame && caf) caf(frame);
    if (timer) clearTimeout(timer);
    decoder.free();
    renderer?.free();
  };

  try {
    for (;;) {
      let retryDelay;
      const bytesBefore = metrics.bytes;
      try {
        const headers = new Headers(options.headers);
        headers.set('Accept', 'text/event-stream');
        if (decoder.lastEventId) headers.set('Last-Event-ID', decoder.lastEventId);
        let res;
        try {
          res = await fetchFn(input, {
            method: options.method ?? (options.body ? 'POST' : 'GET'),
            headers,
            body: options.body,
            credentials: options.credentials,
            signal,
            cache: 'no-store',
          });
        } catch (e) {
          if (signal.aborted) throw signal.reason;
          throw new RillmarkError('NETWORK', `rillmark: fetch failed: ${e?.message ?? e}`, { cause: e, retryable: true });
        }
        if (!res.ok) {
          const body = await res.text().catch(() => '');
          const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
          retryDelay = retryAfterMs(res);
          throw new RillmarkError('HTTP_STATUS', `rillmark: HTTP ${res.status}: ${body.slice(0, 200)}`, {
            status: res.status,
            retryable,
          });
        }
        const type = (res.headers.get('content-type') ?? '').toLowerCase();
        if (!type.startsWith('text/event-stream')) {
          res.body?.cancel().catch(() => {});
          throw new RillmarkError('BAD_CONTENT_TYPE', `rillmark: expected text/event-stream, got '${type}'`, { retryable: false });
        }
        options.onOpen?.(res);
        decoder.reset();
        await readBody(res, decoder, options, signal, metrics);
        if (failed) throw failed;
        if (finished) {
          flushNow();
          renderer?.finish();
          options.onMetrics?.({ ...metrics });
          return { text, lastEventId: decoder.lastEventId, reconnects: metrics.reconnects };
        }
        throw new RillmarkError('NETWORK', 'rillmark: stream ended before the end of the answer', { retryable: true });
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (e === failed || !e.retryable) throw e;
        options.onError?.(e);
        // A connection that made progress starts the count afresh: maxAttempts
        // bounds consecutive failures, not drops over a long answer.
        if (metrics.bytes > bytesBefore) attempt = 0;
        attempt++;
        if (attempt >= retry.maxAttempts)
          throw new RillmarkError('RETRIES_EXHAUSTED', `rillmark: gave up after ${attempt} attempts: ${e.message}`, { cause: e });
        const base = serverRetryMs ?? retry.initialDelayMs;
        const exp = Math.min(retry.maxDelayMs, base * 2 ** (attempt - 1));
        const delay = retryDelay ?? exp * (0.5 + Math.random() * 0.5);
        await sleep(delay, signal);
        metrics.reconnects++;
      }
    }
  } finally {
    cleanup();
  }

  async function readBody(res, dec, opts, sig, m) {
    const reader = res.body.getReader();
    const onAbort = () => reader.cancel(sig.reason).catch(() => {});
    sig.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await readWithIdle(reader, opts.idleTimeoutMs);
        } catch (e) {
          if (sig.aborted || e instanceof RillmarkError) throw e;
          // A reset connection (e.g. the server died mid-answer): retry with Last-Event-ID.
          throw new RillmarkError('NETWORK', `rillmark: connection lost: ${e?.message ?? e}`, { cause: e, retryable: true });
        }
        const { value, done: end } = chunk;
        if (end) break;
        m.bytes += value.length;
        const before = dec.textEvents;
        dec.feed(value);
        m.tokens += dec.textEvents - before;
        if (finished || failed) {
          reader.cancel().catch(() => {});
          break;
        }
      }
      dec.end();
    } finally {
      sig.removeEventListener('abort', onAbort);
    }
  }
}

function readWithIdle(reader, idleMs) {
  if (!idleMs) return reader.read();
  let timer;
  const idle = new Promise((_, reject) => {
    timer = setTimeout(() => {
      // Reject before cancelling: cancel() settles the pending read at once.
      reject(new RillmarkError('IDLE_TIMEOUT', `rillmark: no byte for ${idleMs} ms`, { retryable: true }));
      reader.cancel().catch(() => {});
    }, idleMs);
  });
  return Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
}

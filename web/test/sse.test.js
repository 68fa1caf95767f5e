import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseParser, init, RillmarkError, SseParserStream } from 'rillmark';
import { setMemoryDecoder } from '../src/wasm.js';

await init();

function parse(chunks, options) {
  const log = [];
  const p = createSseParser(
    {
      onEvent: (e) => log.push(['event', e.type, e.data, e.id]),
      onRetry: (ms) => log.push(['retry', ms]),
      onComment: (c) => log.push(['comment', c]),
      onError: (e) => log.push(['error', e.code]),
    },
    options,
  );
  for (const c of chunks) p.feed(c);
  p.end();
  p.free();
  return log;
}
const bytes = (s) => new TextEncoder().encode(s);

test('dispatches events with type, data joined by LF, and the last event id', () => {
  assert.deepEqual(parse(['id: 1\nevent: delta\ndata: a\ndata: b\n\ndata: c\n\n']), [
    ['event', 'delta', 'a\nb', '1'],
    ['event', 'message', 'c', '1'],
  ]);
});

test('joins a CR at the end of one chunk with an LF at the start of the next', () => {
  assert.deepEqual(parse(['data: a\r', '\n\r', '\n']), [['event', 'message', 'a', '']]);
});

test('skips a BOM split over chunks, only at the start', () => {
  assert.deepEqual(parse([bytes('\uFEFF').subarray(0, 1), bytes('\uFEFF').subarray(1), 'data: x\n\n']), [
    ['event', 'message', 'x', ''],
  ]);
});

test('decodes a multi-byte character split over chunks and replaces ill-formed bytes', () => {
  const b = bytes('data: h\u00e9\u{1F600}\n\n');
  for (let at = 0; at <= b.length; at++) {
    assert.deepEqual(parse([b.subarray(0, at), b.subarray(at)]), [['event', 'message', 'h\u00e9\u{1F600}', '']]);
  }
  assert.deepEqual(parse([new Uint8Array([100, 97, 116, 97, 58, 0xff, 10, 10])]), [['event', 'message', '\uFFFD', '']]);
});

test('keeps a U+FEFF that starts a string after the stream start', () => {
  // Strings come back as ranges of one decoded blob: a decoder that dropped
  // a leading BOM there would shift every range after it.
  assert.deepEqual(parse([bytes(': \uFEFFhi\ndata: \uFEFFa\ndata: b\n\n')]), [
    ['comment', '\uFEFFhi'],
    ['event', 'message', '\uFEFFa\nb', ''],
  ]);
});

test("Node's Buffer decoding and the browsers' TextDecoder give the same strings", () => {
  const streams = [
    ['data: ascii\n\nid: 1\nevent: t\ndata: a\ndata: b\n\n: c\n'],
    [bytes(': \uFEFFhi\ndata: \uFEFFa\ndata: b\n\ndata: \u00e9\u{1F600}x\n\ndata: \u0080\u0099\n\ndata: z\n\n')],
    [bytes('data: h\u00e9').subarray(0, 8), bytes('data: h\u00e9\n\ndata: z\n\n').subarray(8)],
  ];
  const node = streams.map((s) => parse(s));
  const buffer = setMemoryDecoder(null);
  try {
    assert.notEqual(buffer, setMemoryDecoder(null), 'the Node entry installs its own decoder');
    assert.deepEqual(streams.map((s) => parse(s)), node);
  } finally {
    setMemoryDecoder(buffer);
  }
  assert.deepEqual(node[1], [
    ['comment', '\uFEFFhi'],
    ['event', 'message', '\uFEFFa\nb', ''],
    ['event', 'message', '\u00e9\u{1F600}x', ''],
    ['event', 'message', '\u0080\u0099', ''],
    ['event', 'message', 'z', ''],  // ASCII after multi-byte characters: a byte range of the input
  ]);
});

test('reports comments, valid retry values, and ignores unknown fields', () => {
  assert.deepEqual(parse([': ping\nretry: 250\nretry: x\nfoo: bar\n\n']), [
    ['comment', 'ping'],
    ['retry', 250],
  ]);
});

test('reports EVENT_TOO_LARGE, drops the event and resumes', () => {
  assert.deepEqual(parse(['data: ' + 'x'.repeat(100) + '\n\ndata: ok\n\n'], { maxEventBytes: 16 }), [
    ['error', 'EVENT_TOO_LARGE'],
    ['event', 'message', 'ok', ''],
  ]);
});

test('discards an unterminated event at end', () => {
  assert.deepEqual(parse(['data: a\n\ndata: b\n']), [['event', 'message', 'a', '']]);
});

test('gives identical events at every split and in 1-byte chunks', () => {
  const s = bytes('\uFEFFid: 7\r\nevent: x\rdata: caf\u00e9\n: c\n\ndata: two\r\ndata: lines\r\n\r\n');
  const whole = parse([s]);
  assert.equal(whole.length, 3);
  assert.deepEqual(parse([...s].map((b) => new Uint8Array([b]))), whole);
  for (let at = 0; at <= s.length; at++) assert.deepEqual(parse([s.subarray(0, at), s.subarray(at)]), whole);
});

test('types and ids that change inside a feed and between feeds are reported with each event', () => {
  const s = 'data: a\n\ndata: b\n\nid: 1\ndata: c\n\nevent: t\ndata: d\n\nevent: t\ndata: e\n\ndata: f\n\nid: 2\ndata: g\n\n';
  const expected = [
    ['event', 'message', 'a', ''],
    ['event', 'message', 'b', ''],
    ['event', 'message', 'c', '1'],
    ['event', 't', 'd', '1'],
    ['event', 't', 'e', '1'],
    ['event', 'message', 'f', '1'],
    ['event', 'message', 'g', '2'],
  ];
  for (let at = 0; at <= s.length; at++) assert.deepEqual(parse([s.slice(0, at), s.slice(at)]), expected, `split at ${at}`);
});

test('SseParserStream transforms body bytes into events', async () => {
  const body = new Blob(['data: one\n\nda', 'ta: two\n\n']).stream();
  const events = [];
  for await (const e of body.pipeThrough(new SseParserStream())) events.push(e.data);
  assert.deepEqual(events, ['one', 'two']);
});

test('throws after free()', () => {
  const p = createSseParser({ onEvent() {} });
  p.free();
  p.free();  // idempotent
  assert.throws(() => p.feed('data: x\n\n'), /after free/);
});

test('errors carry a code', () => {
  assert.ok(new RillmarkError('X', 'm') instanceof Error);
});

test('a handler that feeds the same parser again does not disturb the batch being dispatched', () => {
  const seen = [];
  let nested = false;
  const p = createSseParser({
    onEvent: (e) => {
      seen.push(e.data);
      if (!nested) {
        nested = true;  // the events of this feed arrive inside this handler
        p.feed(bytes('data: a much longer inner event\n\ndata: x\n\n'));
      }
    },
  });
  p.feed(bytes('data: outer1\n\ndata: outer2\n\ndata: outer3\n\n'));
  p.end();
  p.free();
  assert.deepEqual(seen, ['outer1', 'a much longer inner event', 'x', 'outer2', 'outer3']);
});

test('feeds nested two deep, and again after the inner ones returned, keep every batch intact', () => {
  const seen = [];
  const p = createSseParser({
    onEvent: (e) => {
      seen.push(e.data);
      if (e.data === 'o1') p.feed('data: i1\n\ndata: i2\n\n');
      if (e.data === 'i1') p.feed('event: deep\nid: 9\ndata: d1\n\n');
      if (e.data === 'o2') p.feed('data: j1\n\n');
      if (e.data === 'o3') p.end();
    },
  });
  p.feed('data: o1\n\ndata: o2\n\nevent: t\ndata: o3\n\ndata: o4\n\n');
  p.free();
  assert.deepEqual(seen, ['o1', 'i1', 'd1', 'i2', 'o2', 'j1', 'o3', 'o4']);
});

test('a handler that grows the Wasm memory does not disturb the batch being dispatched', () => {
  const events = [];
  const other = createSseParser({ onEvent() {} });
  const p = createSseParser({
    onEvent: (e) => {
      events.push([e.type, e.data, e.id]);
      if (events.length === 1) other.feed(new Uint8Array(32 << 20).fill(97));  // 32 MiB: the memory must grow
    },
  });
  p.feed('id: 1\nevent: x\ndata: a\n\ndata: b\n\nevent: y\ndata: c\n\n');
  p.free();
  other.free();
  assert.deepEqual(events, [['x', 'a', '1'], ['message', 'b', '1'], ['y', 'c', '1']]);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTokenDecoder, init } from 'rillmark';

await init();
const fixtures = new URL('../../tests/fixtures/streams/', import.meta.url);
const expected = readFileSync(new URL('expected.txt', fixtures), 'utf8');

function decode(format, chunks) {
  let text = '';
  let calls = 0;
  const log = [];
  const d = createTokenDecoder(format, {
    onText: (t) => {
      text += t;
      calls++;
    },
    onEvent: (e) => log.push(['event', e.type]),
    onDone: () => log.push(['done']),
    onError: (e) => log.push(['error', e.code, e.message]),
  });
  for (const c of chunks) d.feed(c);
  d.end();
  const out = { text, calls, log, lastEventId: d.lastEventId, textEvents: d.textEvents };
  d.free();
  return out;
}

for (const format of ['text', 'openai-chat', 'openai-responses', 'anthropic', 'adk']) {
  test(`decodes the ${format} fixture whole and in 1-byte chunks`, () => {
    const bytes = readFileSync(new URL(`${format}.sse`, fixtures));
    const whole = decode(format, [bytes]);
    assert.equal(whole.text, expected);
    assert.ok(whole.log.some(([k]) => k === 'done'));
    const ones = decode(format, [...bytes].map((b) => new Uint8Array([b])));
    assert.equal(ones.text, expected);
    assert.deepEqual(ones.log, whole.log);
  });
}

test('coalesces many deltas into one onText per feed', () => {
  const r = decode('text', ['data: a\n\ndata: b\n\ndata: c\n\n']);
  assert.equal(r.text, 'abc');
  assert.equal(r.calls, 1);
  assert.equal(r.textEvents, 3);
});

test('keeps a U+FEFF that starts the text of a feed', () => {
  assert.equal(decode('text', [new TextEncoder().encode('data: \uFEFFa\n\n')]).text, '\uFEFFa');
});

test('reports BAD_PAYLOAD for invalid JSON and goes on', () => {
  const r = decode('openai-chat', ['id: 9\ndata: {oops\n\ndata: {"choices":[{"delta":{"content":"x"}}]}\n\n']);
  assert.equal(r.text, 'x');
  assert.equal(r.log[0][1], 'BAD_PAYLOAD');
  assert.match(r.log[0][2], /event id 9/);
  assert.equal(r.lastEventId, '9');
});

test('reports STREAM_ERROR_EVENT for provider error events', () => {
  const r = decode('anthropic', ['event: error\ndata: {"type":"error","error":{"message":"Overloaded"}}\n\n']);
  assert.deepEqual(r.log[0].slice(0, 2), ['error', 'STREAM_ERROR_EVENT']);
});

test('supports a custom JSON Pointer with done markers', () => {
  const r = decode({ path: '/choices/0/text', doneData: '[END]' }, [
    'data: {"choices":[{"text":"a"}]}\n\ndata: {"choices":[{"text":"b"}]}\n\ndata: [END]\n\n',
  ]);
  assert.equal(r.text, 'ab');
  assert.deepEqual(r.log, [['done']]);
});

test('rejects unknown formats and malformed pointers with BAD_ARGUMENT', () => {
  assert.throws(() => createTokenDecoder('gpt', { onText() {} }), (e) => e.code === 'BAD_ARGUMENT');
  assert.throws(() => createTokenDecoder({ path: 'x' }, { onText() {} }), (e) => e.code === 'BAD_ARGUMENT');
});

test('same-shape OpenAI chunks: escapes, non-ASCII and a broken one among them', () => {
  const chunk = (content) => `data: {"id":"c1","choices":[{"index":0,"delta":{"content":${content}}}]}\n\n`;
  const stream = [chunk('"Hi"'), chunk('" \\"there\\""'), chunk('"\\u00e9\\ud83d\\ude00"'), chunk('"a" "b"'),
    chunk('"é!"'), 'data: [DONE]\n\n'].join('');
  const bytes = new TextEncoder().encode(stream);
  const out = decode('openai-chat', [bytes]);
  assert.equal(out.text, 'Hi "there"é😀é!');
  assert.deepEqual(out.log.map(([k, code]) => code ?? k), ['BAD_PAYLOAD', 'done']);
  assert.equal(decode('openai-chat', [...bytes].map((b) => new Uint8Array([b]))).text, out.text);
});

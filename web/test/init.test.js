import assert from 'node:assert/strict';
import { test } from 'node:test';

test('sync API before init() throws NOT_INITIALIZED', async () => {
  // A fresh module instance: query string defeats the ESM cache.
  const m = await import(`../src/index.node.js?fresh=${Date.now()}`);
  assert.throws(() => m.renderMarkdown('x'), (e) => e.code === 'NOT_INITIALIZED');
  await m.init();
  await m.init();  // memoized
  assert.equal(m.renderMarkdown('x'), '<p>x</p>');
});

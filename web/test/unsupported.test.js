// Its own file: node --test runs each file in a fresh process, so the Wasm
// module is not loaded yet here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { init, renderMarkdown } from 'rillmark';

test('init() rejects with UNSUPPORTED_RUNTIME where WebAssembly SIMD is missing', async () => {
  const validate = WebAssembly.validate;
  WebAssembly.validate = () => false;  // an engine without SIMD rejects the probe
  try {
    await assert.rejects(init(), (e) => e.code === 'UNSUPPORTED_RUNTIME' && /SIMD/.test(e.message));
  } finally {
    WebAssembly.validate = validate;
  }
  await init();  // a failed init() can be retried
  assert.equal(renderMarkdown('x'), '<p>x</p>');
});

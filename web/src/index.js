// Browser / bundler entry: the .wasm is found next to the glue through
// new URL(…, import.meta.url), which Vite, webpack and Rollup emit as an asset.
import { setLoader } from './wasm.js';

setLoader(async (options) => {
  const url = options.wasmUrl ?? new URL('../dist/rillmark.wasm', import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`rillmark: cannot load ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
});

export * from './api.js';

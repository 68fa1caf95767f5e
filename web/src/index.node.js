// Node entry: reads the .wasm from the package folder (no fetch of file: URLs).
import { readFile } from 'node:fs/promises';
import { setLoader } from './wasm.js';

setLoader(async (options) => {
  const url = options.wasmUrl ?? new URL('../dist/rillmark.wasm', import.meta.url);
  return new Uint8Array(await readFile(url));
});

export * from './api.js';

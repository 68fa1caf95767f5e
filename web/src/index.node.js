// Node entry: reads the .wasm from the package folder (no fetch of file: URLs).
import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { setLoader, setMemoryDecoder } from './wasm.js';

setLoader(async (options) => {
  const url = options.wasmUrl ?? new URL('../dist/rillmark.wasm', import.meta.url);
  return new Uint8Array(await readFile(url));
});

// Buffer decodes Wasm memory in place, byte for byte as Latin-1 (a plain
// copy): about half the time of a TextDecoder call on a network chunk.
// Buffer's UTF-8 decoding keeps a leading U+FEFF, as wasm.js's TextDecoder does.
let heap = null;
let view = null;
setMemoryDecoder((u8, begin, end, mode) => {
  if (u8.buffer !== heap) view = Buffer.from((heap = u8.buffer));  // memory grew
  return view.toString(mode === 'utf8' ? 'utf8' : 'latin1', begin, end);
});

export * from './api.js';

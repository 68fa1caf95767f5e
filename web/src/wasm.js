// Loads the Wasm module once; everything else reads `wasm()` synchronously.
import { RillmarkError } from './errors.js';

let module = null;
let loading = null;
let loader = null;

/** Set by the entry point (browser or Node) that knows how to get the bytes. */
export function setLoader(fn) {
  loader = fn;
}

// The smallest module with a Wasm SIMD instruction, (func (result v128)
// (i8x16.splat (i32.const 0))): the byte scans of the core need SIMD.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

/** Loads the Wasm module once (memoized). */
export function init(options = {}) {
  if (module) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      if (!WebAssembly.validate(SIMD_PROBE)) {
        throw new RillmarkError(
          'UNSUPPORTED_RUNTIME',
          'rillmark: this JavaScript engine lacks WebAssembly SIMD (needs Chrome/Edge 91, Firefox 89, Safari 16.4, Node 16.4 or newer)',
        );
      }
      module = await instantiate(await loader(options));
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

// The module is built standalone (no Emscripten glue, see CMakeLists.txt):
// its exports as `_name` functions, and views of its memory, made anew when
// the memory grows (the old ones detach).
async function instantiate(bytes) {
  const m = {};
  let memory;
  const views = () => {
    m.HEAPU8 = new Uint8Array(memory.buffer);
    m.HEAPU32 = new Uint32Array(memory.buffer);
  };
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: { emscripten_notify_memory_growth: () => views() },
    wasi_snapshot_preview1: {
      proc_exit: (code) => {
        throw new WebAssembly.RuntimeError(`rillmark: the Wasm module aborted (${code})`);
      },
    },
  });
  const x = instance.exports;
  for (const name in x) m[`_${name}`] = x[name];
  memory = x.memory;
  views();
  x._initialize();  // static constructors
  return m;
}

/** The loaded module; throws NOT_INITIALIZED before init() resolved. */
export function wasm() {
  if (!module) throw new RillmarkError('NOT_INITIALIZED', 'rillmark: await init() before using it synchronously');
  return module;
}

const encoder = new TextEncoder();
// Keeps a leading U+FEFF: string offsets count it (the core skips the stream's
// BOM itself; any other U+FEFF is text).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// One code unit per byte (the Encoding Standard's "latin1" is windows-1252:
// every byte maps to one character, ASCII to itself).
const bytewiseDecoder = new TextDecoder('latin1');

/**
 * Decodes the bytes [begin, end) of Wasm memory `heap` as `mode` says:
 * 'utf8' (well-formed UTF-8), 'ascii' (all below 0x80: any decoder) or
 * 'bytes' (one code unit per byte; the caller uses only its ASCII parts). An
 * entry point may install a faster platform decoder (Node's Buffer, see
 * index.node.js).
 */
const textDecoderMemory = (heap, begin, end, mode) =>
  (mode === 'bytes' ? bytewiseDecoder : decoder).decode(heap.subarray(begin, end));
let decodeMemory = textDecoderMemory;
/** Installs `fn` (null: the TextDecoder default); returns the one it replaces. */
export function setMemoryDecoder(fn) {
  const old = decodeMemory;
  decodeMemory = fn ?? textDecoderMemory;
  return old;
}

/**
 * Copies `chunk` (Uint8Array or string) into the handle's input buffer; returns
 * the byte count. The buffer pointer is cached on the handle and re-fetched
 * only when it must grow, so a feed is one crossing.
 */
export function writeInput(handle, state, chunk) {
  const m = module;
  if (typeof chunk === 'string') {
    const need = chunk.length * 3;
    if (need > state.cap) grow(handle, state, need);
    const heap = m.HEAPU8;
    if (chunk.length <= 64) {
      // Short ASCII text (a token) is written directly: cheaper than an
      // encodeInto call and its result object.
      let i = 0;
      for (const p = state.ptr; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c > 0x7f) break;
        heap[p + i] = c;
      }
      if (i === chunk.length) return i;
    }
    return encoder.encodeInto(chunk, heap.subarray(state.ptr, state.ptr + state.cap)).written;
  }
  if (chunk.length > state.cap) grow(handle, state, chunk.length);
  m.HEAPU8.set(chunk, state.ptr);
  return chunk.length;
}

function grow(handle, state, need) {
  const cap = Math.max(need, state.cap * 2, 4096);
  state.ptr = module._rm_input(handle, cap);
  state.cap = cap;
}

/**
 * Reads a batch header {words ptr, count, text ptr, bytes, status, input kind}:
 * returns a copy of the words and the decoded text. String ranges in words
 * are UTF-16 offsets. (The stream handles read their batches in records.js.)
 */
export function readBatch(headerPtr) {
  const m = module;
  const h = headerPtr >>> 2;
  const count = m.HEAPU32[h + 1];
  if (count === 0) return EMPTY;
  const w = m.HEAPU32[h] >>> 2;
  return { words: m.HEAPU32.slice(w, w + count), text: decodeText(m.HEAPU32[h + 2], m.HEAPU32[h + 3]) };
}

/**
 * The input a handle's call read, decoded one code unit per byte (records
 * refer to its ASCII parts by byte offsets; `ascii`: the header says it is
 * all ASCII); `state` and `n` as for writeInput.
 */
export function decodeInput(state, n, ascii) {
  return decodeMemory(module.HEAPU8, state.ptr, state.ptr + n, ascii ? 'ascii' : 'bytes');
}

const EMPTY = { words: new Uint32Array(0), text: '' };

// Short texts (the common one-word appendData) are decoded without a
// TextDecoder call, which costs more than the string itself (a platform
// decoder, as Node's Buffer, is cheaper than that loop from ~8 bytes on).
export function decodeText(ptr, bytes) {
  if (bytes === 0) return '';
  const b = module.HEAPU8;
  if (bytes <= 8 || (bytes <= 32 && decodeMemory === textDecoderMemory)) {
    let s = '';
    for (let i = ptr, end = ptr + bytes; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return decodeMemory(b, ptr, ptr + bytes, 'utf8');
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeMemory(b, ptr, ptr + bytes, 'utf8');
}

/** Frees handles that were never free()d once their wrapper is collected. */
const registry = new FinalizationRegistry((handle) => {
  module._rm_free(handle);
  live.handles--;
});

/** Live native handles, for leak tests and diagnostics. */
export const live = { handles: 0 };

/**
 * Takes ownership of a native handle (a pointer from one of the rm_*_new
 * exports): freed by free() (idempotent) or, if the wrapper is dropped unfreed,
 * by the FinalizationRegistry. `use()` returns the handle or throws once it
 * was freed.
 */
export function own(handle, what) {
  const token = {};
  registry.register(token, handle, token);
  live.handles++;
  let freed = false;
  return {
    use() {
      if (freed) throw new Error(`rillmark: ${what} used after free()`);
      return handle;
    },
    get freed() {
      return freed;
    },
    free() {
      if (freed) return;
      freed = true;
      registry.unregister(token);
      module._rm_free(handle);
      live.handles--;
    },
  };
}

// createTokenDecoder over the Wasm TokenDecoder.
import { RillmarkError } from './errors.js';
import { streamMethods } from './records.js';
import { own, wasm } from './wasm.js';

const PRESETS = new Set(['text', 'openai-chat', 'openai-responses', 'anthropic', 'adk']);

/** Creates a decoder from provider SSE bytes to coalesced text deltas. */
export function createTokenDecoder(format = 'text', handlers, options = {}) {
  const m = wasm();
  let args;
  if (typeof format === 'string') {
    if (!PRESETS.has(format)) throw new RillmarkError('BAD_ARGUMENT', `rillmark: unknown format '${format}'`);
    args = [format, '', '', ''];
  } else if (format && typeof format.path === 'string') {
    args = ['', format.path, format.doneData ?? '', format.doneEvent ?? ''];
  } else {
    throw new RillmarkError('BAD_ARGUMENT', 'rillmark: format must be a preset name or { path }');
  }
  const spec = new TextEncoder().encode(args.join('\0') + '\0');
  m.HEAPU8.set(spec, m._rm_scratch(spec.length));
  const handle = m._rm_tokens_new(spec.length, options.maxEventBytes ?? 1 << 20);
  if (!handle || m._rm_tokens_status(handle) !== 0) {
    m._rm_free(handle);
    throw new RillmarkError('BAD_ARGUMENT', `rillmark: invalid JSON Pointer '${format.path}'`);
  }
  const owner = own(handle, 'TokenDecoder');
  let lastEventId = '';
  return {
    // reset(): a new connection of the same stream: parser state cleared, replay memory kept.
    ...streamMethods(m, owner, { ...handlers, onLastId: (id) => (lastEventId = id) }),
    /** The last event ID of the stream (what a reconnect sends as Last-Event-ID). */
    get lastEventId() {
      return lastEventId;
    },
    /** Text-bearing events decoded so far. */
    get textEvents() {
      return owner.freed ? 0 : m._rm_tokens_text_events(handle);
    },
  };
}

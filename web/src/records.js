// The records of an SSE parser / token decoder batch (see batch.h): dispatch,
// and the feed/end methods both of those handles share.
import { RillmarkError, STATUS_CODES } from './errors.js';
import { decodeInput, decodeText, writeInput } from './wasm.js';

export const RECORD = {
  EVENT: 1, RETRY: 2, COMMENT: 3, ERROR: 4, TEXT: 5, DONE: 6, LAST_ID: 7, EVENT_INPUT: 8, EVENT_META: 9,
  EVENT_META_DEFAULT: 10,
};

/**
 * feed / end / reset / free of a native stream handle (SSE parser or token
 * decoder) owned by `owner`, dispatching each batch to `handlers`.
 *
 * Records are read where the core wrote them, in Wasm memory, not copied: a
 * call into this same handle from inside one of its handlers would overwrite
 * them, so such a call first moves what is left of the batch being
 * dispatched into a copy (`detach`). Calls into other handles may grow the
 * memory: the view is re-read after every handler.
 */
export function streamMethods(m, owner, handlers) {
  const state = { ptr: 0, cap: 0, live: null };
  return {
    feed(chunk) {
      const h = owner.use();
      const n = writeInput(h, state, chunk);
      if (state.live) detach(m, state.live);  // called from one of its own handlers
      dispatchBatch(m, m._rm_feed(h, n), state, n, handlers);
    },
    end() {
      const h = owner.use();
      if (state.live) detach(m, state.live);
      dispatchBatch(m, m._rm_end(h), state, 0, handlers);
    },
    reset() {
      m._rm_reset(owner.use());
    },
    free: owner.free,
  };
}

// A batch being dispatched: its words are m.HEAPU32[at, at + count) until
// detach() sets `copy` (then copy[0, count)).
function detach(m, frame) {
  if (!frame.copy) frame.copy = m.HEAPU32.slice(frame.at, frame.at + frame.count);
}

function dispatchBatch(m, headerPtr, state, n, h) {
  const hp = headerPtr >>> 2;
  let words = m.HEAPU32;
  const count = words[hp + 1];
  if (count === 0) return;
  const text = decodeText(words[hp + 2], words[hp + 3]);
  const inputKind = words[hp + 5];  // 0: unused, 1: has non-ASCII bytes, 2: all ASCII
  const input = inputKind ? decodeInput(state, n, inputKind === 2) : '';
  const frame = { at: words[hp] >>> 2, count, copy: null };
  const outer = state.live;
  state.live = frame;
  try {
    let base = frame.at;
    let type = '', id = '';
    for (let i = 0; i < count; ) {
      const kind = words[base + i];
      if (kind === RECORD.EVENT_INPUT || kind === RECORD.EVENT) {
        const data = (kind === RECORD.EVENT ? text : input).slice(words[base + i + 1], words[base + i + 2]);
        i += 3;
        h.onEvent?.({ type, data, id });
      } else if (kind === RECORD.EVENT_META_DEFAULT) {
        type = 'message';
        id = '';
        i += 1;
        continue;
      } else if (kind === RECORD.EVENT_META) {
        type = text.slice(words[base + i + 1], words[base + i + 2]);
        id = text.slice(words[base + i + 3], words[base + i + 4]);
        i += 5;
        continue;
      } else {
        i = dispatchOther(words, base, i, text, h);
      }
      // A handler ran: the records may have moved (detach) or the memory grown.
      if (frame.copy) {
        words = frame.copy;
        base = 0;
      } else {
        words = m.HEAPU32;
      }
    }
  } finally {
    state.live = outer;
  }
}

// The records other than events (one per feed at most, typically): returns
// the index after the record.
function dispatchOther(words, base, i, text, h) {
  const at = base + i;
  const str = (k) => text.slice(words[at + k], words[at + k + 1]);
  switch (words[at]) {
    case RECORD.RETRY:
      h.onRetry?.(words[at + 1]);
      return i + 2;
    case RECORD.COMMENT:
      h.onComment?.(str(1));
      return i + 3;
    case RECORD.ERROR:
      h.onError?.(new RillmarkError(STATUS_CODES[words[at + 1]] ?? 'UNKNOWN', str(2)));
      return i + 4;
    case RECORD.TEXT:
      h.onText?.(str(1));
      return i + 3;
    case RECORD.LAST_ID:
      h.onLastId?.(str(1));
      return i + 3;
    case RECORD.DONE:
      h.onDone?.();
      return i + 1;
    default:
      throw new RillmarkError('BAD_ARGUMENT', `rillmark: unknown record ${words[at]}`);
  }
}

// The records of an SSE parser / token decoder batch (see batch.h): dispatch,
// and the feed/end methods both of those handles share.
import { RillmarkError, STATUS_CODES } from './errors.js';
import { readBatch, writeInput } from './wasm.js';

export const RECORD = { EVENT: 1, RETRY: 2, COMMENT: 3, ERROR: 4, TEXT: 5, DONE: 6, LAST_ID: 7, EVENT_INPUT: 8, EVENT_META: 9 };

export function dispatchRecords({ words, text, input }, h) {
  let i = 0;
  const n = words.length;
  // Set by the EVENT_META record before the first event of a batch and
  // wherever they change (they repeat on nearly every event).
  let type = '', id = '';
  while (i < n) {
    switch (words[i]) {
      case RECORD.EVENT_INPUT:
        h.onEvent?.({ type, data: input.slice(words[i + 1], words[i + 2]), id });
        i += 3;
        break;
      case RECORD.EVENT:
        h.onEvent?.({ type, data: text.slice(words[i + 1], words[i + 2]), id });
        i += 3;
        break;
      case RECORD.EVENT_META:
        type = text.slice(words[i + 1], words[i + 2]);
        id = text.slice(words[i + 3], words[i + 4]);
        i += 5;
        break;
      case RECORD.RETRY:
        h.onRetry?.(words[i + 1]);
        i += 2;
        break;
      case RECORD.COMMENT:
        h.onComment?.(text.slice(words[i + 1], words[i + 2]));
        i += 3;
        break;
      case RECORD.ERROR: {
        const code = STATUS_CODES[words[i + 1]] ?? 'UNKNOWN';
        h.onError?.(new RillmarkError(code, text.slice(words[i + 2], words[i + 3])));
        i += 4;
        break;
      }
      case RECORD.TEXT:
        h.onText?.(text.slice(words[i + 1], words[i + 2]));
        i += 3;
        break;
      case RECORD.LAST_ID:
        h.onLastId?.(text.slice(words[i + 1], words[i + 2]));
        i += 3;
        break;
      case RECORD.DONE:
        h.onDone?.();
        i += 1;
        break;
      default:
        throw new RillmarkError('BAD_ARGUMENT', `rillmark: unknown record ${words[i]}`);
    }
  }
}

/**
 * feed / end / reset / free of a native stream handle (SSE parser or token
 * decoder) owned by `owner`, dispatching each batch to `handlers`. The words
 * of a feed are copied into this handle's reusable buffer (see readBatch),
 * except while its handlers run: a feed from inside one of them copies.
 */
export function streamMethods(m, owner, handlers) {
  const state = { ptr: 0, cap: 0, words: null, dispatching: 0 };
  return {
    feed(chunk) {
      const h = owner.use();
      const n = writeInput(h, state, chunk);
      const batch = readBatch(m._rm_feed(h, n), state, n);
      state.dispatching++;
      try {
        dispatchRecords(batch, handlers);
      } finally {
        state.dispatching--;
      }
    },
    end() {
      dispatchRecords(readBatch(m._rm_end(owner.use())), handlers);
    },
    reset() {
      m._rm_reset(owner.use());
    },
    free: owner.free,
  };
}

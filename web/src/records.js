// The records of an SSE parser / token decoder batch (see batch.h): dispatch,
// and the feed/end methods both of those handles share.
import { RillmarkError, STATUS_CODES } from './errors.js';
import { readBatch, writeInput } from './wasm.js';

export const RECORD = { EVENT: 1, RETRY: 2, COMMENT: 3, ERROR: 4, TEXT: 5, DONE: 6, LAST_ID: 7, EVENT_INPUT: 8 };

export function dispatchRecords({ words, text, input }, h) {
  let i = 0;
  const n = words.length;
  // Types and ids repeat from event to event: the core re-uses their ranges,
  // so each distinct one is sliced once per batch.
  let typeAt = -1, typeEnd = -1, type = '', idAt = -1, idEnd = -1, id = '';
  while (i < n) {
    const kind = words[i];
    switch (kind) {
      case RECORD.EVENT:
      case RECORD.EVENT_INPUT: {
        if (words[i + 1] !== typeAt || words[i + 2] !== typeEnd)
          type = text.slice((typeAt = words[i + 1]), (typeEnd = words[i + 2]));
        if (words[i + 5] !== idAt || words[i + 6] !== idEnd) id = text.slice((idAt = words[i + 5]), (idEnd = words[i + 6]));
        const data = (kind === RECORD.EVENT ? text : input).slice(words[i + 3], words[i + 4]);
        h.onEvent?.({ type, data, id });
        i += 7;
        break;
      }
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

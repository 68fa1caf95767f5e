// Dispatches the records of an SSE parser / token decoder batch (see batch.h).
import { RillmarkError, STATUS_CODES } from './errors.js';

export const RECORD = { EVENT: 1, RETRY: 2, COMMENT: 3, ERROR: 4, TEXT: 5, DONE: 6, LAST_ID: 7 };

export function dispatchRecords({ words, text }, h) {
  let i = 0;
  const n = words.length;
  while (i < n) {
    switch (words[i]) {
      case RECORD.EVENT:
        h.onEvent?.({
          type: text.slice(words[i + 1], words[i + 2]),
          data: text.slice(words[i + 3], words[i + 4]),
          id: text.slice(words[i + 5], words[i + 6]),
        });
        i += 7;
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

// createSseParser and SseParserStream over the Wasm SseParser.
import { dispatchOwned, dispatchRecords } from './records.js';
import { own, readBatch, wasm, writeInput } from './wasm.js';

const DEFAULT_MAX_EVENT_BYTES = 1 << 20;

/**
 * Creates an incremental SSE parser. feed() takes bytes (or a string) split
 * anywhere; handlers run synchronously inside feed(), one batch per call.
 */
export function createSseParser(handlers, options = {}) {
  const m = wasm();
  const owner = own(m._rm_sse_new(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES), 'SseParser');
  const state = { ptr: 0, cap: 0 };
  return {
    feed(chunk) {
      const h = owner.use();
      const n = writeInput(h, state, chunk);
      dispatchOwned(readBatch(m._rm_feed(h, n), state, n), state, handlers);
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

/** A TransformStream from body bytes to SseEvent objects. */
export class SseParserStream extends TransformStream {
  constructor(options = {}) {
    let parser;
    super({
      start(controller) {
        parser = createSseParser(
          {
            onEvent: (e) => controller.enqueue(e),
            onError: options.onError,
            onRetry: options.onRetry,
            onComment: options.onComment,
          },
          options,
        );
      },
      transform(chunk) {
        parser.feed(chunk);
      },
      flush() {
        parser.end();
        parser.free();
      },
      cancel() {
        parser.free();
      },
    });
  }
}

// createSseParser and SseParserStream over the Wasm SseParser.
import { dispatchRecords } from './records.js';
import { live, readBatch, registry, wasm, writeInput } from './wasm.js';

const DEFAULT_MAX_EVENT_BYTES = 1 << 20;

/**
 * Creates an incremental SSE parser. feed() takes bytes (or a string) split
 * anywhere; handlers run synchronously inside feed(), one batch per call.
 */
export function createSseParser(handlers, options = {}) {
  const m = wasm();
  const handle = new m.SseParserHandle(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  const state = { ptr: 0, cap: 0 };
  const token = {};
  registry.register(token, handle, token);
  live.handles++;
  let freed = false;
  const check = () => {
    if (freed) throw new Error('rillmark: SseParser used after free()');
  };
  const parser = {
    feed(chunk) {
      check();
      const n = writeInput(handle, state, chunk);
      dispatchRecords(readBatch(handle.feed(n)), handlers);
    },
    end() {
      check();
      dispatchRecords(readBatch(handle.end()), handlers);
    },
    reset() {
      check();
      handle.reset();
    },
    free() {
      if (freed) return;
      freed = true;
      registry.unregister(token);
      handle.delete();
      live.handles--;
    },
  };
  return parser;
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

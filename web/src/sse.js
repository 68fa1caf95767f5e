// createSseParser and SseParserStream over the Wasm SseParser.
import { streamMethods } from './records.js';
import { own, wasm } from './wasm.js';

const DEFAULT_MAX_EVENT_BYTES = 1 << 20;

/**
 * Creates an incremental SSE parser. feed() takes bytes (or a string) split
 * anywhere; handlers run synchronously inside feed(), one batch per call.
 */
export function createSseParser(handlers, options = {}) {
  const m = wasm();
  const owner = own(m._rm_sse_new(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES), 'SseParser');
  return streamMethods(m, owner, handlers);
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

// Types of the rillmark package (see shared/API.md).

/**
 * Loads the Wasm module once; every sync API throws NOT_INITIALIZED before it resolves.
 * Rejects with UNSUPPORTED_RUNTIME where WebAssembly SIMD is missing.
 */
export function init(options?: { wasmUrl?: string | URL }): Promise<void>;

export type ErrorCode =
  | 'HTTP_STATUS' | 'BAD_CONTENT_TYPE' | 'NETWORK' | 'IDLE_TIMEOUT' | 'EVENT_TOO_LARGE' | 'BAD_PAYLOAD'
  | 'STREAM_ERROR_EVENT' | 'ABORTED' | 'RETRIES_EXHAUSTED' | 'NOT_INITIALIZED' | 'TEXT_TOO_LARGE' | 'BAD_ARGUMENT' | 'UNSUPPORTED_RUNTIME';

/** Every error rillmark reports or throws. */
export class RillmarkError extends Error {
  constructor(code: ErrorCode, message: string, extra?: Record<string, unknown>);
  readonly code: ErrorCode;
  /** HTTP status, for HTTP_STATUS. */
  readonly status?: number;
}

// ---- Server-Sent Events ----
export interface SseEvent {
  /** "message" when the stream gave no event field. */
  type: string;
  /** Data lines joined with "\n". */
  data: string;
  /** The last event ID in force when the event was dispatched. */
  id: string;
}
export interface SseParserHandlers {
  onEvent(event: SseEvent): void;
  onRetry?(ms: number): void;
  onComment?(text: string): void;
  onError?(error: RillmarkError): void;
}
export interface SseParser {
  /** Bytes (or text) of the stream, split anywhere, down to 1 byte. */
  feed(chunk: Uint8Array | string): void;
  /** End of stream: a pending, unterminated event is discarded. */
  end(): void;
  /** Back to the initial state (BOM handling included). */
  reset(): void;
  /** Releases Wasm memory; idempotent; the parser is unusable afterwards. */
  free(): void;
}
export function createSseParser(handlers: SseParserHandlers, options?: { maxEventBytes?: number }): SseParser;
export class SseParserStream extends TransformStream<Uint8Array, SseEvent> {
  constructor(options?: { maxEventBytes?: number; onError?(e: RillmarkError): void; onRetry?(ms: number): void;
                          onComment?(text: string): void });
}

// ---- Token deltas ----
export type Format =
  | 'text' | 'openai-chat' | 'openai-responses' | 'anthropic' | 'adk'
  | { path: string; doneData?: string; doneEvent?: string };
export interface TokenDecoderHandlers {
  /** Coalesced: at most one call per feed() between non-text events. */
  onText(text: string): void;
  onEvent?(event: SseEvent): void;
  onDone?(): void;
  onError?(error: RillmarkError): void;
  onRetry?(ms: number): void;
  onComment?(text: string): void;
}
export interface TokenDecoder {
  feed(chunk: Uint8Array | string): void;
  end(): void;
  /** A new connection of the same stream: parser state cleared, replay memory kept. */
  reset(): void;
  /** The last event ID (what a reconnect sends as Last-Event-ID). */
  readonly lastEventId: string;
  /** Text-bearing events decoded so far. */
  readonly textEvents: number;
  free(): void;
}
export function createTokenDecoder(format: Format, handlers: TokenDecoderHandlers,
                                   options?: { maxEventBytes?: number }): TokenDecoder;

// ---- Markdown ----
export interface MarkdownOptions {
  /** Default true: half-typed markers of the live tail do not flicker. */
  completeIncomplete?: boolean;
  /** Cap on the Markdown source in UTF-8 bytes (default 16 MiB); past it TEXT_TOO_LARGE. */
  maxSourceBytes?: number;
}
export class MarkdownRenderer {
  constructor(target: Element | null, options?: MarkdownOptions);
  /** Cheap: only buffers. Throws TEXT_TOO_LARGE past the cap, keeping what it has. */
  append(text: string): void;
  /** Applies the pending change to the DOM as one patch. */
  flush(): void;
  /** End of text: the DOM equals renderMarkdown(source). */
  finish(): void;
  /** The Markdown received so far. */
  readonly source: string;
  /** Top-level nodes of the target that are frozen (never touched again). */
  readonly frozenNodes: number;
  /** DOM mutations made so far. */
  readonly mutations: number;
  free(): void;
}
/** One-shot render to an HTML string: GFM, raw HTML as text, URLs allow-listed. */
export function renderMarkdown(markdown: string, options?: MarkdownOptions): string;
/** Applies one encoded patch (advanced use; MarkdownRenderer calls it). */
export function applyPatch(target: Element, state: { frozen: number },
                           batch: { words: Uint32Array; text: string }): number;

// ---- Everything together ----
export interface StreamMetrics { ttftMs: number; tokens: number; bytes: number; flushes: number; reconnects: number }
export interface StreamOptions {
  format?: Format;
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  credentials?: RequestCredentials;
  signal?: AbortSignal;
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
  onOpen?(response: Response): void;
  onEvent?(event: SseEvent): void;
  onText?(text: string): void;
  onError?(error: RillmarkError): void;
  onMetrics?(m: StreamMetrics): void;
}
export interface StreamResult { text: string; lastEventId: string; reconnects: number }
export function streamMarkdown(target: Element | null, input: string | URL | Request, options?: StreamOptions):
  { done: Promise<StreamResult>; abort(reason?: unknown): void };

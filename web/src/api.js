// The public API (shared/API.md), shared by both entry points.
export { init } from './wasm.js';
export { RillmarkError } from './errors.js';
export { createSseParser, SseParserStream } from './sse.js';
export { createTokenDecoder } from './tokens.js';
export { MarkdownRenderer, renderMarkdown, applyPatch } from './markdown.js';
export { streamMarkdown } from './stream.js';
export { live as _live } from './wasm.js';

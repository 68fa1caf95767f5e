// MarkdownRenderer (incremental, DOM patches) and renderMarkdown (one-shot HTML).
import { RillmarkError, statusError } from './errors.js';
import { decodeText, own, readBatch, wasm, writeInput } from './wasm.js';

// Same order as rillmark::Tag and rillmark::AttrName in markdown.h. Only these
// names can ever reach createElement / setAttribute: safety by construction.
const TAGS = ['', 'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code', 'hr',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'em', 'strong', 'del', 'a', 'img', 'br', 'input'];
const ATTRS = ['', 'href', 'title', 'src', 'alt', 'class', 'start', 'align', 'type', 'checked', 'disabled'];
const OP = { OPEN: 1, CLOSE: 2, TEXT: 3, APPEND_TEXT: 4, TRUNCATE: 5, FREEZE: 6, UNFREEZE: 7 };

// appendText is realised as a new Text node after the one it extends, not as
// Text.appendData: in Chromium 156, appendData on a text node that has been
// laid out re-shapes it synchronously (measured 17 µs per call on a short
// node, ~100 µs for the first after a frame, more on long ones), inserting a
// sibling costs ~3 µs. Both are one DOM mutation and serialize the same. The
// extra nodes form a group behind their base node; the core still counts the
// group as one node, so navigation skips them. Symbol-keyed properties on the
// nodes (cheaper than WeakMap lookups per flush): EXTRA marks them, END on a
// base node is its group's last node, SPLIT marks parents that hold a group
// (only those are walked; others are indexed directly).
const EXTRA = Symbol('rillmark.extra');
const END = Symbol('rillmark.end');
const SPLIT = Symbol('rillmark.split');
const CURSOR = Symbol('rillmark.cursor');

/**
 * Applies one patch to `target`. `state.frozen` counts the target's frozen
 * children; paths are relative to the first child after them. Uses only
 * createElement, setAttribute, createTextNode, insertBefore/appendChild and
 * remove. Returns the number of DOM mutations made.
 */
export function applyPatch(target, state, { words, text }) {
  return applyOps(target, state, words, 0, words.length, text);
}

// applyPatch over words[i, end): a renderer passes Wasm memory itself, so a
// flush allocates no view or batch object.
function applyOps(target, state, words, i, end, text) {
  const doc = target.ownerDocument;
  // A state made by the caller ({ frozen }) learns its last frozen node once.
  if (state.lastFrozen === undefined) state.lastFrozen = state.frozen ? target.childNodes[state.frozen - 1] : null;
  const str = (k) => text.slice(words[k], words[k + 1]);
  let cursor = target;
  let mutations = 0;
  while (i < end) {
    switch (words[i]) {
      case OP.OPEN: {
        const el = doc.createElement(TAGS[words[i + 1]]);
        const n = words[i + 2];
        i += 3;
        for (let k = 0; k < n; k++, i += 3) el.setAttribute(ATTRS[words[i]], str(i + 1));
        cursor.appendChild(el);
        cursor = el;
        mutations++;
        break;
      }
      case OP.CLOSE:
        cursor = cursor === target ? target : cursor.parentNode;
        i += 1;
        break;
      case OP.TEXT:
        cursor.appendChild(doc.createTextNode(str(i + 1)));
        mutations++;
        i += 3;
        break;
      case OP.APPEND_TEXT: {
        const depth = words[i + 1];
        let node = target;
        for (let l = 0; l < depth; l++) node = childAt(target, state, node, words[i + 2 + l]);
        appendToGroup(doc, node, str(i + 2 + depth));
        mutations++;
        i += 4 + depth;
        break;
      }
      case OP.TRUNCATE: {
        // Keep the first words[path + depth - 1] children at the last level and,
        // above it, nothing after the path: remove everything that follows.
        const depth = words[i + 1];
        const path = i + 2;
        let parent = target;
        const along = [];
        for (let l = 0; l < depth - 1; l++) along.push((parent = childAt(target, state, parent, words[path + l])));
        const keep = words[path + depth - 1];
        const lastKept = keep > 0 ? childAt(target, state, parent, keep - 1) : parent === target ? state.lastFrozen : null;
        mutations += removeAfter(parent, lastKept);
        for (let l = along.length - 1; l >= 0; l--) {
          const node = along[l];
          mutations += removeAfter(node.parentNode, node);
        }
        cursor = parent;
        i += 2 + depth;
        break;
      }
      case OP.FREEZE:
        // The first live top-level nodes become frozen: remember the last one.
        if (words[i + 1] > 0) state.lastFrozen = childAt(target, state, target, words[i + 1] - 1);
        state.frozen += words[i + 1];
        i += 2;
        break;
      case OP.UNFREEZE: {
        let node = state.lastFrozen;
        for (let k = 0; k < words[i + 1] && node; k++) node = node.previousSibling;
        state.lastFrozen = node;
        state.frozen -= words[i + 1];
        i += 2;
        break;
      }
      default:
        throw new RillmarkError('BAD_ARGUMENT', `rillmark: unknown patch op ${words[i]}`);
    }
  }
  return mutations;
}

// Appends `text` to the group of text node `node`: a new node after its last.
function appendToGroup(doc, node, text) {
  const added = doc.createTextNode(text);
  node.parentNode.insertBefore(added, (node[END] ?? node).nextSibling);
  added[EXTRA] = true;
  node[END] = added;
  node.parentNode[SPLIT] = true;
}

// Child `index` of `parent` as the core counts: top-level ones after the frozen
// nodes (reached from the last frozen node, not by index into a long list),
// extra text nodes of a group skipped. In a parent with groups the walk
// starts from the child found last time (CURSOR) when it is still there and
// not after `index`: nodes are only appended or removed from the end, so its
// index holds, and the live end of a long paragraph costs no walk from its start.
function childAt(target, state, parent, index) {
  if (parent !== target && !parent[SPLIT]) return parent.childNodes[index];
  // A group's extra nodes follow its base node, so a first child is never one.
  let node = parent === target ? (state.lastFrozen ? state.lastFrozen.nextSibling : target.firstChild) : parent.firstChild;
  let k = 0;
  const c = parent !== target && parent[CURSOR];
  if (c && c[0] <= index && c[1].parentNode === parent) [k, node] = c;
  for (; k < index; k++) {
    node = node.nextSibling;
    while (node[EXTRA]) node = node.nextSibling;
  }
  if (parent !== target) parent[CURSOR] = [index, node];
  return node;
}

// Removes the children of `parent` after `node` (all of them when null).
function removeAfter(parent, node) {
  let n = 0;
  if (node) node = node[END] ?? node;
  while (parent.lastChild && parent.lastChild !== node) {
    parent.lastChild.remove();
    n++;
  }
  return n;
}

const PENDING_LIMIT = 1 << 16;
const TEXT_TOO_LARGE = 4;  // Status::kTextTooLarge

// Prediction kinds (rillmark::Prediction): what the core's next flush would
// do with a predictable piece of text, read after each flush.
const WORDS = 1;
const VERBATIM = 2;
// Bytes of a kWords piece, by bit: 1 always, 2 with the kQuotes flag, 4 with
// kParens (flag << 1 selects them).
const WORD_BYTES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9 ,;:?(-]/.test(ch)) WORD_BYTES[c] = 1;
  else if (ch === '"' || ch === "'") WORD_BYTES[c] = 2;
  else if (ch === ')') WORD_BYTES[c] = 4;
}

// UTF-8 bytes of `text` if the prediction `p` covers it (as
// Prediction::Covers), else -1.
function coveredBytes(p, text) {
  if (p.kind === WORDS) {
    const mask = 1 | (p.flags << 1);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || !(WORD_BYTES[c] & mask)) return -1;
    }
    return text.length;
  }
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0 || (c >= 0xd800 && c <= 0xdfff)) return -1;  // no surrogate: no 4-byte form
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}

/**
 * Renders Markdown into `target` incrementally. append() only buffers; flush()
 * applies one minimal patch; finish() makes the DOM equal renderMarkdown(source).
 */
export class MarkdownRenderer {
  #owner;
  #input = { ptr: 0, cap: 0 };
  #target;
  #state = { frozen: 0 };
  #source = '';
  #pending = '';
  #highSurrogate = '';
  // Text shown as the core predicted, not yet handed over (and its bytes).
  #ahead = '';
  #aheadBytes = 0;
  #predict = { kind: 0, flags: 0, spaces: 0, budget: 0, node: null };
  /** DOM mutations made so far (diagnostics, demo metrics). */
  mutations = 0;

  constructor(target, options = {}) {
    const m = wasm();
    this.#target = target;
    this.#owner = own(m._rm_markdown_new(options.completeIncomplete !== false ? 1 : 0, options.maxSourceBytes ?? 0),
                      'MarkdownRenderer');
    if (target) target.replaceChildren();
  }

  #live() {
    return this.#owner.use();
  }

  /**
   * Buffers text in JS (no crossing into Wasm); the next flush() hands it over
   * together with the patch request. A surrogate pair split across two calls
   * is joined, not turned into U+FFFD. Large pieces (over 64 KiB pending) are
   * handed over at once; TEXT_TOO_LARGE is thrown by the call that hands text
   * over (append or flush), and the text already received is kept.
   */
  append(text) {
    this.#live();
    if (this.#highSurrogate) {
      text = this.#highSurrogate + text;
      this.#highSurrogate = '';
    }
    if (!text) return;
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
      if (!text) return;
    }
    this.#pending += text;
    if (this.#pending.length > PENDING_LIMIT) this.#handOver(false);
  }

  /**
   * Applies the pending change to the DOM as one patch (one crossing). Text
   * the last flush predicted (a paragraph's words, a code line's rest) is
   * shown without a crossing; the next crossing hands it over.
   */
  flush() {
    const p = this.#predict;
    if (p.kind && this.#pending && this.#showPredicted(p, this.#pending)) return;
    this.#handOver(true);
  }

  // Shows `text` as the core would (see Prediction in markdown.h): words
  // grow the text node, spaces show once a word follows them.
  #showPredicted(p, text) {
    this.#live();
    const bytes = coveredBytes(p, text);
    if (bytes < 0 || bytes > p.budget) return false;
    p.budget -= bytes;
    let shown = text;
    if (p.kind === WORDS) {
      let end = text.length;
      while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
      shown = end ? ' '.repeat(p.spaces) + text.slice(0, end) : '';
      p.spaces = end ? text.length - end : p.spaces + text.length;
    }
    if (shown) {
      appendToGroup(this.#target.ownerDocument, p.node, shown);
      this.mutations++;
    }
    this.#ahead += text;
    this.#aheadBytes += bytes;
    this.#pending = '';
    return true;
  }

  /** End of text: the DOM equals renderMarkdown(source). */
  finish() {
    if (this.#highSurrogate) {
      this.#pending += this.#highSurrogate;  // lone at the very end: becomes U+FFFD
      this.#highSurrogate = '';
    }
    this.#handOver(false);
    const m = wasm();
    this.#apply(m.HEAPU32, m._rm_end(this.#live()) >>> 2);
  }

  #handOver(flush) {
    const h = this.#live();
    const ahead = this.#ahead;
    const text = this.#pending;
    const shown = this.#aheadBytes;
    this.#pending = this.#ahead = '';
    this.#aheadBytes = 0;
    this.#predict.kind = 0;
    if (!flush && !ahead && !text) return;
    const all = ahead ? ahead + text : text;
    const n = all ? writeInput(h, this.#input, all) : 0;
    const m = wasm();
    const header = m._rm_markdown_feed(h, n, shown, flush ? 1 : 0) >>> 2;
    const heap = m.HEAPU32;  // after the call: memory may have grown
    if (flush) this.#apply(heap, header);
    const status = heap[header + 4];
    this.#source += ahead;
    if (status !== 0) throw statusError(status, status === TEXT_TOO_LARGE ? 'rillmark: Markdown source exceeds its cap; text dropped'
                                                : 'rillmark: the core refused text shown as it predicted');
    this.#source += text;
    if (flush && heap[header + 6] && this.#target) this.#readPrediction(heap, header + 6);
  }

  // The core's prediction after a flush (see MarkdownHandle in exports.cc):
  // the text node it names is found once here.
  #readPrediction(heap, at) {
    const p = this.#predict;
    p.flags = heap[at + 1];
    p.spaces = heap[at + 2];
    p.budget = heap[at + 3];
    const target = this.#target;
    let node = target;
    for (let l = 0, depth = heap[at + 4]; l < depth; l++) node = childAt(target, this.#state, node, heap[at + 5 + l]);
    p.node = node;
    p.kind = heap[at];
  }

  // Applies the patch of a batch header (see readBatch) straight from Wasm
  // memory: valid until the next call into Wasm, and applyOps makes none.
  #apply(heap, header) {
    const count = heap[header + 1];
    if (count === 0 || !this.#target) return;
    const begin = heap[header] >>> 2;
    const text = decodeText(heap[header + 2], heap[header + 3]);
    this.mutations += applyOps(this.#target, this.#state, heap, begin, begin + count, text);
  }

  /** The Markdown received so far (handed over or still pending). */
  get source() {
    return this.#source + this.#ahead + this.#pending;
  }

  /** Number of frozen top-level nodes in the target. */
  get frozenNodes() {
    return this.#state.frozen;
  }

  free() {
    this.#owner.free();
  }
}

let htmlRenderer = 0;  // one long-lived native handle
const htmlInput = { ptr: 0, cap: 0 };

/** Renders Markdown at once to an HTML string (GFM, raw HTML as text, URLs allow-listed). */
export function renderMarkdown(markdown, options = {}) {
  if (options.completeIncomplete === true) {
    // A one-shot render of text that is still arriving: same as a renderer's first flush.
    const doc = globalThis.document;
    if (doc) {
      const div = doc.createElement('div');
      const r = new MarkdownRenderer(div, options);
      r.append(markdown);
      r.flush();
      r.free();
      return div.innerHTML;
    }
  }
  const m = wasm();
  htmlRenderer ||= m._rm_html_new();
  const n = writeInput(htmlRenderer, htmlInput, String(markdown));
  return readBatch(m._rm_feed(htmlRenderer, n)).text;
}

// A minimal DOM (only what applyPatch uses) with an HTML serializer, so the
// JS applier can be tested in Node against renderMarkdown's HTML.
class Node {
  constructor(doc) {
    this.ownerDocument = doc;
    this.parentNode = null;
    this.childNodes = [];
    this.previousSibling = null;
    this.nextSibling = null;
  }
  appendChild(n) {
    return this.insertBefore(n, null);
  }
  insertBefore(n, before) {
    n.remove();
    const at = before ? this.childNodes.indexOf(before) : this.childNodes.length;
    n.parentNode = this;
    n.previousSibling = at > 0 ? this.childNodes[at - 1] : null;
    n.nextSibling = before;
    if (n.previousSibling) n.previousSibling.nextSibling = n;
    if (before) before.previousSibling = n;
    this.childNodes.splice(at, 0, n);
    return n;
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  get lastChild() {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }
  get parentElement() {
    return this.parentNode;
  }
  get children() {
    return this.childNodes.filter((n) => n instanceof Element);
  }
  remove() {
    const p = this.parentNode;
    if (!p) return;
    // Removing the last child (what the applier does) needs no search.
    const at = p.childNodes[p.childNodes.length - 1] === this ? p.childNodes.length - 1 : p.childNodes.indexOf(this);
    p.childNodes.splice(at, 1);
    if (this.previousSibling) this.previousSibling.nextSibling = this.nextSibling;
    if (this.nextSibling) this.nextSibling.previousSibling = this.previousSibling;
    this.parentNode = this.previousSibling = this.nextSibling = null;
  }
  replaceChildren() {
    for (const c of this.childNodes) c.parentNode = c.previousSibling = c.nextSibling = null;
    this.childNodes = [];
  }
}
class Text extends Node {
  constructor(doc, data) {
    super(doc);
    this.data = data;
  }
  appendData(s) {
    this.data += s;
  }
}
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const VOID = new Set(['hr', 'br', 'img', 'input']);
class Element extends Node {
  constructor(doc, tag) {
    super(doc);
    this.localName = tag;
    this.attrs = [];
  }
  setAttribute(k, v) {
    this.attrs.push([k, v]);
  }
  get tagName() {
    return this.localName.toUpperCase();
  }
  get innerHTML() {
    return this.childNodes.map(serialize).join('');
  }
}
function serialize(n) {
  if (n instanceof Text) return esc(n.data);
  const attrs = n.attrs.map(([k, v]) => (v === '' && (k === 'disabled' || k === 'checked') ? ` ${k}` : ` ${k}="${esc(v)}"`)).join('');
  return `<${n.localName}${attrs}>${n.innerHTML}${VOID.has(n.localName) ? '' : `</${n.localName}>`}`;
}
export function createDocument() {
  const doc = {
    createElement: (t) => new Element(doc, t),
    createTextNode: (d) => new Text(doc, d),
  };
  return doc;
}
